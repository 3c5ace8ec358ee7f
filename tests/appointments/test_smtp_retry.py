"""A real SMTP server on loopback that refuses, then accepts: the email arrives after retries."""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from appointments import dispatch
from appointments.models import OutgoingEmail
from tests.conftest import free_port

from .conftest import business_time

pytestmark = pytest.mark.django_db


class FlakySmtpHandler:
    """Answers 451 (try again later) to the first `refusals` messages, then accepts."""

    def __init__(self, refusals):
        self.refusals = refusals
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusals > 0:
            self.refusals -= 1
            return "451 Requested action aborted: try again later"
        self.accepted.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    def start(refusals):
        handler = FlakySmtpHandler(refusals)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
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
    assert "ConnectionRefusedError" in confirmation.last_error
