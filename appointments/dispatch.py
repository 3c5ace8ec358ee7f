"""Sending the emails bookings owe, each at most once in practice and never lost.

The guarantee: an OutgoingEmail row is sent inside a transaction that holds its
row lock (select_for_update(skip_locked=True)), and marked sent in the same
transaction. Two workers never hold one row, so they never both send it. A
worker that dies mid-send rolls back and the row stays pending, to be sent by
the next sweep: at-least-once, with a duplicate possible only if a worker dies
between the SMTP server accepting a message and the commit. The stable
Message-ID (emails.message_id) lets mail clients fold such a repeat.
On SQLite, IMMEDIATE transactions serialise writers, which gives the same.
"""

import logging
from datetime import timedelta

from django.db import transaction

from . import emails
from .models import BookingRules, OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status
# Minutes to wait after the 1st, 2nd, ... failure: capped exponential backoff.
RETRY_DELAYS_MINUTES = [1, 2, 4, 8, 16, 32, 60, 60]
MAX_ATTEMPTS = len(RETRY_DELAYS_MINUTES) + 1


def _claimable(now):
    """Pending, due rows, locked as they are read; rows another worker holds are skipped."""
    return (
        OutgoingEmail.objects.filter(status=Status.PENDING, due_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("appointment__client", "appointment__service")
    )


def send_claimed(email, *, now, rules=None):
    """Send one locked, pending row and record the outcome. Must run in its transaction."""
    if not emails.is_still_wanted(email, now=now):
        email.status = Status.SKIPPED
        email.save(update_fields=["status"])
        return
    email.attempts += 1
    try:
        emails.build_message(email, rules=rules).send()
    except Exception as exc:  # SMTP refusals, timeouts, DNS: all mean "try again later".
        # The full text is for Julie in admin (erasing the client blanks it); the log gets
        # the kind of error only: an SMTP refusal quotes the recipient's address.
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        error_kind = " ".join([type(exc).__name__, str(getattr(exc, "smtp_code", ""))]).strip()
        if email.attempts >= MAX_ATTEMPTS:
            email.status = Status.FAILED
            logger.error("Giving up on email %s after %s attempts: %s", email.pk, email.attempts, error_kind)
        else:
            email.due_at = now + timedelta(minutes=RETRY_DELAYS_MINUTES[email.attempts - 1])
            logger.warning("Email %s failed (attempt %s), retrying: %s", email.pk, email.attempts, error_kind)
        email.save(update_fields=["attempts", "last_error", "status", "due_at"])
        return
    email.status = Status.SENT
    email.sent_at = now
    email.last_error = ""
    email.save(update_fields=["attempts", "status", "sent_at", "last_error"])


def send_email(email_id, *, now):
    """Send one owed email now if it is still pending and due; a no-op otherwise."""
    with transaction.atomic():
        email = _claimable(now).filter(pk=email_id).first()
        if email is not None:
            send_claimed(email, now=now)


def send_due_emails(*, now, limit=500):
    """Send what is due, one row per transaction; returns how many rows were handled.

    Safe to run in several workers at once: each skips rows another one holds.
    """
    rules = BookingRules.load()
    handled = 0
    while handled < limit:
        with transaction.atomic():
            email = _claimable(now).order_by("due_at", "pk").first()
            if email is None:
                break
            send_claimed(email, now=now, rules=rules)
        handled += 1
    return handled


def send_again(queryset, *, now):
    """Julie's "send again" for failed emails: back to pending, due now, attempts reset."""
    return queryset.filter(status=Status.FAILED).update(status=Status.PENDING, due_at=now, attempts=0)
