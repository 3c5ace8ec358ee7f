"""Sending the emails bookings owe: never lost, never sent twice except by a crash mid-send.

The protocol, for one OutgoingEmail row:

1. Claim it, in a short transaction of its own: a pending, due row is locked
   (select_for_update(skip_locked=True): a row another worker holds is skipped),
   its attempt is counted and its due time pushed forward by LEASE, and that is
   committed. The attempt is recorded before the SMTP conversation starts.
2. Send it in a second transaction that locks the row again and re-checks it is
   still the one claimed (same attempts count, still pending), then marks it sent
   or failed, or due again later.

A worker killed mid-send leaves the row pending with its attempt counted and due
again when the lease ends; the every-minute sweep then sends it (within two
minutes). Two workers never send one row: a claimed row is not due until its lease
ends, and while it is being sent its lock keeps other claims off it. The guarantee:
a killed worker repeats only the emails its processes were handing to the SMTP server
at that instant, and each such email shows two attempts. The stable Message-ID
(emails.message_id) lets mail clients fold such a repeat.
On SQLite, IMMEDIATE transactions serialise writers, which gives the same.
"""

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from . import emails
from .models import BookingRules, OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status
# Minutes to wait after the 1st, 2nd, ... temporary failure: capped exponential backoff.
RETRY_DELAYS_MINUTES = [1, 2, 4, 8, 16, 32, 60, 60]
MAX_ATTEMPTS = len(RETRY_DELAYS_MINUTES) + 1
# How long a claimed row stays not due: what a killed worker's emails wait before the
# every-minute sweep sends them. A send that takes longer is still never repeated: its
# row is locked until it commits, and claims skip locked rows.
LEASE = timedelta(minutes=1)

# Why an email was not sent, in Julie's words (OutgoingEmail.last_error). The SMTP code
# is kept for whoever looks deeper; the server's own text is not, as it usually quotes
# the recipient's address and erasing a client must leave no personal data behind.
CLIENT_ADDRESS_REFUSED = (
    "The client's mail server says this address does not exist or takes no mail (SMTP {code}). "
    "Check the address on the client, then use Send again."
)
JULIE_ADDRESS_REFUSED = (
    "Your own mail server refused your address (SMTP {code}). "
    "Check the site's THERAPIST_EMAIL setting, then use Send again."
)
SENDER_REFUSED = (
    "The mail server refused the site's sender address (SMTP {code}). "
    "The site's DEFAULT_FROM_EMAIL setting needs checking; then use Send again."
)
MESSAGE_REFUSED = (
    "The mail server refused this email (SMTP {code}), for example as spam. "
    "Use Send again later; if it is refused again, reach the client another way."
)
LOGIN_REFUSED = "The mail server refused the site's login (SMTP {code}): the site's EMAIL_URL setting needs checking."
SERVER_BUSY = "The mail server could not take the email just now (SMTP {code})."
# When no mail server answered at all: what happened and what to do, never the exception's text.
CHECK_SETTINGS = "If this keeps happening, the site's email settings need checking."
CONNECTION_REFUSED = f"The mail server refused the connection. {CHECK_SETTINGS}"
SERVER_NOT_FOUND = f"The mail server's name could not be found. {CHECK_SETTINGS}"
SERVER_TIMED_OUT = "The mail server did not answer in time."
SECURE_CONNECTION_FAILED = f"A secure connection to the mail server could not be made. {CHECK_SETTINGS}"
SERVER_HUNG_UP = "The mail server ended the connection before the email was sent."
SERVER_UNREACHABLE = f"The mail server could not be reached. {CHECK_SETTINGS}"
SERVER_UNEXPECTED = f"The mail server gave an answer the site did not understand. {CHECK_SETTINGS}"
NOT_SENT = "The site could not make this email: a fault in the site, described in its log for whoever looks after it."
# Most specific first: each of these is an OSError.
PLAIN_WORDS = [
    (ConnectionRefusedError, CONNECTION_REFUSED),
    (socket.gaierror, SERVER_NOT_FOUND),
    (TimeoutError, SERVER_TIMED_OUT),
    (ssl.SSLError, SECURE_CONNECTION_FAILED),
    (smtplib.SMTPServerDisconnected, SERVER_HUNG_UP),
    (ConnectionError, SERVER_HUNG_UP),
    (smtplib.SMTPException, SERVER_UNEXPECTED),
    (OSError, SERVER_UNREACHABLE),
]
WILL_RETRY = "It will be tried again by itself."
GAVE_UP = "Tried {attempts} times; use Send again once the cause is fixed."

# SMTP replies to AUTH (RFC 4954): about the site's own settings, not this email.
AUTH_CODES = {530, 534, 535, 538}


def failure_reason(exc, *, email=None, to_julie=None):
    """(reason in plain words, permanent?) for an exception raised while sending `email`.

    A 5xx refusal of the recipient, the sender or the message is permanent: sending it
    again unchanged gets the same answer. A refused login is not, although it is a 5xx:
    it is the site's settings, not this email, and once they are fixed every waiting
    email should go out by itself instead of Julie sending each one again.
    4xx replies, timeouts and network errors are temporary. Other apps' outboxes say
    `to_julie` themselves; for OutgoingEmail rows the kind says it.
    """
    if to_julie is None:
        to_julie = email.kind in emails.TO_JULIE
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()] or [0]
        code = codes[0]
        if all(500 <= c < 600 for c in codes):
            refused = JULIE_ADDRESS_REFUSED if to_julie else CLIENT_ADDRESS_REFUSED
            return refused.format(code=code), True
        return SERVER_BUSY.format(code=code), False
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        if code in AUTH_CODES or isinstance(exc, smtplib.SMTPAuthenticationError):
            return LOGIN_REFUSED.format(code=code), False
        if 500 <= code < 600:
            if isinstance(exc, smtplib.SMTPSenderRefused):
                return SENDER_REFUSED.format(code=code), True
            return MESSAGE_REFUSED.format(code=code), True
        return SERVER_BUSY.format(code=code), False
    return problem_in_plain_words(exc), False


def problem_in_plain_words(exc):
    """What went wrong, in words for Julie, for an exception that is no SMTP reply.

    Never the exception's own text ("[Errno 111] Connection refused"): that goes to the log.
    """
    for kind, words in PLAIN_WORDS:
        if isinstance(exc, kind):
            return words
    return NOT_SENT


def claim(*, now, email_id=None, model=OutgoingEmail):
    """Claim the next due pending row (or this one): count the attempt, lease it, commit.

    Returns the claimed row, or None when nothing is due. Runs its own transaction,
    which commits before the caller talks to any SMTP server. model: another app's
    table of owed emails (intake's, the waitlist's) with the same status, due_at and
    attempts fields, sent by this same protocol.
    """
    with transaction.atomic():
        # Pending, due rows, locked as they are read; rows another worker holds are skipped.
        rows = model.objects.filter(status=Status.PENDING, due_at__lte=now).select_for_update(
            skip_locked=True, of=("self",)
        )
        if email_id is not None:
            rows = rows.filter(pk=email_id)
        email = rows.order_by("due_at", "pk").first()
        if email is None:
            return None
        email.attempts += 1
        email.due_at = now + LEASE
        email.save(update_fields=["attempts", "due_at"])
    return email


def send_claimed(claimed, *, now, rules=None):
    """Send a row claimed by claim() and record the outcome; a no-op if it changed since."""
    send_claimed_row(
        claimed,
        rows=OutgoingEmail.objects.select_related("appointment__client", "appointment__service"),
        build=lambda email: emails.build_message(email, rules=rules, now=now),
        still_wanted=lambda email: emails.is_still_wanted(email, now=now),
        now=now,
    )


def send_claimed_row(claimed, *, rows, build, now, still_wanted=lambda email: True):
    """send_claimed for any table of owed emails: rows is its queryset, build(email) makes the
    message, still_wanted(email) says whether it still makes sense (or it is marked skipped).

    Holds the row's lock from the re-check to the commit, so no other worker claims it
    while its SMTP conversation is under way, however long that takes.
    """
    with transaction.atomic():
        email = (
            rows.select_for_update(of=("self",))
            .filter(pk=claimed.pk, status=Status.PENDING, attempts=claimed.attempts)
            .first()
        )
        if email is None:
            return  # Julie changed it, or our lease ended and another worker claimed it.
        if not still_wanted(email):
            email.status = Status.SKIPPED
            email.save(update_fields=["status"])
            return
        try:
            build(email).send()
        except Exception as exc:
            record_failure(email, exc, now=now)
            return
        email.status = Status.SENT
        email.sent_at = now
        email.last_error = ""
        email.save(update_fields=["status", "sent_at", "last_error"])


def _technical(exc):
    """The exception's kind and code for the log; not its text, which may quote an address."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def record_failure(email, exc, *, now, to_julie=None):
    """A send failed: due again after a backoff, or failed for good (with Julie's words why)."""
    reason, permanent = failure_reason(exc, email=email, to_julie=to_julie)
    reason_logged = f"{reason} [{_technical(exc)}]"
    if permanent or email.attempts >= MAX_ATTEMPTS:
        email.status = Status.FAILED
        email.last_error = reason if permanent else f"{reason} {GAVE_UP.format(attempts=email.attempts)}"
        logger.error("Email %s failed after %s attempt(s): %s", email.pk, email.attempts, reason_logged)
    else:
        email.due_at = now + timedelta(minutes=RETRY_DELAYS_MINUTES[email.attempts - 1])
        email.last_error = f"{reason} {WILL_RETRY}"
        logger.warning("Email %s not sent (attempt %s), retrying: %s", email.pk, email.attempts, reason_logged)
    email.save(update_fields=["status", "last_error", "due_at"])


def send_email(email_id, *, now):
    """Send one owed email now if it is still pending and due; a no-op otherwise."""
    claimed = claim(now=now, email_id=email_id)
    if claimed is not None:
        send_claimed(claimed, now=now)


def send_due_emails(*, now, limit=500):
    """Send what is due, one row at a time; returns how many rows were handled.

    Safe to run in several workers at once: each claims rows the others have not.
    """
    rules = BookingRules.load()
    handled = 0
    while handled < limit:
        claimed = claim(now=now)
        if claimed is None:
            break
        send_claimed(claimed, now=now, rules=rules)
        handled += 1
    return handled


@dataclass(frozen=True)
class SentAgain:
    """What "Send again" did: the emails queued again, and (email, reason) for those refused."""

    queued: list
    refused: list


def send_again(queryset, *, now):
    """Julie's "Send again" for failed emails: back to pending, due now, attempts reset.

    An email that no longer makes sense (emails.why_not_wanted, the sender's own rule) is
    refused with its reason and marked not needed, so it stops showing as failed.
    """
    queued, refused = [], []
    with transaction.atomic():
        failed = (
            queryset.filter(status=Status.FAILED)
            .select_for_update(of=("self",))
            .select_related("appointment__client")
            .order_by("due_at", "pk")
        )
        for email in failed:
            reason = emails.why_not_wanted(email, now=now)
            if reason:
                email.status = Status.SKIPPED
                email.save(update_fields=["status"])
                refused.append((email, reason))
            else:
                email.status, email.due_at, email.attempts = Status.PENDING, now, 0
                email.save(update_fields=["status", "due_at", "attempts"])
                queued.append(email)
    return SentAgain(queued=queued, refused=refused)
