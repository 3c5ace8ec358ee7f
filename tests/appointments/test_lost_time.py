"""Losing a time is calm: said once, in a neutral note (not the error summary), with everything
typed kept and the other free times offered as an ordinary choice in the same form."""

import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from appointments.booking import SLOT_TAKEN
from appointments.forms import CHOOSE_A_TIME, slot_value
from appointments.models import Appointment, BusinessDetails, TimeOff, WorkingHours

from .conftest import booking_data, business_time
from .test_views import radio_values, text_of

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
THURSDAY_10 = business_time(2026, 12, 3, 10)
THURSDAY_1PM = business_time(2026, 12, 3, 13)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lost_page(client, book):
    """Ada presses Confirm on Thursday 10:00 just after someone else booked it."""
    book(THURSDAY_10, email="first@example.com")
    return client.post(reverse("appointments:details"), booking_data(start=THURSDAY_10))


def test_a_lost_time_is_said_once_calmly_not_as_an_error(lost_page):
    html = lost_page.content.decode()
    assert lost_page.status_code == 200
    assert unescape(html).count(SLOT_TAKEN) == 1
    assert re.search(
        r'<div class="lost-time" role="status">\s*<p class="mb-1">' + re.escape(SLOT_TAKEN), unescape(html)
    )
    assert "Please check the form" not in html
    assert "alert-danger" not in html
    assert "is-invalid" not in html
    assert "<title>Error:" not in html
    assert "Everything you typed is still here." in text_of(lost_page)
    assert 'class="chosen-slot"' not in html  # the lost time is not shown as the one chosen


def test_a_lost_time_keeps_everything_typed(lost_page):
    html = unescape(lost_page.content.decode())
    assert 'value="Ada Lovelace"' in html
    assert 'value="ada@example.com"' in html
    assert 'value="860-555-0100"' in html
    assert "Migraines most mornings.</textarea>" in html
    assert re.search(r'<input type="checkbox" name="accept_policy"[^>]*checked', html)
    assert f'name="lost" value="{slot_value(THURSDAY_10)}"' in html


def test_the_other_times_are_a_choice_in_the_same_form_and_book(client, lost_page):
    assert slot_value(THURSDAY_1PM) in radio_values(lost_page.content.decode())
    assert slot_value(THURSDAY_10) not in radio_values(lost_page.content.decode())
    response = client.post(
        reverse("appointments:details"),
        booking_data(start=THURSDAY_1PM, lost=slot_value(THURSDAY_10)),
        follow=True,
    )
    assert "You're booked" in text_of(response)
    assert Appointment.objects.get(client__email="ada@example.com").start == THURSDAY_1PM


def test_confirm_without_choosing_offers_the_same_times_again_with_what_was_typed(client, lost_page):
    data = booking_data(lost=slot_value(THURSDAY_10))
    del data["start"]
    response = client.post(reverse("appointments:details"), data)
    html = response.content.decode()
    assert CHOOSE_A_TIME in text_of(response)
    assert radio_values(html) == radio_values(lost_page.content.decode())
    assert 'class="lost-time"' not in html  # told once: now a choice to make, not news
    assert 'value="Ada Lovelace"' in html
    assert not Appointment.objects.filter(client__email="ada@example.com").exists()


def test_with_no_other_free_time_at_all_the_client_is_told_to_email_julie(client, book):
    BusinessDetails.objects.update(email="julie@posture.example")
    book(THURSDAY_10, email="first@example.com")
    WorkingHours.objects.exclude(weekday=THURSDAY_10.weekday()).delete()
    TimeOff.objects.create(start=business_time(2026, 12, 3, 11), end=business_time(2027, 3, 1), reason="Away")
    response = client.post(reverse("appointments:details"), booking_data(start=THURSDAY_10))
    page = text_of(response)
    assert "There are no other free times in the coming weeks. Please email Julie at julie@posture.example" in page
    assert 'value="Ada Lovelace"' in response.content.decode()


def test_a_time_lost_while_moving_a_session_is_said_calmly_with_the_times_left(client, book):
    session = book(business_time(2026, 12, 4, 10), email="ada@example.com")
    url = reverse("appointments:reschedule", kwargs={"token": session.manage_token})
    book(THURSDAY_10, email="quicker@example.com")  # taken while Ada looked at Thursday's times
    response = client.post(url, {"day": "2026-12-03", "start": slot_value(THURSDAY_10), "website": ""})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert f'<div class="lost-time" role="status"><p class="mb-0">{SLOT_TAKEN}</p></div>' in html
    assert "Please check the form" not in html
    assert slot_value(THURSDAY_1PM) in radio_values(html)
    assert slot_value(THURSDAY_10) not in radio_values(html)
    session.refresh_from_db()
    assert session.start == business_time(2026, 12, 4, 10)
