"""The public booking pages' rules, as a client sees them: which day a page shows, which
times are offered when one is gone, the links a confirmation gives, what a bad link says,
and how Julie's calendar feed may be kept."""

import re
from datetime import time, timedelta
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.booking import SLOT_TAKEN
from appointments.forms import slot_value
from appointments.models import Appointment, BookingRules, BusinessDetails, CalendarFeed, TimeOff, WorkingHours
from appointments.views import FORM_OPEN_TOO_LONG
from services.models import Service
from tests.conftest import free_port
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
def _julies_address(db):
    business = BusinessDetails.load()
    business.email = JULIE
    business.save()


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
    business = BusinessDetails.load()
    business.location = "12 Elm Street, Hartford"
    business.save()
    response = client.post(reverse("appointments:details"), booking_data(), follow=True)
    appointment = Appointment.objects.get()
    page = unescape(response.content.decode())
    # The whole link, to copy from a box, and a button to it.
    assert f'value="http://testserver{appointment.get_manage_url()}" readonly' in page
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


# --- the details form sent back -----------------------------------------------------------


def test_a_details_form_sent_back_with_mistakes_still_shows_the_chosen_time(client):
    response = client.post(reverse("appointments:details"), booking_data(phone="12"))
    assert response.status_code == 200
    assert "Wednesday, December 2, 2026, 10:00 AM to 11:00 AM" in text_of(response)
    assert f'href="{day_url("2026-12-02")}">Change time' in response.content.decode()


def test_an_unreachable_cache_is_logged_with_its_error(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with caplog.at_level("WARNING", logger="appointments.views"):
        assert client.post(reverse("appointments:details"), booking_data()).status_code == 302
    warnings = [r.getMessage() for r in caplog.records if r.name == "appointments.views"]
    assert warnings
    assert all(w.lower().startswith("rate limit not applied") and "connect" in w.lower() for w in warnings)


# --- the days page ------------------------------------------------------------------------


def days_page(client=None):
    return (client or Client()).get(reverse("appointments:days"))


def calendar_rows(response):
    body = response.content.decode()
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_days_page_tells_each_days_free_times_in_words(client):
    # Thursday: only 4 PM is left.
    TimeOff.objects.create(start=business_time(2026, 12, 3), end=business_time(2026, 12, 3, 16))
    page = text_of(days_page(client))
    assert "Tuesday, December 1: no free times" in page  # inside the minimum notice
    assert "Wednesday, December 2: 12 free times" in page
    assert "Thursday, December 3: 1 free time " in page
    html = days_page(client).content.decode()
    assert f'href="{day_url("2026-12-02")}"' in html
    assert f'href="{day_url("2026-12-03")}"' in html
    assert f'href="{day_url("2026-12-01")}"' not in html
    assert f'href="{day_url("2026-12-06")}"' not in html  # Sunday: closed


def caption_of(response):
    return re.search(r"<caption>(.*?)</caption>", response.content.decode()).group(1)


def days_from(client, day):
    return client.get(reverse("appointments:days"), {"from": day})


def test_the_days_page_opens_on_this_weeks_sunday_with_five_weeks(client):
    response = days_page(client)
    assert caption_of(response) == "November 29 to January 2, 2027"
    weeks = [row for row in calendar_rows(response) if row]
    assert len(weeks) == 5 and all(len(week) == 7 for week in weeks)
    first_week = weeks[0]
    assert "Sunday, November 29: no free times" in first_week[0]  # the past, greyed, not a month of it
    assert '<span class="day-month">Nov</span>29' in first_week[0]
    assert '<span class="day-month">Dec</span>1' in first_week[2]  # a new month is named
    assert "Saturday, January 2: 7 free times" in weeks[-1][6]
    html = response.content.decode()
    assert 'href="?from=2027-01-03#days-heading">Show later dates' in html
    assert "Show earlier dates" not in html


def test_later_dates_reach_the_horizons_last_day_and_no_further(client):
    later = days_from(client, "2027-01-03")
    assert caption_of(later) == "January 3 to February 6, 2027"
    page = text_of(later)
    assert "Saturday, January 30: 7 free times" in page  # the horizon's last day
    assert "Sunday, January 31: no free times" in page
    assert f'href="{day_url("2027-01-30")}"' in later.content.decode()
    assert "Show later dates" not in page
    assert 'href="?from=2026-11-29#days-heading">Show earlier dates' in later.content.decode()
    beyond = days_from(client, "2027-06-01")
    assert caption_of(beyond) == "January 24 to February 27, 2027"  # from the horizon's last week


@pytest.mark.parametrize(
    ("asked", "caption"),
    [("2026-12-09", "December 6 to January 9, 2027"), ("2026-10-01", "November 29 to January 2, 2027")],
)
def test_the_calendar_starts_on_the_sunday_of_the_week_asked_for_and_never_in_the_past(client, asked, caption):
    assert caption_of(days_from(client, asked)) == caption


@pytest.mark.parametrize("asked", ["soon", "2026-02-30", "9999-01-01"])
def test_an_unreadable_from_date_leads_back_to_the_first_weeks_with_a_message(client, asked):
    response = days_from(client, asked)
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:days")
    assert "That date could not be read." in text_of(client.get(response["Location"]))


def test_a_year_of_bookings_still_opens_on_five_short_weeks(client, django_assert_max_num_queries):
    rules = BookingRules.load()
    rules.horizon_days = 365
    rules.save()
    with django_assert_max_num_queries(8):
        response = days_page(client)
    assert len([row for row in calendar_rows(response) if row]) == 5
    assert "<caption>" in response.content.decode() and response.content.decode().count("<caption>") == 1
    last = days_from(client, "2027-12-01")
    assert caption_of(last) == "November 28 to January 1, 2028"
    assert "Show later dates" not in text_of(last)


def test_when_the_weeks_shown_end_on_the_horizons_last_day_no_later_dates_are_offered(client):
    rules = BookingRules.load()
    rules.horizon_days = 32  # from Tuesday, December 1 to Saturday, January 2: the fifth week's end
    rules.save()
    assert "Show later dates" not in text_of(days_page(client))
    rules.horizon_days = 33
    rules.save()
    assert "Show later dates" in text_of(days_page(client))


def test_the_days_page_offers_the_next_three_free_times(client, book):
    book(WEDNESDAY_10, email="first@example.com")  # the whole morning is gone with the buffer
    page = text_of(days_page(client))
    next_times = re.search(r"Next free times (.*?) Choose a day", page).group(1)
    assert next_times == "Wed, Dec 2 at 1:00 PM Wed, Dec 2 at 1:30 PM Wed, Dec 2 at 2:00 PM"


def test_when_the_weeks_shown_are_full_the_next_free_times_come_from_later_weeks(client):
    # Away for the five weeks shown (to Saturday, January 2) and the Monday after, back on Tuesday.
    TimeOff.objects.create(start=business_time(2026, 11, 30), end=business_time(2027, 1, 5), reason="Away")
    page = text_of(days_page(client))
    next_times = re.search(r"Next free times (.*?) Choose a day", page).group(1)
    assert next_times == "Tue, Jan 5 at 9:00 AM Tue, Jan 5 at 9:30 AM Tue, Jan 5 at 10:00 AM"
    assert "There are no free times" not in page
    assert "Show later dates" in page


def test_with_only_two_free_times_in_the_weeks_shown_the_third_comes_from_later(client):
    TimeOff.objects.create(start=business_time(2026, 11, 30), end=business_time(2026, 12, 2, 15), reason="Away")
    TimeOff.objects.create(start=business_time(2026, 12, 2, 16), end=business_time(2027, 1, 5, 9, 30), reason="Away")
    page = text_of(days_page(client))
    next_times = re.search(r"Next free times (.*?) Choose a day", page).group(1)
    assert next_times == "Wed, Dec 2 at 3:00 PM Tue, Jan 5 at 9:30 AM Tue, Jan 5 at 10:00 AM"


def test_the_next_free_times_run_on_from_the_last_day_shown_to_the_very_next(client):
    WorkingHours.objects.create(weekday=6, start_time=time(9), end_time=time(12))  # Sundays too
    # Only Saturday, January 2 (the last day shown) has a free time, at noon.
    TimeOff.objects.create(start=business_time(2026, 11, 30), end=business_time(2027, 1, 2, 12), reason="Away")
    page = text_of(days_page(client))
    next_times = re.search(r"Next free times (.*?) Choose a day", page).group(1)
    assert next_times == "Sat, Jan 2 at 12:00 PM Sun, Jan 3 at 9:00 AM Sun, Jan 3 at 9:30 AM"


def test_with_no_free_time_at_all_the_days_page_says_to_email_julie(client):
    TimeOff.objects.create(start=business_time(2026, 11, 30), end=business_time(2027, 3, 1), reason="Away")
    page = text_of(days_page(client))
    assert f"There are no free times in the coming weeks. Please email Julie at {JULIE}" in page
    assert "Next free times" not in page


def test_the_days_page_sells_the_one_open_service(client, service):
    Service.objects.create(name="Something else", slug="else", description="x", duration_minutes=30, is_active=False)
    page = text_of(days_page(client))
    assert f"{service.name}, 60 minutes with Julie" in page
    assert "Wednesday, December 2: 12 free times" in page  # one-hour sessions, not half-hour ones


def test_with_no_open_service_the_booking_pages_are_not_found(client):
    Service.objects.update(is_active=False)
    assert days_page(client).status_code == 404
    assert client.get(day_url("2026-12-02")).status_code == 404


def test_a_message_for_the_days_page_shows_even_when_the_page_is_saved(client):
    assert days_page(client).status_code == 200  # saved for this minute
    response = client.get(day_url("2026-13-45"), follow=True)
    assert response.redirect_chain == [(reverse("appointments:days"), 302)]
    assert "That date could not be read." in text_of(response)
    assert "That date could not be read." not in text_of(days_page(client))


def test_only_the_chosen_day_is_marked_as_chosen_in_the_calendars(client, booked):
    assert 'aria-current="date"' not in days_page(client).content.decode()  # nothing is chosen there
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    html = client.get(url, {"day": "2026-12-03"}).content.decode()
    assert re.findall(r'<a href="([^"]*)" aria-current="date"', html) == ["?day=2026-12-03"]


def test_a_day_offers_its_waitlist_from_the_first_bookable_day_to_the_horizons_last(client):
    rules = BookingRules.load()
    rules.minimum_notice_hours = 24
    rules.save()
    today = NOW.date()
    first = (NOW + rules.minimum_notice).date()  # Wednesday: no session can be booked today
    last = today + timedelta(days=rules.horizon_days)

    def offers_waitlist(day):
        page = client.get(reverse("appointments:day", kwargs={"day": day.isoformat()}))
        assert page.status_code == 200
        return "Join the waitlist for this day" in text_of(page)

    assert (offers_waitlist(today), offers_waitlist(first), offers_waitlist(last)) == (False, True, True)


def test_the_calendar_names_the_month_on_the_first_day_shown_and_on_each_first(client):
    html = client.get(reverse("appointments:days")).content.decode()
    # Sunday, November 29 to Saturday, January 2.
    assert re.findall(r'<span class="day-month">(\w+)</span>(\d+)', html) == [("Nov", "29"), ("Dec", "1"), ("Jan", "1")]
