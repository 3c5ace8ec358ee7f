"""A client's check-ins in their data export, and gone with their erase (appointments.privacy calls these)."""

from django.utils import timezone

from intake.privacy import PERMISSION

from .answers import record_view
from .models import CheckinView, Enrolment, SessionFeedback, WeeklyCheckin

NOT_INCLUDED = "Not included: exporting check-in answers needs the permission to read health intakes."


def _plain(value):
    return timezone.localtime(value).isoformat() if value else None


def export_checkins(client, *, viewer, now):
    """The client's check-ins as JSON-ready data (None if they have none); the export is recorded as a view."""
    enrolment = Enrolment.objects.filter(client=client).first()
    weeks = list(WeeklyCheckin.objects.filter(client=client).order_by("week"))
    feedback = list(SessionFeedback.objects.filter(appointment__client=client).select_related("appointment"))
    if enrolment is None and not weeks and not feedback:
        return None
    if not viewer.has_perm(PERMISSION):
        return NOT_INCLUDED
    record_view(client=client, viewer=viewer, now=now, what="data export")
    return {
        "status": enrolment.get_status_display() if enrolment else None,
        "about": "Self-reported; each week's answers are about the 7 days from week_starting.",
        "weeks": [
            {
                "week_starting": week.week.isoformat(),
                "email": week.status,
                "answered_at": _plain(week.answered_at),
                **({n: getattr(week, n) for n in ["headache_days", "migraine_days", "medicine_days", "worst_pain"]}),
            }
            for week in weeks
        ],
        "after_sessions": [
            {
                "session": _plain(each.appointment.start),
                "feeling": each.get_feeling_display() if each.feeling else None,
                "after_effect": each.get_after_effect_display() if each.after_effect else None,
                "answered_at": _plain(each.answered_at),
            }
            for each in feedback
        ],
        "seen_by": [
            {"who": view.viewer_name, "when": _plain(view.viewed_at), "where": view.what}
            for view in CheckinView.objects.filter(client=client)
        ],
    }


def erase_checkins(client):
    """Delete every answer, the link, the owed emails and the record of views. Runs in the erase's transaction."""
    WeeklyCheckin.objects.filter(client=client).delete()
    SessionFeedback.objects.filter(appointment__client=client).delete()
    CheckinView.objects.filter(client=client).delete()
    Enrolment.objects.filter(client=client).delete()
