"""What a client's own page shows (selectors): their sessions, courses, waitlist days, intake and check-ins.

Everything is read from the one client given, never by anything the request carries.
"""

from dataclasses import dataclass

from appointments import availability
from checkins.models import Enrolment
from intake import intakes
from waitlist.models import Entry


@dataclass(frozen=True)
class Session:
    appointment: object
    # The manage page, while its link works ("" after); can_change: cancel or move online still allowed.
    manage_url: str
    can_change: bool
    change_deadline: object


@dataclass(frozen=True)
class Course:
    """Sessions booked together (Appointment.series), in order, with how many are still to come."""

    sessions: list
    to_come: int


@dataclass(frozen=True)
class IntakeState:
    url: str
    # "missing": never sent; "review": sent, but asked again or over a year old; "done".
    state: str
    submitted_at: object = None


@dataclass(frozen=True)
class Overview:
    upcoming: list
    past: list
    courses: list
    waitlist: list
    intake: IntakeState
    checkins_url: str = ""
    checkins_status: str = ""


def _session(appointment, *, now, rules):
    expired = appointment.manage_link_expired(now=now)
    return Session(
        appointment=appointment,
        manage_url="" if expired else appointment.get_manage_url(),
        can_change=appointment.client_can_change(now=now, rules=rules),
        change_deadline=rules.change_deadline(appointment.start),
    )


def _is_upcoming(appointment, *, now):
    return appointment.status == appointment.Status.BOOKED and appointment.end > now


def intake_state(client, *, now, next_start=None):
    """The intake's state for the client's next session (or now): its link, and whether to ask for it."""
    intake = intakes.intake_of(client)
    if intake.submitted_at is None:
        state = "missing"
    elif intake.is_current(at=next_start or now):
        state = "done"
    else:
        state = "review"
    return IntakeState(url=intake.get_absolute_url(), state=state, submitted_at=intake.submitted_at)


def client_overview(client, *, now, rules):
    appointments = list(client.appointments.select_related("service").order_by("start", "pk"))
    sessions = [_session(appointment, now=now, rules=rules) for appointment in appointments]
    courses = {}
    for session in sessions:
        if session.appointment.series:
            courses.setdefault(session.appointment.series, []).append(session)
    alone = [session for session in sessions if not session.appointment.series]
    upcoming = [session for session in alone if _is_upcoming(session.appointment, now=now)]
    past = [session for session in reversed(alone) if not _is_upcoming(session.appointment, now=now)]
    next_start = min((s.appointment.start for s in sessions if _is_upcoming(s.appointment, now=now)), default=None)
    enrolment = Enrolment.objects.filter(client=client).first()
    today = availability.business_today(now)
    return Overview(
        upcoming=upcoming,
        past=past,
        # Latest course first: the one under way, or the one just finished.
        courses=[
            Course(sessions=course, to_come=sum(_is_upcoming(s.appointment, now=now) for s in course))
            for course in sorted(courses.values(), key=lambda course: course[0].appointment.start, reverse=True)
        ],
        # Entry.is_waiting, as a query: days still to come.
        waitlist=list(Entry.objects.filter(email=client.email, status=Entry.Status.WAITING, day__gte=today)),
        intake=intake_state(client, now=now, next_start=next_start),
        checkins_url=enrolment.get_absolute_url() if enrolment else "",
        checkins_status=enrolment.get_status_display() if enrolment else "",
    )
