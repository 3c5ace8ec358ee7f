"""A worker sending an email holds its row; no booking change waits for that SMTP conversation."""

import threading
import time

import pytest
from django.db import connection, transaction

from appointments.booking import ClientDetails, book_appointment, cancel_appointment, reschedule_appointment
from appointments.models import OutgoingEmail

from .conftest import business_time

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
HELD_FOR = 5  # seconds the "worker" holds the reminder's row, as a slow SMTP server would


def hold_row_lock(email_id, locked, release):
    """What dispatch.send_claimed does while the SMTP server takes its time: hold the row's lock."""
    try:
        with transaction.atomic():
            OutgoingEmail.objects.select_for_update().get(pk=email_id)
            locked.set()
            release.wait(timeout=HELD_FOR)
    finally:
        connection.close()


@pytest.fixture
def booked(seeded):
    from services.models import Service

    details = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    service = Service.objects.get(slug="craniosacral-therapy")
    return book_appointment(start=WEDNESDAY_10, client_details=details, service=service, now=NOW)


@pytest.mark.parametrize("change", ["cancel", "move"])
def test_a_change_does_not_wait_for_an_email_being_sent(booked, change):
    reminder = booked.emails.get(kind=OutgoingEmail.Kind.REMINDER)
    locked, release = threading.Event(), threading.Event()
    worker = threading.Thread(target=hold_row_lock, args=(reminder.pk, locked, release))
    worker.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        if change == "cancel":
            cancel_appointment(appointment=booked, now=NOW)
        else:
            reschedule_appointment(appointment=booked, new_start=business_time(2026, 12, 3, 14), now=NOW)
        took = time.monotonic() - started
    finally:
        release.set()
        worker.join()
    assert took < HELD_FOR / 2, f"the {change} waited {took:.1f} s for the email being sent"
    reminder.refresh_from_db()
    assert reminder.status == OutgoingEmail.Status.PENDING  # left to its worker, which re-checks it
