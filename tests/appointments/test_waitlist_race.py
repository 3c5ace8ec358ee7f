"""Many people on a waitlist accepting one freed time at once, over HTTP and the real database."""

import threading
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from appointments import booking
from appointments.booking import ClientDetails
from appointments.models import Appointment
from services.models import Service
from waitlist import offers
from waitlist.models import Entry, Offer, Part

from .conftest import business_time
from .test_waitlist import DAY, FULL_DAY

RACERS = 12
NOW = business_time(2026, 12, 1, 8)


def accept(token, barrier, results, index):
    http = HttpClient()
    try:
        barrier.wait(timeout=30)
        results[index] = http.post(reverse("waitlist:offer", args=[token]), {"accept_policy": "on"})
    finally:
        connection.close()  # Each thread has its own connection to the database.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_many_accepting_one_freed_time_exactly_one_books_it(seeded):
    service = Service.objects.get(slug="craniosacral-therapy")
    details = ClientDetails(name="Booked", email="booked@example.com", phone="+18605550100")
    sessions = [booking.book_appointment(start=s, client_details=details, service=service, now=NOW) for s in FULL_DAY]
    for index in range(RACERS):
        person = ClientDetails(name=f"Racer {index}", email=f"racer{index}@example.com", phone="+18605550100")
        offers.join(day=DAY, part=Part.ANY, client_details=person, now=NOW)
    booking.cancel_appointment(appointment=sessions[1], now=NOW, by_client=False)
    tokens = [offer.token for offer in Offer.objects.order_by("pk")]
    assert len(tokens) == RACERS

    results = {}
    barrier = threading.Barrier(RACERS)
    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=accept, args=(t, barrier, results, i)) for i, t in enumerate(tokens)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert len(results) == RACERS
    winners = [i for i, response in results.items() if response.status_code == 302]
    assert len(winners) == 1
    booked = Appointment.objects.get(start=FULL_DAY[1], status=Appointment.Status.BOOKED)
    assert booked.client.email == f"racer{winners[0]}@example.com"
    assert Offer.objects.filter(status=Offer.Status.ACCEPTED).count() == 1
    assert Entry.objects.filter(status=Entry.Status.BOOKED).count() == 1
    for index, response in results.items():
        if index not in winners:
            assert response.status_code == 200
            html = unescape(response.content.decode())
            assert offers.OFFER_TAKEN in html and "Free times you could book instead" in html
