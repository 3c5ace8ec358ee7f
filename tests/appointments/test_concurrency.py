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
