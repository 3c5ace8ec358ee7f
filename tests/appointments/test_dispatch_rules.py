"""dispatch.py's rules a mutation run can change without the worker tests noticing."""

import smtplib
import socket
import ssl
from datetime import timedelta

import pytest
from django.core import mail

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


@pytest.mark.parametrize("code", [421, 450, 499])
def test_a_4xx_refusal_of_the_address_is_tried_again(confirmation, code):
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
        (smtplib.SMTPResponseException(530, b"auth first"), (dispatch.LOGIN_REFUSED.format(code=530), False)),
        (smtplib.SMTPAuthenticationError(535, b"bad"), (dispatch.LOGIN_REFUSED.format(code=535), False)),
        (ConnectionRefusedError(111, "refused"), (dispatch.CONNECTION_REFUSED, False)),
        (ValueError("bad header"), (dispatch.NOT_SENT, False)),
    ],
    ids=["sender-5xx", "message-5xx", "message-500", "message-4xx", "login-530", "login-535", "no-server", "other"],
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
