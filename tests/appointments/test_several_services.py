"""Julie offers more than one service: the client chooses first, and each service books with its own length.

With one open service the pages stay as they were (test_views.py and test_views_rules.py).
"""

import icalendar
import pytest
import time_machine
from django.urls import reverse

from appointments import emails
from appointments.booking import ClientDetails, book_appointment, reschedule_appointment
from appointments.forms import slot_value
from appointments.models import Appointment, CalendarFeed, OutgoingEmail
from appointments.views import CHOOSE_SERVICE_FIRST, SERVICE_NOT_OPEN
from services.models import Service

from .conftest import booking_data, business_time
from .test_views import text_of

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)  # Tuesday
WEDNESDAY = "2026-12-02"
DAYS = reverse("appointments:days")
DETAILS = reverse("appointments:details")
LONG = "?service=long-session"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def long_session(db):
    return Service.objects.create(
        name="Long CSMT session",
        slug="long-session",
        description="Ninety unhurried minutes for a migraine that has settled in.",
        duration_minutes=90,
    )


def day_url(day=WEDNESDAY, query=LONG):
    return reverse("appointments:day", kwargs={"day": day}) + query


def test_the_choice_page_lists_each_open_service_with_its_length_and_links(client, long_session, service):
    Service.objects.create(name="Retired", slug="retired", description="x", is_active=False)
    response = client.get(DAYS)
    assert response.status_code == 200
    page = text_of(response)
    assert "Long CSMT session 90 minutes Ninety unhurried minutes" in page
    assert f"{service.name} 60 minutes" in page
    assert "Retired" not in page
    html = response.content.decode()
    assert f'href="{DAYS}?service=long-session"' in html
    assert f'href="{long_session.get_absolute_url()}"' in html
    assert "booking-calendar" not in html  # no days until a service is chosen


def test_the_choice_page_lists_the_services_by_name_whenever_they_were_added(client, long_session, service):
    Service.objects.create(name="A short first visit", slug="first-visit", description="x", duration_minutes=30)
    page = text_of(client.get(DAYS))
    assert page.index("A short first visit") < page.index(service.name) < page.index("Long CSMT session")


def test_the_choice_page_needs_two_queries_and_none_once_saved(
    client, long_session, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(2):  # the services, and the business details its footer shows
        client.get(DAYS)
    with django_assert_num_queries(0):
        client.get(DAYS)


def test_the_days_of_a_90_minute_service_count_its_own_times_and_links_carry_it(client, long_session):
    response = client.get(DAYS + LONG)
    page = text_of(response)
    assert "Long CSMT session, 90 minutes with Julie" in page
    # 9 to 12 and 1 to 5: four 90-minute starts in the morning and six after lunch (60 minutes: 12).
    assert "Wednesday, December 2: 10 free times" in page
    html = response.content.decode()
    assert f'href="{day_url()}"' in html
    assert "service=long-session#days-heading" in html  # the later weeks stay on this service
    assert "← All sessions" in page


def test_a_90_minute_session_is_not_offered_where_only_an_hour_fits(client, long_session):
    long_day = client.get(day_url())
    starts = [slot.local_start.strftime("%H:%M") for slot in long_day.context["slots"]]
    assert "10:30" in starts and "11:00" not in starts  # 11:00 would run into the 12:00 lunch
    assert "15:30" in starts and "16:00" not in starts
    assert f"{DETAILS}?start=" in long_day.content.decode()
    assert "&amp;service=long-session" in long_day.content.decode()
    assert "Long CSMT session sessions last 90 minutes" in text_of(long_day)
    short_day = client.get(day_url(query="?service=craniosacral-therapy"))
    assert "11:00" in [slot.local_start.strftime("%H:%M") for slot in short_day.context["slots"]]


def test_each_service_has_its_own_saved_pages(client, long_session, django_assert_num_queries):
    long_days = client.get(DAYS + LONG).content
    short_days = client.get(DAYS + "?service=craniosacral-therapy").content
    assert long_days != short_days
    with django_assert_num_queries(0):
        assert client.get(DAYS + LONG).content == long_days
    long_day = client.get(day_url()).content
    short_day = client.get(day_url(query="?service=craniosacral-therapy")).content
    assert long_day != short_day


def test_a_day_or_details_without_a_service_asks_the_client_to_choose(client, long_session):
    for url in [day_url(query=""), f"{DETAILS}?start={slot_value(business_time(2026, 12, 2, 10))}"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == DAYS
        assert CHOOSE_SERVICE_FIRST in text_of(client.get(DAYS))


def test_a_days_way_back_to_the_calendar_keeps_its_service(client, long_session):
    assert f'<a href="{DAYS}{LONG}">&larr; All days</a>' in client.get(day_url()).content.decode()
    # A day past, beyond the horizon, or not a date at all: back to the same service's days.
    for day in ["2026-11-30", "2027-06-01", "not-a-date"]:
        response = client.get(day_url(day))
        assert response.status_code == 302 and response["Location"] == DAYS + LONG


def test_a_time_just_taken_sends_the_client_back_to_its_day_of_the_same_service(client, long_session):
    start = business_time(2026, 12, 2, 10)
    book_appointment(
        start=start,
        client_details=ClientDetails(name="Quicker", email="quicker@example.com", phone="(860) 555-0199"),
        service=long_session,
        now=NOW,
    )
    response = client.get(DETAILS, {"start": slot_value(start), "service": "long-session"})
    assert response.status_code == 302 and response["Location"] == day_url()


@pytest.mark.parametrize("query", ["?service=retired", "?service=nothing-like-it", "?service=%3Cscript%3E"])
def test_a_service_not_open_is_refused_kindly_on_every_page(client, long_session, query):
    Service.objects.create(name="Retired", slug="retired", description="x", is_active=False)
    for url in [DAYS + query, day_url(query=query)]:
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert SERVICE_NOT_OPEN in text_of(response)


def test_the_details_page_names_the_service_and_the_form_carries_it(client, long_session):
    start = business_time(2026, 12, 2, 10)
    response = client.get(DETAILS, {"start": slot_value(start), "service": "long-session"})
    page = text_of(response)
    assert "Long CSMT session, 90 minutes" in page
    assert "10:00 AM to 11:30 AM" in page
    assert '<input type="hidden" name="service" value="long-session">' in response.content.decode()


def test_booking_the_90_minute_service_saves_it_and_its_end(client, long_session):
    response = client.post(DETAILS, booking_data(service="long-session"), follow=True)
    assert "You're booked" in text_of(response)
    appointment = Appointment.objects.get()
    assert appointment.service == long_session
    assert appointment.end == business_time(2026, 12, 2, 11, 30)


def test_a_90_minute_booking_where_only_an_hour_fits_is_refused(client, long_session):
    data = booking_data(start=business_time(2026, 12, 2, 11), service="long-session")
    response = client.post(DETAILS, data)
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    assert "Ada Lovelace" in response.content.decode()  # nothing typed is lost


@pytest.mark.parametrize("posted", ["retired", "nothing-like-it", ""])
def test_a_tampered_or_closed_service_is_refused_kindly_keeping_what_was_typed(client, long_session, posted):
    Service.objects.create(name="Retired", slug="retired", description="x", is_active=False)
    response = client.post(DETAILS, booking_data(service=posted))
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    page = text_of(response)
    assert SERVICE_NOT_OPEN in page and "Choose a session" in page
    assert 'value="Ada Lovelace"' in response.content.decode()


def test_with_one_open_service_the_form_still_books_without_a_service(client, service):
    client.post(DETAILS, booking_data())
    assert Appointment.objects.get().service == service


def _book_long(long_session, now, start=None):
    return book_appointment(
        start=start or business_time(2026, 12, 2, 10),
        service=long_session,
        now=now,
        client_details=ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="8605550100"),
    )


def test_emails_name_the_service_once_several_are_open(long_session, now):
    appointment = _book_long(long_session, now)
    for kind in [OutgoingEmail.Kind.CONFIRMATION, OutgoingEmail.Kind.THERAPIST_NEW]:
        message = emails.build_message(appointment.emails.get(kind=kind))
        assert message.subject.endswith("(Long CSMT session)")
        assert "Long CSMT session" in message.body
    # As when it is Julie's only open service: the subject says "your session", as always.
    Service.objects.exclude(pk=long_session.pk).update(is_active=False)
    message = emails.build_message(appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION))
    assert "(Long CSMT session)" not in message.subject


def test_the_calendar_file_names_the_service_and_its_length(client, long_session, now):
    appointment = _book_long(long_session, now)
    event = icalendar.Calendar.from_ical(client.get(appointment.get_manage_url() + "calendar.ics").content)
    event = next(iter(event.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Long CSMT session with Julie"
    assert "90-minute session" in str(event["DESCRIPTION"])
    assert event.decoded("DTEND") - event.decoded("DTSTART") == long_session.duration


def test_julies_feed_names_the_service_of_each_session(client, long_session, service, now):
    _book_long(long_session, now)
    book_appointment(
        start=business_time(2026, 12, 3, 10),
        service=service,
        now=now,
        client_details=ClientDetails(name="Mallory Smith", email="m@example.com", phone="2035550666"),
    )
    feed = icalendar.Calendar.from_ical(client.get(CalendarFeed.load().get_absolute_url()).content)
    events = sorted(feed.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["SUMMARY"]) for e in events] == [
        "Ada Lovelace · Long CSMT session",
        f"Mallory Smith · {service.name}",
    ]
    assert "Long CSMT session, 90 minutes" in str(events[0]["DESCRIPTION"])


def test_a_moved_session_keeps_its_service_and_length(long_session, now):
    appointment = _book_long(long_session, now)
    moved = reschedule_appointment(appointment=appointment, new_start=business_time(2026, 12, 3, 13, 30), now=now)
    assert moved.service == long_session
    assert moved.end == business_time(2026, 12, 3, 15)


def test_a_session_cannot_move_where_its_length_does_not_fit(long_session, now):
    from appointments.booking import SlotUnavailable

    appointment = _book_long(long_session, now)
    with pytest.raises(SlotUnavailable):
        reschedule_appointment(appointment=appointment, new_start=business_time(2026, 12, 3, 11), now=now)


def test_each_service_page_books_straight_into_its_days(client, long_session):
    html = client.get(long_session.get_absolute_url()).content.decode()
    assert f'href="{DAYS}?service=long-session"' in html


def test_with_one_open_service_its_page_books_at_the_plain_address(client, service):
    html = client.get(service.get_absolute_url()).content.decode()
    assert f'href="{DAYS}"' in html and "?service=" not in html


def test_the_home_page_lists_each_open_service_with_its_booking_link(client, long_session, service):
    page = client.get(reverse("services:home"))
    text = text_of(page)
    assert "Long CSMT session: 90 minutes" in text and f"{service.name}: 60 minutes" in text
    assert f'href="{DAYS}?service=long-session"' in page.content.decode()


def test_julies_list_names_the_service_only_once_she_offers_several(julie_in_admin, service, now):
    book_appointment(
        start=business_time(2026, 12, 3, 10),
        client_details=ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="+18605550101"),
        service=service,
        now=now,
    )
    url = reverse("admin:appointments_appointment_changelist")
    assert "column-service" not in julie_in_admin.get(url).content.decode()
    Service.objects.create(slug="long-session", name="Long session", duration_minutes=90, is_active=False)
    assert "column-service" in julie_in_admin.get(url).content.decode()
