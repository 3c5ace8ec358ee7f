"""The public forms' rules as a client meets them: what a form says when something is missing."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from appointments.availability import Slot
from appointments.booking import CourseDate
from appointments.forms import (
    CHOOSE_COURSE_TIME,
    COURSE_COUNT_REQUIRED,
    START_INVALID,
    BookingForm,
    CourseForm,
    PhoneNumberField,
    SlotStartField,
    booking_key_made_here,
    parse_slot_start,
    slot_value,
)
from appointments.hygiene import PHONE_INVALID
from appointments.models import Appointment, OutgoingEmail

from .conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_moving_without_choosing_a_time_asks_for_one_from_the_list_and_keeps_the_booking(client, book):
    booked = book(WEDNESDAY_10, email="ada@example.com")
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    response = client.post(url, {"day": "2026-12-03", "website": ""})
    assert response.status_code == 200
    page = text_of(response)
    # The time is a radio button: "This field is required." would not tell the client what to do.
    assert START_INVALID in page
    assert "This field is required" not in page
    booked.refresh_from_db()
    assert booked.start == WEDNESDAY_10
    assert not booked.emails.filter(kind=OutgoingEmail.Kind.RESCHEDULE).exists()


def test_a_booking_form_that_lost_its_time_asks_for_a_time_from_the_list(client):
    data = booking_data(note="")
    del data["start"]
    response = client.post(reverse("appointments:details"), data)
    assert response.status_code == 200
    page = text_of(response)
    assert START_INVALID in page
    assert "This field is required" not in page
    assert not Appointment.objects.exists()


def booking_form(**overrides):
    return BookingForm(booking_data(**{"note": "", **overrides}))


def test_a_phone_field_with_no_number_in_it_asks_for_one_julie_can_call():
    form = booking_form(phone="call me maybe")
    assert not form.is_valid()
    assert form.errors["phone"] == [PHONE_INVALID]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("860.555.0100", "+18605550100"),
        ("+1 860 555 0100", "+18605550100"),
        # A number abroad keeps its country code, or Julie could not call it back.
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_phone_number_is_stored_in_its_one_form(typed, stored):
    form = booking_form(phone=typed)
    assert form.is_valid(), form.errors
    assert form.client_details().phone == stored


@pytest.mark.parametrize("name", ["   ", "\u00a0\u2003", "\t"])
def test_a_name_of_only_spaces_is_refused(name):
    form = booking_form(name=name)
    assert not form.is_valid()
    assert "name" in form.errors


def test_runs_of_spaces_in_a_name_become_one():
    form = booking_form(name="  Ada \u00a0  Lovelace ")
    assert form.is_valid(), form.errors
    assert form.client_details().name == "Ada Lovelace"


def test_the_details_page_carries_the_chosen_time_and_a_fresh_key_into_the_booking(client):
    start = slot_value(WEDNESDAY_10)
    html = client.get(reverse("appointments:details"), {"start": start}).content.decode()
    carried = dict(re.findall(r'<input type="hidden" name="(start|booking_key)" value="([^"]*)"', html))
    assert carried["start"] == start
    assert booking_key_made_here(carried["booking_key"])  # signed by the site, not just any text
    details = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "860-555-0100", "accept_policy": "on"}
    response = client.post(reverse("appointments:details"), {**carried, **details, "note": "", "website": ""})
    assert response.status_code == 302
    assert Appointment.objects.get().start == WEDNESDAY_10


def test_the_policy_tick_box_links_to_the_cancellation_policy(client):
    response = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)})
    html = response.content.decode()
    (help_text,) = re.findall(r'<div id="id_accept_policy_helptext"[^>]*>(.*?)</div>', html)
    assert help_text == f'Read the <a href="{reverse("services:policies")}">cancellation policy</a>.'
    assert client.get(reverse("services:policies")).status_code == 200


def test_when_the_time_was_taken_the_other_times_come_first_under_their_own_heading(client, book):
    book(WEDNESDAY_10, email="first@example.com")
    details = {
        "start": slot_value(WEDNESDAY_10),
        "booking_key": "",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "860-555-0100",
        "note": "",
        "accept_policy": "on",
        "website": "",
    }
    html = client.post(reverse("appointments:details"), details).content.decode()
    (legend,) = re.findall(r'<div id="div_id_start".*?<legend[^>]*>(.*?)<', html, re.S)
    assert legend.strip() == "Choose another time"
    first_radio = html.index('type="radio"')
    assert html.index('id="div_id_start"') < first_radio < html.index('name="name"'), (
        "the choice of times comes before the details already typed"
    )
    # The lost time rides along unseen, so that Confirm without a choice offers the same times.
    assert f'<input type="hidden" name="lost" value="{slot_value(WEDNESDAY_10)}"' in html


@pytest.mark.parametrize("start", ["not a time", "2026-12-02T10:00"])  # unreadable; no UTC offset
def test_a_time_that_cannot_be_read_asks_for_one_from_the_list(start):
    form = booking_form(start=start)
    assert not form.is_valid()
    assert form.errors["start"] == [START_INVALID]


def test_a_signed_key_that_is_not_a_random_token_is_refused():
    """Only the shape new_booking_key() signs is a key: other signed text (too long, with spaces)
    is never stored as a booking's key."""
    from django.core import signing

    from appointments.forms import BOOKING_KEY_SALT

    signer = signing.Signer(salt=BOOKING_KEY_SALT)
    assert booking_key_made_here(signer.sign("a" * 33)) is None
    assert booking_key_made_here(signer.sign("not a token")) is None
    assert booking_key_made_here(signer.sign("a" * 32)) == "a" * 32


def test_a_time_of_up_to_40_characters_is_read_and_a_longer_one_is_not():
    # A slot's text is short; anything longer is refused before it is parsed.
    padded = "2026-12-02T10:00-05:00".ljust(40)
    assert parse_slot_start(padded) == WEDNESDAY_10
    assert parse_slot_start(padded + " ") is None


def test_a_plus_in_the_offset_that_arrived_as_a_space_is_read_as_a_plus():
    # An unencoded query string turns "+05:30" into " 05:30".
    assert parse_slot_start("2026-12-02T10:00 05:30") == parse_slot_start("2026-12-02T10:00+05:30")
    assert parse_slot_start("2026-12-02T10:00 05:30").utcoffset().total_seconds() == 5.5 * 3600


def test_a_time_shows_in_a_form_as_its_slot_text_and_typed_text_stays_as_typed():
    field = SlotStartField()
    assert field.prepare_value(WEDNESDAY_10) == "2026-12-02T10:00-05:00"
    assert field.prepare_value("2026-12-02T10:00-05:00") == "2026-12-02T10:00-05:00"
    assert field.prepare_value("not a time") == "not a time"


def test_a_stored_phone_number_shows_as_julie_dials_it_and_a_typed_one_as_typed():
    field = PhoneNumberField()
    assert field.prepare_value("+18605550100") == "(860) 555-0100"
    assert field.prepare_value("+442079460958") == "+44 20 7946 0958"
    assert field.prepare_value("860.555.0100") == "860.555.0100"  # sent back unchanged with an error
    assert field.prepare_value(None) is None


def test_the_booking_page_holds_one_form_with_one_security_token(client):
    """The fields are drawn inside the page's own <form>, which carries the CSRF token: no form
    nested in it (browsers drop the inner one) and no second token."""
    html = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)}).content.decode()
    assert re.findall(r"<form[^>]*>", html) == [
        '<form method="post" action="/book/details/" class="booking-form" data-once>'
    ]
    assert html.count("csrfmiddlewaretoken") == 1


# --- a course: how many sessions, and a time chosen for each date that is not free ---


THURSDAY_10 = business_time(2026, 12, 3, 10)
THURSDAY_11 = business_time(2026, 12, 3, 11)


def slot(start):
    return Slot(start=start, end=start + timedelta(hours=1))


@pytest.fixture
def course():
    """Two dates: the first free, the second taken, with two other times that day."""
    taken = business_time(2026, 12, 9, 10)
    return [
        CourseDate(WEDNESDAY_10, slot(WEDNESDAY_10), []),
        CourseDate(taken, None, [slot(THURSDAY_10), slot(THURSDAY_11)]),
    ]


def test_a_repeat_without_a_number_of_sessions_asks_for_one():
    form = CourseForm({"repeat": "1", "count": ""})
    assert not form.is_valid()
    assert form.errors == {"count": [COURSE_COUNT_REQUIRED]}


def test_a_date_that_is_not_free_asks_for_a_time_instead(course):
    form = CourseForm({"repeat": "1", "count": "2"}, course=course)
    assert not form.is_valid()
    assert form.errors == {"date_2": [CHOOSE_COURSE_TIME]}
    assert form.rows()[0][1] is None and form.rows()[1][1].label == "Choose a time instead"


def test_a_time_instead_must_be_one_of_those_offered(course):
    form = CourseForm(
        {"repeat": "1", "count": "2", "date_2": slot_value(THURSDAY_10 - timedelta(hours=1))}, course=course
    )
    assert not form.is_valid()
    assert form.errors == {"date_2": [CHOOSE_COURSE_TIME]}


def test_a_course_starts_on_each_free_date_and_at_the_time_chosen_instead(course):
    form = CourseForm({"repeat": "1", "count": "2", "date_2": slot_value(THURSDAY_11)}, course=course)
    assert form.is_valid(), form.errors
    assert form.starts() == [WEDNESDAY_10, THURSDAY_11]
    assert form.asked() == "1x2"
