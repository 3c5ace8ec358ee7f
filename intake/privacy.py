"""A client's intake in their data export, and gone with their erase (appointments.privacy calls these)."""

from django.utils import timezone

from .forms import IntakeForm
from .intakes import record_intake_view
from .models import Intake

PERMISSION = "intake.read_health_intake"
NOT_INCLUDED = "Not included: exporting a health intake needs the permission to read health intakes."


def _plain(value):
    return timezone.localtime(value).isoformat() if hasattr(value, "tzinfo") and value else value


def export_intake(client, *, viewer, now):
    """The client's intake as JSON-ready data (None if they have none); the export is recorded as a view.

    Staff without the permission to read intakes get a note in its place, never the answers.
    """
    intake = Intake.objects.filter(client=client).select_related("consent_text").first()
    if intake is None:
        return None
    if not viewer.has_perm(PERMISSION):
        return NOT_INCLUDED
    record_intake_view(intake=intake, viewer=viewer, now=now, what="data export")
    return {
        "answers": {name: getattr(intake, name) for name in IntakeForm.ANSWERS},
        "about": "Migraine day counts are recalled for the 4 weeks before the intake was sent.",
        "submitted_at": _plain(intake.submitted_at),
        "flagged_for_julie": intake.flagged,
        "consent": {
            "version": intake.consent_text.version if intake.consent_text else None,
            "text": intake.consent_text.text if intake.consent_text else None,
            "name_typed": intake.consent_name,
            "at": _plain(intake.consented_at),
        },
        "seen_by": [
            {"who": view.viewer_name, "when": _plain(view.viewed_at), "where": view.what} for view in intake.views.all()
        ],
    }


def erase_intake(client):
    """Delete the client's intake, its record of views and its emails. Runs in the erase's transaction."""
    Intake.objects.filter(client=client).delete()
