"""Writes and reads of intakes: the one place each rule lives (views, admin, emails and tests call these)."""

from django.db import transaction

from . import outbox, screen
from .models import ConsentText, EncryptionCheck, Intake, IntakeView


def intake_of(client):
    """The client's intake, made (empty, with its secret link) the first time it is needed."""
    intake, _ = Intake.objects.get_or_create(client=client)
    return intake


def state_at_session(appointment):
    """Intake.State for a session: missing, done, or needs Julie's attention (selector).

    Reads appointment.client.intake, which callers listing many sessions select_related.
    """
    intake = getattr(appointment.client, "intake", None)
    return intake.state(at=appointment.start) if intake else Intake.State.MISSING


def link_for_session(appointment):
    """(link path, missing?) for a session's emails and confirmation page.

    The link is always given, so a client whose health changed can say so; `missing` says
    whether to ask for it (no intake yet, or reopened, or over a year old at the session).
    """
    intake = intake_of(appointment.client)
    return intake.get_absolute_url(), not intake.is_current(at=appointment.start)


def save_answers(*, intake, answers):
    """Keep what the client typed so far (a half-finished intake). Does not send it."""
    # The known value checks.py reads at start-up, stored with the first answers.
    EncryptionCheck.objects.get_or_create(pk=1, defaults={"value": EncryptionCheck.KNOWN})
    for name, value in answers.items():
        setattr(intake, name, value)
    intake.save()


def send_intake(*, intake, answers, consent_text, consent_name, now):
    """The client sends their intake: answers, consent (version, typed name, time), the flag.

    Sending again (a double click, the back button) updates the same intake; Julie hears of
    a flagged intake once each time it becomes current (after a first sending, a review or a
    reopening), never twice for the same one.
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        already_flagged = intake.is_current(at=now) and intake.flagged
        save_answers(intake=intake, answers=answers)
        intake.consent_text = consent_text
        intake.consent_name = consent_name
        intake.consented_at = now
        intake.submitted_at = now
        intake.review_requested = False
        intake.flagged = bool(screen.flags(intake))
        intake.submissions += 1
        intake.save()
        if intake.flagged and not already_flagged:
            outbox.record_attention(intake, now=now)
    return intake


def reopen(*, intake):
    """The client says something changed: the intake is asked for again, old answers filled in."""
    Intake.objects.filter(pk=intake.pk).update(review_requested=True)


def record_intake_view(*, intake, viewer, now, what="intake page"):
    """Someone on Julie's side saw the answers: call it wherever they are shown or exported."""
    IntakeView.objects.create(intake=intake, viewer=viewer, viewer_name=viewer.get_username(), viewed_at=now, what=what)


def publish_consent_text(*, text, now):
    """A new version of Julie's consent text; earlier versions stay as they were accepted."""
    with transaction.atomic():
        latest = ConsentText.objects.select_for_update().order_by("-version").first()
        return ConsentText.objects.create(version=(latest.version if latest else 0) + 1, text=text, published_at=now)
