"""Dates far outside the years the business runs in: a clear answer, never a server error.

Python's datetime stops at years 1 and 9999, so a day added to 9999-12-31 (or a UTC
conversion of 0001-01-01 with a +14:00 offset) overflows; the parsers refuse such years.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.availability import BUSINESS_YEARS, parse_date
from appointments.forms import DATE_OUTSIDE_BUSINESS_YEARS, START_INVALID, parse_slot_start, slot_value
from appointments.models import Appointment, Client, TimeOff

from .conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
LATEST = "9999-12-31T23:59-05:00"
EARLIEST = "0001-01-01T00:00+14:00"
EXTREMES = [LATEST, EARLIEST, "9999-12-31T23:59+00:00", "0001-01-01T00:00-12:00", "1999-12-31T23:00-05:00"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(book):
    return book(business_time(2026, 12, 2, 10))


# --- the public pages ---


@pytest.mark.parametrize("start", EXTREMES)
def test_the_details_page_sends_an_extreme_time_back_to_the_calendar(client, start):
    response = client.get(reverse("appointments:details"), {"start": start})
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:days")


@pytest.mark.parametrize("start", EXTREMES)
def test_booking_an_extreme_time_is_refused_with_everything_typed_kept(client, start):
    response = client.post(reverse("appointments:details"), booking_data(start))
    assert response.status_code == 200
    assert START_INVALID in response.content.decode()
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", EXTREMES)
def test_moving_a_session_to_an_extreme_time_is_refused_and_the_session_kept(client, booked, start):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    response = client.post(url, {"day": "2026-12-03", "start": start, "website": ""})
    assert response.status_code == 200
    assert START_INVALID in response.content.decode()
    booked.refresh_from_db()
    assert booked.start == business_time(2026, 12, 2, 10)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_page_for_an_extreme_date_goes_back_to_the_calendar(client, day):
    response = client.get(reverse("appointments:day", kwargs={"day": day}))
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:days")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_reschedule_page_with_an_extreme_day_shows_no_times(client, booked, day):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    response = client.get(url, {"day": day})
    assert response.status_code == 200
    assert response.context["chosen_day"] is None


# --- Julie's admin ---


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_week_calendar_shows_this_week_for_an_extreme_day(julie_in_admin, day):
    response = julie_in_admin.get(reverse("admin:appointments_calendar_week"), {"day": day})
    assert response.status_code == 200
    assert date(2026, 12, 1) in response.context["days"]


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_month_calendar_shows_this_month_for_an_extreme_month(julie_in_admin, month):
    response = julie_in_admin.get(reverse("admin:appointments_calendar_month"), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == date(2026, 12, 1)


@pytest.mark.parametrize("start", EXTREMES)
def test_the_free_time_page_for_an_extreme_time_goes_back_to_the_week(julie_in_admin, start):
    response = julie_in_admin.get(reverse("admin:appointments_calendar_slot"), {"start": start})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:appointments_calendar_week")


@pytest.mark.parametrize("page", ["admin:appointments_timeoff_add", "admin:appointments_appointment_add"])
@pytest.mark.parametrize("start", EXTREMES)
def test_the_add_forms_ignore_an_extreme_start(julie_in_admin, page, start):
    response = julie_in_admin.get(reverse(page), {"start": start})
    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("start") is None


# --- the two parsers ---


def test_the_business_years_cover_the_calendar_with_room_to_spare():
    assert 2000 in BUSINESS_YEARS and 2199 in BUSINESS_YEARS
    assert parse_slot_start(slot_value(business_time(2199, 12, 31, 23, 30))) is not None
    assert parse_slot_start(slot_value(business_time(2000, 1, 1))) is not None
    assert parse_date("2199-12-31") == date(2199, 12, 31)


offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)), zone=offsets)
def test_a_parsed_slot_time_survives_the_arithmetic_the_pages_do(moment, zone):
    moment = moment.replace(second=0, microsecond=0, tzinfo=zone)
    text = moment.isoformat(timespec="minutes")
    parsed = parse_slot_start(text)
    if moment.year not in BUSINESS_YEARS:
        assert parsed is None
        return
    assert parsed == moment
    # What the views and availability do with a slot time: none of it may overflow.
    slot_value(parsed)
    parsed.astimezone(UTC) + timedelta(days=400)
    parsed.astimezone(UTC) - timedelta(days=400)


@settings(max_examples=300, deadline=None)
@given(day=st.dates())
def test_a_parsed_date_survives_the_arithmetic_the_calendars_do(day):
    parsed = parse_date(day.isoformat())
    if day.year not in BUSINESS_YEARS:
        assert parsed is None
        return
    assert parsed == day
    # What the week and month calendars do with a date: none of it may overflow.
    parsed + timedelta(days=400)
    parsed - timedelta(days=400)
    datetime.combine(parsed, datetime.min.time(), tzinfo=UTC).astimezone(timezone(timedelta(hours=14)))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_session_entered_in_admin_on_an_extreme_date_is_refused_on_the_form(julie_in_admin, service, day):
    someone = Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    response = julie_in_admin.post(
        reverse("admin:appointments_appointment_add"),
        {"client": someone.pk, "service": service.pk, "start_0": day, "start_1": "23:59", "status": "booked"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["start"] == [DATE_OUTSIDE_BUSINESS_YEARS]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_time_off_on_an_extreme_date_is_refused_on_the_form(julie_in_admin, day):
    response = julie_in_admin.post(
        reverse("admin:appointments_timeoff_add"),
        {"start_0": "2026-12-01", "start_1": "09:00", "end_0": day, "end_1": "23:59", "reason": "Away"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end"] == [DATE_OUTSIDE_BUSINESS_YEARS]
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("page", ["admin:appointments_timeoff_changelist", "admin:appointments_appointment_changelist"])
@pytest.mark.parametrize("year", ["9999", "0001", "x"])
def test_the_lists_by_date_show_every_row_for_an_extreme_year(julie_in_admin, page, year):
    response = julie_in_admin.get(reverse(page), {"start__year": year, "start__month": "12", "start__day": "31"})
    assert response.status_code == 302
    assert response["Location"] == reverse(page)
