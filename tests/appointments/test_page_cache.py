"""The booking pages are saved for the minute, and any change to availability shows at once."""

import gzip
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.urls import reverse

from appointments import page_cache
from appointments.models import Appointment, BookingRules, BusinessDetails, TimeOff, WorkingHours
from appointments.privacy import erase_client
from services.models import Service
from tests.conftest import free_port

from .conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
WEDNESDAY = reverse("appointments:day", kwargs={"day": "2026-12-02"})
DAYS = reverse("appointments:days")


def link_to(start):
    """The times page's link to a slot's details page."""
    return urlencode({"start": start.isoformat()})


TEN_AM_LINK = link_to(WEDNESDAY_10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", [DAYS, f"{DAYS}?from=2027-01-03", WEDNESDAY])
def test_a_second_visit_in_the_same_minute_needs_no_query(client, django_assert_num_queries, url):
    first = page(client, url)
    with django_assert_num_queries(0):
        assert page(client, url) == first


def test_a_days_page_is_saved_for_the_next_visit_without_a_warning(client, caplog):
    with caplog.at_level("WARNING", logger=page_cache.logger.name):
        first = page(client, WEDNESDAY)
        assert page(client, WEDNESDAY) == first
    assert not caplog.records, "the page cache is reachable: nothing to warn Julie's host about"


def test_a_booking_shows_at_once(client, book):
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    wednesday_count = page(client, DAYS)
    book(WEDNESDAY_10)
    assert TEN_AM_LINK not in page(client, WEDNESDAY)
    assert page(client, DAYS) != wednesday_count


def test_time_off_working_hours_and_rules_show_at_once(client):
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    time_off = TimeOff.objects.create(start=WEDNESDAY_10, end=WEDNESDAY_10 + timedelta(hours=1), reason="Dentist")
    assert TEN_AM_LINK not in page(client, WEDNESDAY)
    time_off.delete()
    assert TEN_AM_LINK in page(client, WEDNESDAY)

    rules = BookingRules.load()
    rules.minimum_notice_hours = 48
    rules.save()
    assert TEN_AM_LINK not in page(client, WEDNESDAY)
    rules.minimum_notice_hours = 0
    rules.save()
    assert TEN_AM_LINK in page(client, WEDNESDAY)

    WorkingHours.objects.filter(weekday=2).delete()  # a queryset delete still sends a signal per row
    assert TEN_AM_LINK not in page(client, WEDNESDAY)


def test_julies_business_details_and_services_show_on_the_booking_pages_at_once(client):
    details_page = f"{reverse('appointments:details')}?{TEN_AM_LINK}"
    assert "860-555-0199" not in page(client, details_page)
    business = BusinessDetails.load()
    business.phone = "860-555-0199"
    business.save()
    assert "860-555-0199" in page(client, details_page)
    Service.objects.update(is_active=False)  # written around the signals: not seen for a while
    assert client.get(details_page).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):  # kept over a minute's turn
        assert client.get(details_page).status_code == 200
    with time_machine.travel(NOW + timedelta(seconds=page_cache.REMEMBERED_AT_MOST + 1), tick=False):
        assert client.get(details_page).status_code == 404


def test_rules_written_around_the_signals_show_once_remembered_rows_are_read_again(client, clock):
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    BookingRules.objects.update(minimum_notice_hours=48)
    clock.move_to(NOW + timedelta(seconds=page_cache.REMEMBERED_AT_MOST))
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    clock.move_to(NOW + timedelta(seconds=page_cache.REMEMBERED_AT_MOST + 60))  # the next minute's page
    assert TEN_AM_LINK not in page(client, WEDNESDAY)


def test_a_request_that_finds_the_cache_unreachable_does_not_try_again(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with page_cache.serving_request():
        assert page_cache.remembered("rules", BookingRules.load) == BookingRules.load()  # read anew
        with pytest.raises(page_cache.CacheUnreachable):
            page_cache._version()
        assert page_cache.cached_value("made", lambda: "anew") == "anew"
    for _ in range(2):  # outside a request, each use tries
        with pytest.raises(redis.ConnectionError):
            page_cache._version()


def test_a_request_keeps_to_the_version_it_read_first():
    with page_cache.serving_request():
        first = page_cache._version()
        cache.set(page_cache.VERSION_KEY, "julie-changed-the-rules", timeout=None)  # another worker
        # Worked out under the first version (with the rules remembered for it), and saved under it.
        assert page_cache.cached_value("slots", lambda: "under the old rules") == "under the old rules"
    assert first != "julie-changed-the-rules"
    with page_cache.serving_request():
        assert page_cache.cached_value("slots", lambda: "under the new rules") == "under the new rules"


def test_a_value_made_outside_a_request_is_saved_at_once_and_found_by_the_next_request():
    assert page_cache.cached_value("slots", lambda: "saved") == "saved"
    assert page_cache.cached_value("slots", lambda: "made anew") == "saved"
    with page_cache.serving_request():
        page_cache._version()  # this request has read the version already, but not this value
        assert page_cache.cached_value("slots", lambda: "made anew") == "saved"


def test_a_value_made_in_a_request_is_found_again_in_it_and_saved_when_it_ends():
    with page_cache.serving_request():
        assert page_cache.cached_value("slots", lambda: "made") == "made"
        assert page_cache.cached_value("slots", lambda: "made twice") == "made"
        assert cache.get(page_cache._key("slots")) is None  # not yet: with the rest, when the request ends
    assert page_cache.cached_value("slots", lambda: "made anew") == "made"


def test_a_booking_reads_the_open_services_afresh(client):
    response = client.get(DETAILS_AT_TEN)
    key = re.search(r'name="booking_key" value="([^"]+)"', response.content.decode())[1]
    Service.objects.update(is_active=False)  # around the signals: the form page may lag a minute
    client.post(reverse("appointments:details"), booking_data(booking_key=key))
    assert not Appointment.objects.exists()


def test_erasing_a_client_frees_their_times_at_once(client, book):
    appointment = book(WEDNESDAY_10)
    assert TEN_AM_LINK not in page(client, WEDNESDAY)
    erase_client(client=appointment.client, now=NOW)
    assert TEN_AM_LINK in page(client, WEDNESDAY)


def test_a_saved_page_is_not_used_once_its_minute_is_over(client, clock):
    rules = BookingRules.load()
    rules.minimum_notice_hours = 0
    rules.save()
    nine_am = business_time(2026, 12, 1, 9)
    nine_link = link_to(nine_am)
    today = reverse("appointments:day", kwargs={"day": "2026-12-01"})
    clock.move_to(nine_am - timedelta(seconds=30))
    assert nine_link in page(client, today)
    clock.move_to(nine_am + timedelta(seconds=30))
    assert nine_link not in page(client, today), "9:00 has passed"


@pytest.mark.parametrize("url", [DAYS, WEDNESDAY])
def test_each_display_gets_its_own_saved_page(client, url):
    assert 'data-theme="auto"' in page(client, url)
    client.cookies["theme"] = "dark"
    assert 'data-theme="dark"' in page(client, url)
    client.cookies["theme"] = "light"
    assert 'data-theme="light"' in page(client, url)
    del client.cookies["theme"]
    assert 'data-theme="auto"' in page(client, url)


def test_weeks_asked_for_with_any_day_of_them_share_one_saved_page(client, django_assert_num_queries):
    first = page(client, f"{DAYS}?from=2026-12-06")
    with django_assert_num_queries(0):
        assert page(client, f"{DAYS}?from=2026-12-09") == first


@pytest.mark.parametrize("url", [DAYS, WEDNESDAY])
def test_a_saved_page_is_gzipped_once_for_every_browser_that_asks(client, url):
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    plain = client.get(url)
    assert first["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    for response in (first, plain):
        assert "Accept-Encoding" in [name.strip() for name in response["Vary"].split(",")]
    assert first.content[3] & gzip.FNAME  # Django's random padding against BREACH, once per saved page
    assert "Content-Encoding" not in plain
    assert gzip.decompress(first.content) == plain.content
    # The saved page's own compression: the same bytes, where compressing each response pads each anew.
    assert again.content == first.content
    assert int(again["Content-Length"]) == len(again.content)


def test_a_message_for_one_visitor_is_never_saved_for_the_next(client):
    with_message = client.get(reverse("appointments:day", kwargs={"day": "yesterday"}), follow=True)
    assert "Please pick a day from the calendar" in with_message.content.decode()
    assert "Please pick a day from the calendar" not in page(client, DAYS)


def test_pages_are_made_anew_while_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    assert "Choose a day" in page(client, DAYS)


DETAILS_AT_TEN = f"{reverse('appointments:details')}?{TEN_AM_LINK}"


def test_the_booking_form_checks_its_time_against_the_days_saved_free_times(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):
        assert "Your details" in page(client, DETAILS_AT_TEN)
    # The times page saved the same free times, and the rules, the open services and the footer's
    # business details are remembered: the form for another of those times needs no query.
    page(client, WEDNESDAY)
    with django_assert_num_queries(0):
        assert "Your details" in page(
            client, f"{reverse('appointments:details')}?{link_to(WEDNESDAY_10 + timedelta(hours=1))}"
        )


def redis_commands(url):
    """How many times Redis has run each command, by its own count (INFO commandstats)."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return {name.removeprefix("cmdstat_"): figures["calls"] for name, figures in stats.items()}


# Not what a page asks for: our own count, and what a new connection says first.
NOT_COUNTED = {"info", "hello", "client|setinfo"}


def commands_run(url, visit):
    before = redis_commands(url)
    visit()
    after = redis_commands(url)
    return {
        name: calls - before.get(name, 0)
        for name, calls in after.items()
        if calls != before.get(name, 0) and name not in NOT_COUNTED
    }


@pytest.mark.redis
def test_a_fresh_times_page_and_then_its_booking_form_each_take_one_read_from_redis(client, redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "posture_booking.redis_cache.RedisCache", "LOCATION": redis_url},
    }
    cache.clear()
    page(client, DAYS)  # the versions exist, as they do on a live site
    # The page, the versions and the day's saved free times in one MGET; the page and the free
    # times saved in one MSET (with their expiry, in the same transaction).
    commands = commands_run(redis_url, lambda: page(client, WEDNESDAY))
    assert commands == {"mget": 1, "multi": 1, "mset": 1, "expire": 2, "exec": 1}
    # The booking form finds the versions and the free times in one read, and saves nothing.
    commands = commands_run(redis_url, lambda: page(client, DETAILS_AT_TEN))
    assert commands == {"mget": 1}


def test_the_booking_form_for_a_time_just_booked_says_so_at_once(client, book):
    assert "Your details" in page(client, DETAILS_AT_TEN)
    book(WEDNESDAY_10)
    response = client.get(DETAILS_AT_TEN, follow=True)
    assert "Your details" not in response.content.decode()
    assert response.redirect_chain[-1][0] == WEDNESDAY


def test_the_booking_form_works_while_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    assert "Your details" in page(client, DETAILS_AT_TEN)


def test_after_a_booking_the_pages_read_only_the_calendar_again(client, book, django_assert_num_queries):
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    book(WEDNESDAY_10)
    # Only the sessions: the rules, working hours, time off, services and business details are remembered.
    with django_assert_num_queries(1):
        assert TEN_AM_LINK not in page(client, WEDNESDAY)


def test_julie_changing_the_rules_has_them_read_again(client, django_assert_num_queries):
    assert TEN_AM_LINK in page(client, WEDNESDAY)
    rules = BookingRules.load()
    rules.minimum_notice_hours = 48
    rules.save()
    # The rules, services, business details, working hours and time off; with 48 hours' notice the
    # day has no time to look up.
    with django_assert_num_queries(5):
        assert TEN_AM_LINK not in page(client, WEDNESDAY)
