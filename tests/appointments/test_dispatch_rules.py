"""dispatch.py's rules a mutation run can change without the worker tests noticing."""

import smtplib
import socket
import ssl
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import dispatch
from appointments.models import OutgoingEmail
from tests.conftest import free_port

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
Status = OutgoingEmail.Status


@pytest.fixture
def booked(book):
    return book(business_time(2026, 12, 2, 10), email="ada@example.com")


def email_of(appointment, kind):
    return appointment.emails.get(kind=kind)


def test_send_email_sends_a_due_email_once(booked, now):
    confirmation = email_of(booked, Kind.CONFIRMATION)
    dispatch.send_email(confirmation.pk, now=now)
    dispatch.send_email(confirmation.pk, now=now)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts, confirmation.sent_at) == (Status.SENT, 1, now)
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_send_email_leaves_an_email_that_is_not_due_yet(booked, now):
    reminder = email_of(booked, Kind.REMINDER)
    dispatch.send_email(reminder.pk, now=now)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Status.PENDING, 0)
    assert mail.outbox == []


def test_send_email_sends_only_the_email_asked_for(booked, now):
    dispatch.send_email(email_of(booked, Kind.CONFIRMATION).pk, now=now)
    assert email_of(booked, Kind.THERAPIST_NEW).status == Status.PENDING


def test_a_claim_counts_the_attempt_and_leases_the_email_before_any_sending(booked, now):
    claimed = dispatch.claim(now=now)
    claimed.refresh_from_db()
    assert claimed.attempts == 1
    assert claimed.due_at == now + dispatch.LEASE
    assert claimed.status == Status.PENDING
    assert mail.outbox == []


def test_send_again_puts_back_only_failed_emails(booked, now):
    confirmation, julies = email_of(booked, Kind.CONFIRMATION), email_of(booked, Kind.THERAPIST_NEW)
    dispatch.send_due_emails(now=now)
    OutgoingEmail.objects.filter(pk=julies.pk).update(status=Status.FAILED, attempts=3)
    later = now + timedelta(hours=1)
    assert dispatch.send_again(booked.emails.all(), now=later).queued == [julies]
    confirmation.refresh_from_db()
    julies.refresh_from_db()
    assert confirmation.status == Status.SENT
    assert (julies.status, julies.due_at, julies.attempts) == (Status.PENDING, later, 0)


# --- which refusals are final: failure_reason --------------------------------------------


@pytest.fixture
def confirmation(booked):
    return email_of(booked, Kind.CONFIRMATION)


def refused(code):
    return smtplib.SMTPRecipientsRefused({"ada@example.com": (code, b"5.1.1 <ada@example.com> unknown")})


@pytest.mark.parametrize("code", [500, 550, 599])
def test_every_5xx_refusal_of_the_address_is_final(confirmation, code):
    reason, final = dispatch.failure_reason(refused(code), email=confirmation)
    assert final
    assert reason == dispatch.CLIENT_ADDRESS_REFUSED.format(code=code)


@pytest.mark.parametrize("code", [421, 450, 499, 600])  # 600: no 5xx, whatever a server meant by it
def test_a_refusal_of_the_address_other_than_5xx_is_tried_again(confirmation, code):
    reason, final = dispatch.failure_reason(refused(code), email=confirmation)
    assert not final
    assert reason == dispatch.SERVER_BUSY.format(code=code)


def test_a_refusal_is_final_only_when_every_address_was_refused_for_good(confirmation):
    mixed = smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no"), "b@example.com": (451, b"later")})
    assert dispatch.failure_reason(mixed, email=confirmation) == (dispatch.SERVER_BUSY.format(code=550), False)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (smtplib.SMTPSenderRefused(553, b"no", "bookings@localhost"), (dispatch.SENDER_REFUSED.format(code=553), True)),
        (smtplib.SMTPDataError(552, b"spam"), (dispatch.MESSAGE_REFUSED.format(code=552), True)),
        (smtplib.SMTPDataError(500, b"syntax"), (dispatch.MESSAGE_REFUSED.format(code=500), True)),
        (smtplib.SMTPDataError(451, b"later"), (dispatch.SERVER_BUSY.format(code=451), False)),
        (smtplib.SMTPDataError(600, b"?"), (dispatch.SERVER_BUSY.format(code=600), False)),
        (smtplib.SMTPRecipientsRefused({}), (dispatch.SERVER_BUSY.format(code=0), False)),
        (smtplib.SMTPResponseException(530, b"auth first"), (dispatch.LOGIN_REFUSED.format(code=530), False)),
        (smtplib.SMTPAuthenticationError(535, b"bad"), (dispatch.LOGIN_REFUSED.format(code=535), False)),
        (ConnectionRefusedError(111, "refused"), (dispatch.CONNECTION_REFUSED, False)),
        (ValueError("bad header"), (dispatch.NOT_SENT, False)),
    ],
    ids=[
        "sender-5xx",
        "message-5xx",
        "message-500",
        "message-4xx",
        "message-600",
        "no-recipient-named",
        "login-530",
        "login-535",
        "no-server",
        "other",
    ],
)
def test_what_each_failure_means(confirmation, exc, expected):
    assert dispatch.failure_reason(exc, email=confirmation) == expected


def test_a_failure_is_logged_with_the_emails_number(booked, now, caplog, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens: temporary
    confirmation = email_of(booked, Kind.CONFIRMATION)
    dispatch.send_email(confirmation.pk, now=now)
    confirmation.refresh_from_db()
    assert confirmation.status == Status.PENDING
    assert confirmation.due_at == now + timedelta(minutes=dispatch.RETRY_DELAYS_MINUTES[0])
    assert f"Email {confirmation.pk} not sent (attempt 1), retrying: " in caplog.text
    assert f"{dispatch.CONNECTION_REFUSED} [ConnectionRefusedError 111]" in caplog.text


# --- plain words for Julie: problem_in_plain_words ----------------------------------------


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), dispatch.CONNECTION_REFUSED),
        (socket.gaierror(-2, "Name or service not known"), dispatch.SERVER_NOT_FOUND),
        (TimeoutError("timed out"), dispatch.SERVER_TIMED_OUT),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), dispatch.SECURE_CONNECTION_FAILED),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), dispatch.SERVER_HUNG_UP),
        (ConnectionResetError(104, "Connection reset by peer"), dispatch.SERVER_HUNG_UP),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), dispatch.SERVER_UNEXPECTED),
        (OSError(101, "Network is unreachable"), dispatch.SERVER_UNREACHABLE),
        (KeyError("client"), dispatch.NOT_SENT),
    ],
)
def test_common_failures_are_told_in_plain_words_without_the_exception(exc, words):
    told = dispatch.problem_in_plain_words(exc)
    assert told == words
    assert type(exc).__name__ not in told and "Errno" not in told and str(exc) not in told


def test_julie_reads_what_happened_and_what_to_do_when_the_server_is_down(booked, now, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    confirmation = email_of(booked, Kind.CONFIRMATION)
    dispatch.send_email(confirmation.pk, now=now)
    confirmation.refresh_from_db()
    assert confirmation.last_error == (
        "The mail server refused the connection. If this keeps happening, the site's email settings need checking. "
        "It will be tried again by itself."
    )


# --- "Send again" on several emails ---------------------------------------------------------


def fail(email, *, due_at):
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, due_at=due_at)
    email.refresh_from_db()
    return email


def test_send_again_takes_the_emails_in_the_order_they_were_due(book, now):
    # Booked first, but its email was due last: the list Julie reads goes by when each was due.
    earlier_booking = email_of(book(business_time(2026, 12, 2, 10)), Kind.THERAPIST_NEW)
    later_booking = email_of(book(business_time(2026, 12, 3, 14)), Kind.THERAPIST_NEW)
    fail(earlier_booking, due_at=now + timedelta(minutes=5))
    fail(later_booking, due_at=now)
    queued = dispatch.send_again(OutgoingEmail.objects.all(), now=now).queued
    assert queued == [later_booking, earlier_booking]


def test_send_again_reads_the_emails_with_their_sessions_and_clients_in_one_query(book, now):
    """However many emails Julie sends again, they are read with their sessions and clients in one
    query: the refusals she is then shown name each session without one more query per email."""
    sessions = [book(business_time(2026, 12, day, 10)) for day in (2, 3, 4)]
    for session in sessions:
        session.status = session.Status.CANCELLED
        session.save(update_fields=["status"])
        fail(email_of(session, Kind.CONFIRMATION), due_at=now)
    with CaptureQueriesContext(connection) as queries:
        done = dispatch.send_again(OutgoingEmail.objects.filter(kind=Kind.CONFIRMATION), now=now)
        shown = [str(email.appointment) for email, _ in done.refused]
    assert len(shown) == len(sessions)
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    assert len(reads) == 1


# --- the sweep: which email first, how many at a time -----------------------------------------


def test_the_email_due_first_is_claimed_first(book, now):
    # Booked first, but due later than the other booking's email.
    later = email_of(book(business_time(2026, 12, 2, 10)), Kind.CONFIRMATION)
    first = email_of(book(business_time(2026, 12, 3, 14)), Kind.CONFIRMATION)
    OutgoingEmail.objects.exclude(pk__in=[later.pk, first.pk]).update(status=Status.SKIPPED)
    OutgoingEmail.objects.filter(pk=later.pk).update(due_at=now - timedelta(minutes=1))
    OutgoingEmail.objects.filter(pk=first.pk).update(due_at=now - timedelta(minutes=2))
    assert dispatch.claim(now=now) == first
    assert dispatch.claim(now=now) == later
    assert dispatch.claim(now=now) is None


def test_the_sweep_sends_at_most_its_limit_and_says_how_many_it_handled(booked, now):
    due = booked.emails.filter(due_at__lte=now)
    assert due.count() == 2  # Ada's confirmation and Julie's notice
    assert dispatch.send_due_emails(now=now, limit=1) == 1
    assert len(mail.outbox) == 1
    assert dispatch.send_due_emails(now=now) == 1
    assert dispatch.send_due_emails(now=now) == 0
    assert len(mail.outbox) == 2


# --- what the log says, for whoever looks after the site --------------------------------------


def test_a_final_refusal_is_logged_as_an_error_with_its_smtp_code(confirmation, now, caplog):
    claimed = dispatch.claim(now=now, email_id=confirmation.pk)
    dispatch.record_failure(claimed, smtplib.SMTPDataError(552, b"spam"), now=now)
    (record,) = caplog.records
    assert record.levelname == "ERROR"
    assert record.getMessage() == (
        f"Email {confirmation.pk} failed after 1 attempt(s): "
        f"{dispatch.MESSAGE_REFUSED.format(code=552)} [SMTPDataError 552]"
    )


def test_a_second_temporary_failure_is_logged_and_waits_longer(confirmation, now, caplog):
    dispatch.claim(now=now, email_id=confirmation.pk)
    OutgoingEmail.objects.filter(pk=confirmation.pk).update(due_at=now)
    claimed = dispatch.claim(now=now, email_id=confirmation.pk)
    dispatch.record_failure(claimed, smtplib.SMTPDataError(451, b"later"), now=now)
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        f"Email {confirmation.pk} not sent (attempt 2), retrying: "
        f"{dispatch.SERVER_BUSY.format(code=451)} [SMTPDataError 451]"
    )
    claimed.refresh_from_db()
    assert claimed.due_at == now + timedelta(minutes=dispatch.RETRY_DELAYS_MINUTES[1])


def test_a_fault_in_the_site_is_recorded_and_logged_by_its_kind(confirmation, now, caplog):
    # Not a mail server's answer: no SMTP code, no errno; the exception's text stays out of both.
    claimed = dispatch.claim(now=now, email_id=confirmation.pk)
    dispatch.record_failure(claimed, ValueError("bad header from ada@example.com"), now=now)
    claimed.refresh_from_db()
    assert claimed.last_error == f"{dispatch.NOT_SENT} {dispatch.WILL_RETRY}"
    (record,) = caplog.records
    assert record.getMessage().endswith(f"{dispatch.NOT_SENT} [ValueError]")
    assert "ada@example.com" not in caplog.text


def test_an_outbox_that_says_its_email_goes_to_julie_is_told_her_address_was_refused(confirmation, now):
    # Other apps' outboxes (check-in notices) say to_julie themselves: their rows have no kind.
    claimed = dispatch.claim(now=now, email_id=confirmation.pk)
    dispatch.record_failure(claimed, refused(550), now=now, to_julie=True)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.last_error) == (Status.FAILED, dispatch.JULIE_ADDRESS_REFUSED.format(code=550))


def test_an_email_sent_after_a_failed_attempt_keeps_no_error(confirmation, now):
    dispatch.record_failure(dispatch.claim(now=now, email_id=confirmation.pk), TimeoutError("timed out"), now=now)
    later = now + timedelta(minutes=dispatch.RETRY_DELAYS_MINUTES[0])
    dispatch.send_email(confirmation.pk, now=later)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.sent_at, confirmation.last_error) == (Status.SENT, later, "")
