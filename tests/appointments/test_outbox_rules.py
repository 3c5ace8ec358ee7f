"""Which emails each booking change owes, and when: pinned where a client would notice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from appointments.booking import ClientDetails, book_appointment, cancel_appointment
from appointments.models import BookingRules, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
SESSION = business_time(2026, 12, 2, 16)
ADA = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")


@pytest.mark.parametrize(
    ("booked_before", "reminded"),
    [(timedelta(hours=24), False), (timedelta(hours=24, minutes=1), True)],
    ids=["exactly-at-the-reminder-time", "a-minute-before-it"],
)
def test_a_booking_made_at_the_reminder_time_gets_its_confirmation_as_the_reminder(service, booked_before, reminded):
    BookingRules.objects.update(minimum_notice_hours=2)
    appointment = book_appointment(start=SESSION, client_details=ADA, service=service, now=SESSION - booked_before)
    reminders = list(appointment.emails.filter(kind=Kind.REMINDER).values_list("due_at", flat=True))
    assert reminders == ([SESSION - timedelta(hours=24)] if reminded else [])


@pytest.fixture
def worker_runs_queued_tasks_at_once():
    """Celery runs each task in-process when it is queued, as a worker would moments later."""
    from posture_booking.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_booking_sends_its_confirmation_and_julies_notice_at_once_not_at_the_next_sweep(
    service, now, worker_runs_queued_tasks_at_once, django_capture_on_commit_callbacks
):
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        appointment = book_appointment(start=SESSION, client_details=ADA, service=service, now=now)
    sent = dict(appointment.emails.values_list("kind", "status"))
    assert sent[Kind.CONFIRMATION] == OutgoingEmail.Status.SENT
    assert sent[Kind.THERAPIST_NEW] == OutgoingEmail.Status.SENT
    # Due later: left to the sweep.
    assert sent[Kind.REMINDER] == sent[Kind.AFTERCARE] == OutgoingEmail.Status.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "julie@localhost"]


def test_cancelling_one_session_leaves_the_emails_owed_for_another_clients_session(service, now):
    ada = book_appointment(start=SESSION, client_details=ADA, service=service, now=now)
    grace = ClientDetails(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0142")
    hers = book_appointment(start=SESSION + timedelta(days=1), client_details=grace, service=service, now=now)
    cancel_appointment(appointment=ada, now=now)
    owed = dict(hers.emails.values_list("kind", "status"))
    assert owed[Kind.REMINDER] == owed[Kind.AFTERCARE] == OutgoingEmail.Status.PENDING
