"""More of availability.py's rules, each pinned where a mutation run found it loose."""

from datetime import date, time, timedelta

import pytest

from appointments.availability import (
    Slot,
    count_by_day,
    find_free_slot,
    free_slots_on,
    horizon_slots,
    overlapping_appointments,
)
from appointments.booking import cancel_appointment
from appointments.models import Appointment, TimeOff, WorkingHours

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


@pytest.fixture
def hours_round_midnight(db):
    """Tuesday until a minute before midnight and Wednesday from midnight: sessions and their buffer
    reach across the day's edge."""
    WorkingHours.objects.all().delete()
    WorkingHours.objects.create(weekday=1, start_time=time(21), end_time=time(23, 59))
    WorkingHours.objects.create(weekday=2, start_time=time(0), end_time=time(3))


def test_the_buffer_of_a_session_after_midnight_reaches_back_into_the_day_before(
    rules, now, service, caller, hours_round_midnight
):
    rules.buffer_minutes, rules.slot_step_minutes = 30, 15
    midnight = business_time(2026, 12, 2, 0)
    Appointment.objects.create(client=caller, service=service, start=midnight, end=midnight + HOUR)
    tuesday = {slot.local_start.time() for slot in free_slots_on(date(2026, 12, 1), now=now, length=HOUR, rules=rules)}
    assert time(22, 30) in tuesday
    assert time(22, 45) not in tuesday  # it would end at 23:45, inside the 30 minutes before midnight


def test_the_buffer_of_a_session_ending_at_midnight_reaches_into_the_next_day(
    rules, now, service, caller, hours_round_midnight
):
    rules.buffer_minutes, rules.slot_step_minutes = 30, 15
    eleven_pm = business_time(2026, 12, 1, 23)
    Appointment.objects.create(client=caller, service=service, start=eleven_pm, end=eleven_pm + HOUR)
    wednesday = {
        slot.local_start.time() for slot in free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules)
    }
    assert time(0, 15) not in wednesday
    assert time(0, 30) in wednesday


def test_working_hours_that_overlap_offer_each_time_once(rules, now):
    # Admin refuses overlapping hours (WorkingHours.clean); rows written another way still give one slot a time.
    WorkingHours.objects.all().delete()
    WorkingHours.objects.create(weekday=2, start_time=time(9), end_time=time(12))
    WorkingHours.objects.create(weekday=2, start_time=time(10), end_time=time(13))
    starts = [slot.start for slot in free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules)]
    assert len(starts) == len(set(starts)) == 7  # 9:00 to 12:00, every half hour
