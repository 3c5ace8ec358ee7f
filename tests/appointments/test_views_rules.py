"""The public booking pages' rules, as a client sees them: which day a page shows, which
times are offered when one is gone, the links a confirmation gives, what a bad link says,
and how Julie's calendar feed may be kept."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.booking import SLOT_TAKEN
from appointments.forms import slot_value
from appointments.models import Appointment, BookingRules, CalendarFeed, TimeOff
from appointments.views import FORM_OPEN_TOO_LONG
from tests.test_error_pages import csrf_token_in, strict_client

from .conftest import business_time
from .test_views import booking_data, radio_values, text_of

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)  # Tuesday; the 60-day horizon ends on Saturday, January 30
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_10 = business_time(2026, 12, 3, 10)
JULIE = "julie@posture.example"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _julies_address(settings):
    settings.THERAPIST_EMAIL = JULIE


def day_url(day):
    return reverse("appointments:day", kwargs={"day": day})


def h1_of(response):
    return " ".join(unescape(re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1)).split())


def slot_values(day, times):
    year, month, day_of_month = day
    return [slot_value(business_time(year, month, day_of_month, hour, minute)) for hour, minute in times]


# --- a day's page -------------------------------------------------------------------------


def test_the_last_day_of_the_horizon_can_be_chosen_and_the_day_after_cannot(client):
    last = client.get(day_url("2027-01-30"))
    assert last.status_code == 200
    assert h1_of(last) == "Saturday, January 30, 2027"
    assert "9:00 AM" in text_of(last)

    beyond = client.get(day_url("2027-01-31"))
    assert beyond.status_code == 302
    assert beyond["Location"] == reverse("appointments:days")
    assert "Bookings are open up to 60 days ahead." in text_of(client.get(beyond["Location"]))


def test_the_too_far_message_names_julies_own_horizon(client):
    rules = BookingRules.load()
    rules.horizon_days = 10
    rules.save()
    assert client.get(day_url("2026-12-11")).status_code == 200
    response = client.get(day_url("2026-12-12"), follow=True)
    assert "Bookings are open up to 10 days ahead." in text_of(response)


def test_each_day_page_shows_its_own_date_and_the_session_length(client):
    wednesday = client.get(day_url("2026-12-02"))
    thursday = client.get(day_url("2026-12-03"))  # within the same minute: its own page, not Wednesday's
    assert h1_of(wednesday) == "Wednesday, December 2, 2026"
    assert h1_of(thursday) == "Thursday, December 3, 2026"
    assert "?start=2026-12-03T10:00" in unquote(unescape(thursday.content.decode()))
    assert "Sessions last 60 minutes" in text_of(thursday)


def test_a_time_just_taken_leads_back_to_its_day_with_the_message_for_that_client_only(client, book):
    book(WEDNESDAY_10, email="first@example.com")
    wednesday = day_url("2026-12-02")
    assert client.get(wednesday).status_code == 200  # the day's page is now saved for this minute

    response = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)})
    assert response.status_code == 302
    assert response["Location"] == wednesday
    back = client.get(wednesday)
    assert SLOT_TAKEN in text_of(back)
    assert h1_of(back) == "Wednesday, December 2, 2026"

    assert SLOT_TAKEN not in text_of(Client().get(wednesday))  # the message is not kept for others
    assert SLOT_TAKEN not in text_of(client.get(wednesday))  # nor shown to them twice


# --- other times, when the chosen one is gone --------------------------------------------


def test_when_the_chosen_time_is_taken_the_rest_of_that_day_is_offered(client, book):
    book(THURSDAY_10, email="first@example.com")  # with the buffer, Thursday morning is gone
    response = client.post(reverse("appointments:details"), booking_data(start=THURSDAY_10))
    assert response.status_code == 200
    assert SLOT_TAKEN in text_of(response)
    afternoon = [(13, 0), (13, 30), (14, 0), (14, 30), (15, 0), (15, 30), (16, 0)]
    assert radio_values(response.content.decode()) == slot_values((2026, 12, 3), afternoon)


def test_when_the_chosen_day_is_full_the_next_eight_free_times_are_offered(client):
    TimeOff.objects.create(start=business_time(2026, 12, 3), end=business_time(2026, 12, 4), reason="Away")
    response = client.post(reverse("appointments:details"), booking_data(start=THURSDAY_10))
    assert response.status_code == 200
    page = text_of(response)
    assert "There are no free times left on that day" not in page
    friday = [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (13, 0), (13, 30), (14, 0)]
    assert radio_values(response.content.decode()) == slot_values((2026, 12, 4), friday)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert not Appointment.objects.exists()


# --- the confirmation -------------------------------------------------------------------


def test_the_confirmation_gives_the_whole_manage_link_and_a_calendar_entry_with_the_place(client):
    rules = BookingRules.load()
    rules.location = "12 Elm Street, Hartford"
    rules.save()
    response = client.post(reverse("appointments:details"), booking_data(), follow=True)
    appointment = Appointment.objects.get()
    page = unescape(response.content.decode())
    assert f"http://testserver{appointment.get_manage_url()}" in text_of(response)
    assert f'href="http://testserver{appointment.get_manage_url()}"' in page

    google = re.search(r'href="(https://[^"]*google[^"]*)"', page).group(1)
    query = parse_qs(urlsplit(google).query)
    assert query["location"] == ["12 Elm Street, Hartford"]
    assert query["dates"] == ["20261202T150000Z/20261202T160000Z"]


# --- bad and expired links ---------------------------------------------------------------


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


LINK_PAGES = ["confirmed", "manage", "ics", "cancel", "reschedule"]


@pytest.mark.parametrize("page", LINK_PAGES)
def test_a_broken_link_says_how_to_reach_julie(client, booked, page):
    response = client.get(reverse(f"appointments:{page}", kwargs={"token": booked.manage_token[:-2]}))
    assert response.status_code == 404
    assert f"email Julie at {JULIE}" in text_of(response)


@pytest.mark.parametrize("page", LINK_PAGES)
def test_an_expired_link_says_how_to_reach_julie(client, booked, page):
    with time_machine.travel(booked.manage_link_expires_at + timedelta(minutes=1), tick=False):
        response = client.get(reverse(f"appointments:{page}", kwargs={"token": booked.manage_token}))
    assert response.status_code == 410
    assert f"email Julie at {JULIE}" in text_of(response)


# --- a form sent back with a stale security token ---------------------------------------


def stale(url, **params):
    client = strict_client()
    token = csrf_token_in(client.get(url, params))
    client.cookies.clear()
    return client, token


def test_a_stale_cancel_form_on_a_broken_link_gets_the_broken_link_page(booked):
    good = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    client, token = stale(good)
    broken = reverse("appointments:cancel", kwargs={"token": booked.manage_token[:-2]})
    response = client.post(broken, {"reason": "", "website": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 404
    assert f"email Julie at {JULIE}" in text_of(response)
    assert "no-store" in response["Cache-Control"]
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_stale_reschedule_form_sent_once_it_is_too_late_leads_to_the_manage_page(booked):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    client, token = stale(url, day="2026-12-03")
    # 23 hours before the session: inside the 24-hour cutoff, so it can no longer be moved online.
    with time_machine.travel(business_time(2026, 12, 1, 11), tick=False):
        response = client.post(
            url, {"day": "2026-12-03", "start": slot_value(THURSDAY_10), "website": "", "csrfmiddlewaretoken": token}
        )
    assert response.status_code == 302
    assert response["Location"] == booked.get_manage_url()
    booked.refresh_from_db()
    assert booked.start == WEDNESDAY_10


def test_only_a_posted_form_comes_back_after_a_refused_token(booked):
    """A browser only ever posts these forms; any other method refused for its token gets the plain 403 page."""
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    client, _ = stale(url)
    response = client.delete(url)
    assert response.status_code == 403
    assert "Yes, cancel my session" not in text_of(response)
    assert FORM_OPEN_TOO_LONG.format(button="Yes, cancel my session") not in text_of(response)


# --- Julie's calendar feed ---------------------------------------------------------------


def test_the_feed_may_be_kept_by_no_cache(client, booked):
    response = client.get(CalendarFeed.load().get_absolute_url())
    assert response.status_code == 200
    directives = {part.strip().lower() for part in response["Cache-Control"].split(",")}
    assert directives == {"private", "no-store"}


def test_the_feed_takes_the_same_few_queries_however_many_sessions(client, book, django_assert_max_num_queries):
    url = CalendarFeed.load().get_absolute_url()
    for day in [2, 3, 4, 7, 8, 9, 10, 11]:
        book(business_time(2026, 12, day, 10), email=f"c{day}@example.com")
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.content.count(b"BEGIN:VEVENT") == 8
