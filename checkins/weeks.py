"""Who is asked which week: the one place the check-in schedule and the stops live.

Weeks start on Monday in the business time zone. The check-in owed on a Monday morning
asks about the 7 days before it (the "reported week", WeeklyCheckin.week). A client is
asked from the week of their first booking until 12 weeks after their last session,
while they said yes at intake and nobody stopped it: themselves (one click), Julie
(pause), or 3 unanswered check-ins in a row.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from appointments.models import Appointment, Client

from .models import Enrolment, WeeklyCheckin, local_morning

KEEP_ASKING = timedelta(weeks=12)
UNANSWERED_IN_A_ROW = 3
# Sessions that count for the schedule: booked or held, not cancelled or missed.
SESSIONS = [Appointment.Status.BOOKED, Appointment.Status.COMPLETED]


def monday_of(day):
    return day - timedelta(days=day.weekday())


def reported_week(now):
    """The week whose check-in is owed this (local) Monday morning: the Monday before it."""
    return monday_of(timezone.localdate(now)) - timedelta(days=7)


def enrolment_of(client):
    """The client's check-ins row (their secret link), made the first time it is needed."""
    enrolment, _ = Enrolment.objects.get_or_create(client=client)
    return enrolment


def opted_in(client):
    intake = getattr(client, "intake", None)
    return bool(intake and intake.submitted_at and intake.weekly_checkins)


def is_asked(client):
    """Said yes at intake and not stopped, paused or gone quiet (selector)."""
    enrolment = getattr(client, "checkins", None)
    return opted_in(client) and (enrolment is None or enrolment.status == Enrolment.Status.ACTIVE)


def in_window(*, week, first_booked, last_session):
    """Whether `week` lies between the first booking's week and 12 weeks after the last session's."""
    if first_booked is None or last_session is None:
        return False
    first = monday_of(timezone.localdate(first_booked))
    last = monday_of(timezone.localdate(last_session)) + KEEP_ASKING
    return first <= week <= last


def stopped_answering(client, *, before):
    """The last UNANSWERED_IN_A_ROW check-ins sent before `before` all went unanswered."""
    last = list(
        WeeklyCheckin.objects.filter(client=client, week__lt=before, status=WeeklyCheckin.Status.SENT)
        .order_by("-week")
        .values_list("answered_at", flat=True)[:UNANSWERED_IN_A_ROW]
    )
    return len(last) == UNANSWERED_IN_A_ROW and all(answered is None for answered in last)


def set_status(enrolment, status, *, now):
    """Stop, pause or restart; takes effect at once: what is still waiting to be sent is dropped."""
    with transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(status=status, status_changed_at=now)
        if status != Enrolment.Status.ACTIVE:
            WeeklyCheckin.objects.filter(client_id=enrolment.client_id, status=WeeklyCheckin.Status.PENDING).update(
                status=WeeklyCheckin.Status.SKIPPED
            )
    enrolment.status, enrolment.status_changed_at = status, now


def record_due_checkins(*, now):
    """Insert-or-skip this week's check-in of every client who is asked; returns how many it recorded.

    Safe to run every hour and in two workers at once: the unique (client, week) keeps
    one row per week. A late run (beat down on Monday) still records the week; its email
    is then due at once.
    """
    week = reported_week(now)
    clients = (
        Client.objects.filter(intake__weekly_checkins=True, intake__submitted_at__isnull=False)
        .exclude(checkins__status__in=[s for s in Enrolment.Status if s != Enrolment.Status.ACTIVE])
        .exclude(weekly_checkins__week=week)
        .annotate(
            first_booked=Min("appointments__created_at", filter=Q(appointments__status__in=SESSIONS)),
            last_session=Max("appointments__start", filter=Q(appointments__status__in=SESSIONS)),
        )
    )
    rows = []
    for client in clients:
        if not in_window(week=week, first_booked=client.first_booked, last_session=client.last_session):
            continue
        enrolment = enrolment_of(client)
        if stopped_answering(client, before=week):
            set_status(enrolment, Enrolment.Status.UNANSWERED, now=now)
            continue
        rows.append(WeeklyCheckin(client=client, week=week, due_at=local_morning(week + timedelta(days=7))))
    return len(WeeklyCheckin.objects.bulk_create(rows, ignore_conflicts=True))


def why_not_wanted(checkin, *, now):
    """Why a check-in email should no longer go out (None if it should). Checked again at send time."""
    client = checkin.client
    if not opted_in(client):
        return "The client no longer asks for check-ins."
    if not is_asked(client):
        return "Check-ins are stopped or paused for this client."
    if not checkin.is_open(now=now):
        return "The week closed before it could be sent."
    return None
