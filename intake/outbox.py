"""The emails an intake owes: the client asked to fill it in, Julie told of a flagged one.

The same protocol as appointments.dispatch (read its docstring), on intake's own rows:
claim a due row and commit, send, then mark it sent under a lock that re-checks the claim.
A row is recorded in the caller's transaction and sent after commit, or by the every-minute
sweep (intake.tasks) if no worker could be asked.
"""

from datetime import timedelta

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


def _claim(*, now, email_id=None):
    """Count the attempt and lease a due row, in a transaction of its own (dispatch.claim)."""
    with transaction.atomic():
        rows = IntakeEmail.objects.filter(status=Status.PENDING, due_at__lte=now).select_for_update(
            skip_locked=True, of=("self",)
        )
        if email_id is not None:
            rows = rows.filter(pk=email_id)
        email = rows.order_by("due_at", "pk").first()
        if email is None:
            return None
        email.attempts += 1
        email.due_at = now + dispatch.LEASE
        email.save(update_fields=["attempts", "due_at"])
    return email


def _send_claimed(claimed, *, now):
    with transaction.atomic():
        email = (
            IntakeEmail.objects.select_for_update(of=("self",))
            .select_related("intake__client")
            .filter(pk=claimed.pk, status=Status.PENDING, attempts=claimed.attempts)
            .first()
        )
        if email is None:
            return  # Another worker claimed it after our lease ended.
        try:
            build_message(email).send()
        except Exception as exc:
            reason, permanent = dispatch.failure_reason(exc, email=email)
            if permanent or email.attempts >= dispatch.MAX_ATTEMPTS:
                email.status = Status.FAILED
            else:
                email.due_at = now + timedelta(minutes=dispatch.RETRY_DELAYS_MINUTES[email.attempts - 1])
            email.last_error = reason
            email.save(update_fields=["status", "due_at", "last_error"])
            dispatch.logger.warning("Intake email %s not sent (attempt %s).", email.pk, email.attempts)
            return
        email.status, email.sent_at, email.last_error = Status.SENT, now, ""
        email.save(update_fields=["status", "sent_at", "last_error"])


def send_intake_email(email_id, *, now):
    claimed = _claim(now=now, email_id=email_id)
    if claimed is not None:
        _send_claimed(claimed, now=now)


def send_due_intake_emails(*, now, limit=100):
    """Send what is due; safe in several workers at once. Returns how many rows were handled."""
    handled = 0
    while handled < limit and (claimed := _claim(now=now)) is not None:
        _send_claimed(claimed, now=now)
        handled += 1
    return handled
