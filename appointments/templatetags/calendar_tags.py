from datetime import time, timedelta

from django import template
from django.utils import timezone

from appointments import emails
from appointments.availability import wall_clock_to_utc
from appointments.models import Appointment, OutgoingEmail

register = template.Library()

DAYS_AHEAD = 7
FAILED_EMAILS_SHOWN = 10


@register.inclusion_tag("admin/appointments/_upcoming.html", takes_context=True)
def upcoming_sessions(context):
    """Today's sessions and the next seven days, for the admin index (one query)."""
    today = timezone.localdate()
    sessions = (
        Appointment.objects.exclude(status=Appointment.Status.CANCELLED)
        .filter(
            start__gte=wall_clock_to_utc(today, time.min),
            start__lt=wall_clock_to_utc(today + timedelta(days=DAYS_AHEAD + 1), time.min),
        )
        .select_related("client", "client__intake")  # the intake for its badge
        .order_by("start")
    )
    by_day = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.start).date(), []).append(session)
    return {
        "today": today,
        "todays": by_day.pop(today, []),
        "coming": sorted(by_day.items()),
        "user": context["request"].user,
    }


@register.inclusion_tag("admin/appointments/_failed_emails.html")
def failed_emails():
    """The emails that could not be sent, newest first, with why: for Julie to act on."""
    failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
    return {
        "failed": failed.select_related("appointment__client").order_by("-due_at", "-pk")[:FAILED_EMAILS_SHOWN],
        "failed_count": failed.count(),
        "to_julie": emails.TO_JULIE,
    }
