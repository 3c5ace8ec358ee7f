"""More of availability.py's rules, each pinned where a mutation run found it loose."""

from datetime import date, timedelta

import pytest

from appointments.availability import (
    Slot,
    count_by_day,
    find_free_slot,
    horizon_slots,
    overlapping_appointments,
)
from appointments.booking import cancel_appointment
from appointments.models import TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


def test_time_off_ending_as_a_slot_starts_leaves_that_slot_free(rules, now):
    TimeOff.objects.create(start=business_time(2026, 12, 2, 9), end=WEDNESDAY_10)
    assert find_free_slot(WEDNESDAY_10, now=now, length=HOUR, rules=rules) is not None
    assert find_free_slot(business_time(2026, 12, 2, 9, 30), now=now, length=HOUR, rules=rules) is None


def test_the_rules_given_are_the_rules_used_not_the_saved_ones(rules, now):
    rules.minimum_notice_hours = 0  # unsaved: what a caller holding the calendar lock has in hand
    soon = business_time(2026, 12, 1, 9)  # an hour from now: inside the saved 12-hour notice
    assert find_free_slot(soon, now=now, length=HOUR, rules=rules) is not None
    assert horizon_slots(now=now, length=HOUR, rules=rules)[0].start == soon


def test_the_horizon_counts_from_the_day_of_now(rules):
    later = business_time(2027, 3, 1, 8)  # a Monday, months from the machine's own clock
    rules.horizon_days = 2
    days = {slot.local_start.date() for slot in horizon_slots(now=later, length=HOUR, rules=rules)}
    assert days == {date(2027, 3, 2), date(2027, 3, 3)}


def test_an_evening_slot_is_counted_on_its_connecticut_day():
    evening = Slot(business_time(2026, 12, 2, 20), business_time(2026, 12, 2, 21))  # 01:00 UTC the next day
    counts = dict(count_by_day([evening], first_day=date(2026, 12, 2), last_day=date(2026, 12, 3)))
    assert counts == {date(2026, 12, 2): 1, date(2026, 12, 3): 0}


def test_a_later_session_is_no_clash_for_an_earlier_time(book):
    book(business_time(2026, 12, 2, 14))
    assert not overlapping_appointments(start=WEDNESDAY_10, end=WEDNESDAY_10 + HOUR).exists()


def test_a_cancelled_session_is_no_clash(book, now):
    cancel_appointment(appointment=book(WEDNESDAY_10), now=now)
    assert not overlapping_appointments(start=WEDNESDAY_10, end=WEDNESDAY_10 + HOUR).exists()
