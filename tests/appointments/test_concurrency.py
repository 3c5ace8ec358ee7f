"""Many clients racing for one slot, over real HTTP requests and the real database."""

import threading
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from appointments.booking import SLOT_TAKEN
from appointments.forms import slot_value
from appointments.models import Appointment

from .conftest import business_time

RACERS = 20
NOW = business_time(2026, 12, 1, 8)
SLOT = business_time(2026, 12, 2, 10)


def race_for_the_slot(index, barrier, results):
    http = HttpClient()
    data = {
        "start": slot_value(SLOT),
        "name": f"Racer {index}",
        "email": f"racer{index}@example.com",
        "phone": "860-555-0100",
        "note": f"note from racer {index}",
        "accept_policy": "on",
        "website": "",
    }
    try:
        barrier.wait(timeout=30)
        results[index] = http.post(reverse("appointments:details"), data)
    finally:
        connection.close()  # Each thread has its own connection to the database.


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_racing_for_one_slot_get_exactly_one_booking(postgres, seeded):
    results = {}
    barrier = threading.Barrier(RACERS)
    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=race_for_the_slot, args=(i, barrier, results)) for i in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert Appointment.objects.count() == 1
    assert len(results) == RACERS
    winners = [i for i, response in results.items() if response.status_code == 302]
    assert len(winners) == 1
    assert Appointment.objects.get().client.email == f"racer{winners[0]}@example.com"
    for index, response in results.items():
        if index in winners:
            continue
        assert response.status_code == 200
        html = unescape(response.content.decode())
        assert SLOT_TAKEN in html
        assert f'value="Racer {index}"' in html  # what they typed is kept
        assert f"note from racer {index}" in html
        assert 'type="radio"' in html  # other times offered


@pytest.mark.django_db(transaction=True)
def test_julies_admin_form_holds_the_calendar_lock_until_her_save(postgres, seeded):
    """Between Julie's form check and her save no client can book: a clash always lands on her form."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import DatabaseError, transaction

    from appointments.admin import AppointmentAdminForm
    from appointments.models import BookingRules, Client
    from services.models import Service

    caller = Client.objects.create(name="Phone Caller", email="caller@example.com", phone="(860) 555-0111")
    form = AppointmentAdminForm(
        data={
            "client": caller.pk,
            "service": Service.objects.get(slug="craniosacral-therapy").pk,
            "start": "2026-12-02 10:00",
            "status": "booked",
        }
    )

    def can_a_client_book_now():
        try:
            with transaction.atomic():
                BookingRules.objects.select_for_update(nowait=True).get(pk=1)
            return True
        except DatabaseError:
            return False
        finally:
            connection.close()

    with transaction.atomic():  # as admin's change form view runs validation and save
        assert form.is_valid(), form.errors
        with ThreadPoolExecutor(1) as other_request:
            assert other_request.submit(can_a_client_book_now).result() is False
    with ThreadPoolExecutor(1) as other_request:
        assert other_request.submit(can_a_client_book_now).result() is True
