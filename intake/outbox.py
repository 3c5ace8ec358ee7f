"""The emails an intake owes: the client asked to fill it in, Julie told of a flagged one.

Sent by appointments.dispatch's protocol (read its docstring) on intake's own rows:
claim a due row and commit, send, then mark it sent under a lock that re-checks the claim.
A row is recorded in the caller's transaction and sent after commit, or by the every-minute
sweep (intake.tasks) if no worker could be asked.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from appointments import dispatch
from appointments.models import BusinessDetails

from .models import IntakeEmail

Kind = IntakeEmail.Kind
Status = IntakeEmail.Status


def _record(intake, kind, *, now):
    email = IntakeEmail.objects.create(intake=intake, kind=kind, submission=intake.submissions, due_at=now)

    def queue():
        from .tasks import send_intake_email

        try:
            send_intake_email.delay(email.pk)
        except Exception:  # The broker is down: the sweep sends it within a minute.
            dispatch.logger.warning("Could not queue intake email %s; the sweep will send it.", email.pk)

    transaction.on_commit(queue)
    return email


def record_attention(intake, *, now):
    """Tell Julie, once per sending (a unique constraint), that an intake needs her attention."""
    return _record(intake, Kind.ATTENTION, now=now)


def record_request(intake, *, now):
    """Julie's one tap: ask the client to fill in (or review) their intake."""
    return _record(intake, Kind.REQUEST, now=now)


def build_message(email):
    """The email: to Julie without any health detail or name, to the client with their link."""
    intake = email.intake
    context = {
        "client": intake.client,
        "intake_url": intake.link(),
        "admin_url": settings.SITE_URL + reverse("admin:intake_intake_change", args=[intake.pk]),
        "business": BusinessDetails.load(),
    }
    prefix = f"emails/intake_{email.kind}"
    to_julie = email.kind == Kind.ATTENTION
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{prefix}-subject.txt", context).split()),
        body=render_to_string(f"{prefix}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.THERAPIST_EMAIL if to_julie else intake.client.email],
        reply_to=[] if to_julie else [context["business"].email],
    )
    message.attach_alternative(render_to_string(f"{prefix}-body.html", context), "text/html")
    return message


def _send(claimed, *, now):
    rows = IntakeEmail.objects.select_related("intake__client")
    dispatch.send_claimed_row(claimed, rows=rows, build=build_message, now=now)


def send_intake_email(email_id, *, now):
    claimed = dispatch.claim(now=now, email_id=email_id, model=IntakeEmail)
    if claimed is not None:
        _send(claimed, now=now)


def send_due_intake_emails(*, now, limit=100):
    """Send what is due; safe in several workers at once. Returns how many rows were handled."""
    handled = 0
    while handled < limit and (claimed := dispatch.claim(now=now, model=IntakeEmail)) is not None:
        _send(claimed, now=now)
        handled += 1
    return handled
