"""Two clients racing over HTTP for courses that overlap: one gets its whole course, the other none."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from appointments.booking import COURSE_TAKEN
from appointments.models import Appointment

from .conftest import booking_data, business_time

NOW = business_time(2026, 12, 1, 8)
FIRST = business_time(2026, 12, 2, 10)


def race(index, start, barrier, results):
    data = booking_data(
        start, name=f"Racer {index}", email=f"racer{index}@example.com", repeat="1", count="4", checked="1x4"
    )
    try:
        barrier.wait(timeout=30)
        results[index] = HttpClient().post(reverse("appointments:details"), data)
    finally:
        connection.close()  # Each thread has its own connection to the database.


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_courses_racing_one_is_booked_whole_and_the_other_not_at_all(postgres, seeded):
    # Four Wednesdays from Dec 2, and four from Dec 16: they share Dec 16 and Dec 23.
    starts = [FIRST, FIRST + timedelta(weeks=2)]
    results = {}
    barrier = threading.Barrier(2)
    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=race, args=(i, starts[i], barrier, results)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    winners = [i for i, response in results.items() if response.status_code == 302]
    assert len(winners) == 1
    [loser] = {0, 1} - set(winners)
    assert Appointment.objects.count() == 4
    assert {a.client.email for a in Appointment.objects.select_related("client")} == {f"racer{winners[0]}@example.com"}
    page = results[loser].content.decode()
    assert results[loser].status_code == 200 and f'value="Racer {loser}"' in page
    assert COURSE_TAKEN in page.replace("&#x27;", "'") or "is not free" in page
