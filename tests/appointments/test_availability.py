from datetime import UTC, date, datetime, time, timedelta

import pytest

from appointments.availability import _steady_utc_offset, count_by_day, find_free_slot, free_slots, free_slots_on
from appointments.models import Appointment, Client, TimeOff, WorkingHours

from .conftest import NEW_YORK, business_time

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)  # the seeded CSMT service's length


def starts(slots):
    return [slot.local_start.strftime("%H:%M") for slot in slots]


def test_slots_follow_working_hours_on_the_step_grid(rules, now):
    # Seeded hours: 9-12 and 13-17 on weekdays; step 30 minutes.
    slots = free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules)
    assert starts(slots) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    ]
    assert all(slot.end - slot.start == HOUR for slot in slots)


def test_sunday_has_no_slots_by_default(rules, now):
    assert free_slots_on(date(2026, 12, 6), now=now, length=HOUR, rules=rules) == []


def test_slots_are_stored_in_utc(rules, now):
    slot = free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules)[0]
    assert slot.start == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


def test_no_slot_inside_minimum_notice_or_in_the_past(rules, now):
    rules.minimum_notice_hours = 4
    today = free_slots_on(date(2026, 12, 1), now=now, length=HOUR, rules=rules)
    assert starts(today)[0] == "13:00"  # 8:00 + 4 h = 12:00, inside lunch.
    assert free_slots_on(date(2026, 11, 30), now=now, length=HOUR, rules=rules) == []


def test_no_slot_past_the_horizon(rules, now):
    rules.horizon_days = 7
    assert free_slots_on(date(2026, 12, 8), now=now, length=HOUR, rules=rules)
    assert free_slots_on(date(2026, 12, 9), now=now, length=HOUR, rules=rules) == []


def test_a_booking_and_its_buffer_are_not_offered(rules, now, book):
    book(business_time(2026, 12, 2, 10))
    # Buffer 15 minutes: 9:00-10:00 ends too close to 10:00, 11:00 starts at 11:00 < 11:15.
    assert starts(free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules))[:3] == [
        "13:00",
        "13:30",
        "14:00",
    ]


def test_cancelled_booking_frees_its_slot(rules, now, book):
    appointment = book(business_time(2026, 12, 2, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    assert "10:00" in starts(free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules))


def test_time_off_blocks_slots(rules, now):
    TimeOff.objects.create(start=business_time(2026, 12, 2, 13), end=business_time(2026, 12, 2, 17))
    assert starts(free_slots_on(date(2026, 12, 2), now=now, length=HOUR, rules=rules))[-1] == "11:00"


def test_time_off_over_several_days_blocks_them_all(rules, now):
    TimeOff.objects.create(start=business_time(2026, 12, 3), end=business_time(2026, 12, 6))
    slots = free_slots(start_date=date(2026, 12, 2), end_date=date(2026, 12, 7), now=now, length=HOUR, rules=rules)
    assert {slot.local_start.date() for slot in slots} == {date(2026, 12, 2), date(2026, 12, 7)}


def test_off_grid_time_is_not_a_free_slot(rules, now):
    assert find_free_slot(business_time(2026, 12, 2, 9, 15), now=now, length=HOUR, rules=rules) is None
    assert find_free_slot(business_time(2026, 12, 2, 9, 30), now=now, length=HOUR, rules=rules) is not None


def test_count_by_day_covers_every_day(rules, now):
    slots = free_slots(start_date=date(2026, 12, 1), end_date=date(2026, 12, 7), now=now, length=HOUR, rules=rules)
    counts = dict(count_by_day(slots, first_day=date(2026, 12, 1), last_day=date(2026, 12, 7)))
    assert len(counts) == 7
    assert counts[date(2026, 12, 6)] == 0
    assert counts[date(2026, 12, 2)] == 12


# DST: clocks spring forward at 2:00 on 2026-03-08 and fall back at 2:00 on 2026-11-01.


@pytest.fixture
def night_hours(db):
    """Working hours across the 2 a.m. change, to put DST right in the middle of the day's slots."""
    WorkingHours.objects.all().delete()
    WorkingHours.objects.create(weekday=6, start_time=time(0), end_time=time(5))  # Sundays


def test_spring_forward_offers_no_slot_at_a_time_that_does_not_exist(rules, night_hours):
    now = business_time(2026, 3, 1, 12)
    slots = free_slots_on(date(2026, 3, 8), now=now, length=HOUR, rules=rules)
    assert not any(slot.local_start.hour == 2 for slot in slots)
    assert starts(slots) == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00"]
    for slot in slots:
        assert slot.end - slot.start == timedelta(hours=1)  # one real hour
    # 1:00 EST + 1 real hour is 3:00 EDT on the wall clock.
    one_am = [slot for slot in slots if slot.local_start.hour == 1][0]
    assert one_am.local_end.strftime("%H:%M") == "03:00"


def test_fall_back_offers_the_repeated_hour_once(rules, night_hours):
    now = business_time(2026, 10, 25, 12)
    slots = free_slots_on(date(2026, 11, 1), now=now, length=HOUR, rules=rules)
    assert len({slot.start for slot in slots}) == len(slots)
    assert starts(slots).count("01:00") == 1
    assert starts(slots).count("01:30") == 1
    for slot in slots:
        assert slot.end - slot.start == timedelta(hours=1)


def test_daytime_slots_on_dst_days_keep_their_wall_clock_times(rules, weekdays_nine_to_five):
    spring = free_slots_on(date(2026, 3, 8), now=business_time(2026, 3, 1), length=HOUR, rules=rules)
    autumn = free_slots_on(date(2026, 11, 1), now=business_time(2026, 10, 25), length=HOUR, rules=rules)
    assert starts(spring)[0] == starts(autumn)[0] == "09:00"
    assert spring[0].start == datetime(2026, 3, 8, 13, tzinfo=UTC)  # EDT, UTC-4
    assert autumn[0].start == datetime(2026, 11, 1, 14, tzinfo=UTC)  # EST, UTC-5


@pytest.mark.parametrize(
    ("day", "offset"),
    [(date(2026, 12, 2), timedelta(hours=-5)), (date(2026, 7, 1), timedelta(hours=-4)), (date(2026, 11, 1), None)],
)
def test_only_days_the_clocks_do_not_change_are_laid_out_with_one_offset(day, offset):
    # The quick way for ordinary days; the day the clocks change takes each wall time through the zone.
    assert _steady_utc_offset(day) == offset
    assert _steady_utc_offset(date(2027, 3, 14)) is None


def test_a_booking_in_the_repeated_hour_blocks_only_that_hour(rules, night_hours, book):
    now = business_time(2026, 10, 25, 12)
    rules.buffer_minutes = 0
    rules.save()
    first_one_am = datetime(2026, 11, 1, 1, tzinfo=NEW_YORK)  # EDT, the first 1:00
    book(first_one_am, at=now)
    slots = free_slots_on(date(2026, 11, 1), now=now, length=HOUR, rules=rules)
    assert first_one_am.astimezone(UTC) not in {slot.start for slot in slots}
    assert all(slot.start >= first_one_am + timedelta(hours=1) or slot.end <= first_one_am for slot in slots)


def test_query_count_is_flat_with_5000_appointments(rules, now, django_assert_max_num_queries, service):
    client = Client.objects.create(name="Busy", email="busy@example.com", phone="1")
    start = business_time(2026, 12, 2, 9)
    Appointment.objects.bulk_create(
        Appointment(
            client=client,
            service=service,
            start=start + timedelta(hours=3 * i),
            end=start + timedelta(hours=3 * i + 1),
        )
        for i in range(5000)
    )
    with django_assert_max_num_queries(3):
        slots = free_slots(start_date=date(2026, 12, 1), end_date=date(2027, 1, 30), now=now, length=HOUR, rules=rules)
    assert slots
    taken = {a.start for a in Appointment.objects.all()}
    assert not any(slot.start in taken for slot in slots)


def test_query_count_without_appointments_is_the_same(rules, now, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        free_slots(start_date=date(2026, 12, 1), end_date=date(2027, 1, 30), now=now, length=HOUR, rules=rules)
