"""A real SMTP server on loopback that refuses, then accepts: the email arrives after retries.

Permanent refusals (5xx) end as Failed at once with the reason in plain words; temporary
ones (4xx, no server) are tried again with backoff; every attempt is counted.
"""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from appointments import dispatch
from appointments.models import OutgoingEmail
from tests.conftest import free_port

from .conftest import business_time

pytestmark = pytest.mark.django_db


class FlakySmtpHandler:
    """Answers 451 (try again later) to the first `refusals` messages, then accepts.

    Addresses in `unknown` are refused at RCPT with 550, as a real server refuses a
    mailbox that does not exist (quoting the address, as they do).
    """

    def __init__(self, refusals, unknown=()):
        self.refusals = refusals
        self.unknown = set(unknown)
        self.accepted = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusals > 0:
            self.refusals -= 1
            return "451 Requested action aborted: try again later"
        self.accepted.append(envelope)
        return "250 OK"


def refuse_every_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server(settings):
    def start(refusals=0, unknown=(), login_refused=False):
        handler = FlakySmtpHandler(refusals, unknown)
        options = {"authenticator": refuse_every_login, "auth_require_tls": False} if login_refused else {}
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        if login_refused:
            settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "site", "wrong"
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = False
        started.append(controller)
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def test_email_refused_then_accepted_arrives_after_retries(smtp_server, book, now):
    handler = smtp_server(refusals=2)
    appointment = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    confirmation = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    appointment.emails.exclude(pk=confirmation.pk).update(status=OutgoingEmail.Status.SKIPPED)

    dispatch.send_due_emails(now=now)
    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.PENDING
    assert confirmation.attempts == 1
    assert "451" in confirmation.last_error
    assert confirmation.due_at == now + timedelta(minutes=1)

    dispatch.send_due_emails(now=now + timedelta(seconds=30))  # not due yet
    assert handler.accepted == []

    dispatch.send_due_emails(now=now + timedelta(minutes=1))
    dispatch.send_due_emails(now=now + timedelta(minutes=3))
    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.SENT
    assert confirmation.attempts == 3
    assert len(handler.accepted) == 1
    assert handler.accepted[0].rcpt_tos == ["ada@example.com"]


def test_email_that_keeps_failing_ends_as_failed_and_can_be_sent_again(smtp_server, book, now):
    handler = smtp_server(refusals=1000)
    appointment = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    confirmation = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    appointment.emails.exclude(pk=confirmation.pk).update(status=OutgoingEmail.Status.SKIPPED)

    moment = now
    for _ in range(dispatch.MAX_ATTEMPTS):
        dispatch.send_due_emails(now=moment)
        moment += timedelta(hours=2)
    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.FAILED
    assert confirmation.attempts == dispatch.MAX_ATTEMPTS
    assert confirmation.last_error == (
        f"{dispatch.SERVER_BUSY.format(code=451)} {dispatch.GAVE_UP.format(attempts=dispatch.MAX_ATTEMPTS)}"
    )

    handler.refusals = 0
    dispatch.send_again(OutgoingEmail.objects.filter(pk=confirmation.pk), now=moment)
    dispatch.send_due_emails(now=moment)
    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.SENT
    assert len(handler.accepted) == 1


def test_smtp_down_does_not_fail_a_booking(settings, book):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    appointment = book(business_time(2026, 12, 2, 10))
    dispatch.send_due_emails(now=business_time(2026, 12, 1, 8))
    confirmation = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    assert confirmation.status == OutgoingEmail.Status.PENDING
    assert confirmation.attempts == 1
    assert confirmation.last_error == f"{dispatch.CONNECTION_REFUSED} {dispatch.WILL_RETRY}"


def only_confirmation(appointment):
    confirmation = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    appointment.emails.exclude(pk=confirmation.pk).update(status=OutgoingEmail.Status.SKIPPED)
    return confirmation


def test_unknown_mailbox_fails_at_once_in_plain_words_without_the_address(smtp_server, book, now):
    handler = smtp_server(unknown={"nobody@example.com"})
    confirmation = only_confirmation(book(business_time(2026, 12, 2, 10), email="nobody@example.com"))

    dispatch.send_due_emails(now=now)

    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.FAILED
    assert confirmation.attempts == 1
    assert confirmation.last_error == dispatch.CLIENT_ADDRESS_REFUSED.format(code=550)
    assert "nobody@example.com" not in confirmation.last_error  # erasing the client leaves nothing here
    dispatch.send_due_emails(now=now + timedelta(hours=4))  # never tried again by itself
    confirmation.refresh_from_db()
    assert confirmation.attempts == 1
    assert handler.accepted == []


def test_julies_own_address_refused_says_so(smtp_server, settings, book, now):
    smtp_server(unknown={"julie@localhost"})
    settings.THERAPIST_EMAIL = "julie@localhost"
    appointment = book(business_time(2026, 12, 2, 10))
    notice = appointment.emails.get(kind=OutgoingEmail.Kind.THERAPIST_NEW)

    dispatch.send_due_emails(now=now)

    notice.refresh_from_db()
    assert notice.status == OutgoingEmail.Status.FAILED
    assert notice.last_error == dispatch.JULIE_ADDRESS_REFUSED.format(code=550)


def test_refused_login_is_the_sites_settings_and_is_retried(smtp_server, book, now):
    """535 is a 5xx, but about the site's own SMTP settings: failing every email at once
    would leave Julie sending each again by hand once they are fixed."""
    smtp_server(login_refused=True)
    confirmation = only_confirmation(book(business_time(2026, 12, 2, 10), email="ada@example.com"))

    dispatch.send_due_emails(now=now)

    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.PENDING
    assert confirmation.attempts == 1
    assert confirmation.last_error == f"{dispatch.LOGIN_REFUSED} {dispatch.WILL_RETRY}".format(code=535)
    assert confirmation.due_at == now + timedelta(minutes=1)


def test_email_of_a_worker_killed_mid_send_is_due_after_the_lease_with_both_attempts_counted(smtp_server, book, now):
    handler = smtp_server()
    confirmation = only_confirmation(book(business_time(2026, 12, 2, 10), email="ada@example.com"))
    claimed = dispatch.claim(now=now)  # committed; then the worker dies before its send commits
    assert claimed.pk == confirmation.pk

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert dispatch.send_due_emails(now=now + dispatch.LEASE - timedelta(seconds=1)) == 0  # still leased

    assert dispatch.send_due_emails(now=now + dispatch.LEASE) == 1  # the sweep after the lease
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (OutgoingEmail.Status.SENT, 2)
    assert len(handler.accepted) == 1


def test_send_of_a_claim_taken_over_by_another_worker_does_nothing(smtp_server, book, now):
    handler = smtp_server()
    only_confirmation(book(business_time(2026, 12, 2, 10), email="ada@example.com"))
    slow = dispatch.claim(now=now)
    later = now + dispatch.LEASE
    dispatch.send_due_emails(now=later)  # the lease ended: another worker claimed and sent it

    dispatch.send_claimed(slow, now=later)  # the first worker wakes up

    assert len(handler.accepted) == 1


def test_erasing_a_refused_client_leaves_no_address_in_email_errors(smtp_server, book, now):
    from appointments.privacy import erase_client

    smtp_server(unknown={"nobody@example.com"})
    appointment = book(business_time(2026, 12, 2, 10), email="nobody@example.com")
    dispatch.send_due_emails(now=now)

    erase_client(client=appointment.client, now=now)

    errors = " ".join(OutgoingEmail.objects.values_list("last_error", flat=True))
    assert "550" in errors  # the code stays, for whoever looks deeper
    assert "nobody" not in errors


def test_migration_drops_addresses_from_errors_stored_by_the_old_sender(book):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("appointments.migrations.0014_email_errors_without_addresses")
    confirmation = only_confirmation(book(business_time(2026, 12, 2, 10), email="nobody@example.com"))
    confirmation.last_error = (
        "SMTPRecipientsRefused: {'nobody@example.com': (550, b'5.1.1 <nobody@example.com>: User unknown')}"
    )
    confirmation.save()

    migration.drop_quoted_addresses(apps, None)

    confirmation.refresh_from_db()
    assert confirmation.last_error == "Not sent (SMTP 550); the details are no longer kept."
