"""Free slots: the one availability engine behind the pages, booking and admin.

Slots are laid out on the wall clock of the business time zone (9:00, 9:30, ...)
and compared in UTC, so DST days come out right: a wall time that does not exist
(spring forward) is skipped, a repeated one (fall back) is offered once, and every
slot lasts its service's real length (Service.duration) whatever the clock does.
"""

import bisect
import copy
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Appointment, BookingRules, TimeOff, WorkingHours


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    # False for a time inside the change cut-off (BookingRules.can_change_online): once
    # booked, it cannot be cancelled or moved online, and the pages say so before booking.
    changeable_online: bool = field(default=True, compare=False)

    @property
    def local_start(self):
        return timezone.localtime(self.start)

    @property
    def local_end(self):
        return timezone.localtime(self.end)


# The years a date typed or carried in a URL may fall in. Python's datetime ends at years
# 1 and 9999, so a day added to (or a time zone applied to) a date near either end overflows;
# every date and time the site reads is refused outside these years, far from both ends.
BUSINESS_YEARS = range(2000, 2200)


def parse_date(text, *, default=None):
    """A date from 'YYYY-MM-DD' text in a URL or form, or default when it is not one
    (or falls outside BUSINESS_YEARS)."""
    try:
        parsed = date.fromisoformat(text or "")
    except (TypeError, ValueError):
        return default
    return parsed if parsed.year in BUSINESS_YEARS else default


def business_today(now):
    return timezone.localtime(now).date()


def wall_clock_to_utc(day, time_of_day):
    """The UTC instant of a business wall-clock time (the first one, if DST repeats it)."""
    return datetime.combine(day, time_of_day, tzinfo=timezone.get_default_timezone()).astimezone(UTC)


def existing_wall_clock_to_utc(day, time_of_day):
    """Like wall_clock_to_utc, but None for a wall time that DST skips."""
    instant = wall_clock_to_utc(day, time_of_day)
    # The business zone itself rather than timezone.localtime(): this runs for every
    # candidate slot, and finding the active zone (a thread-local) cost more than the conversion.
    if instant.astimezone(timezone.get_default_timezone()).replace(tzinfo=None) != datetime.combine(day, time_of_day):
        return None  # Spring forward: this wall time never happens.
    return instant


def _steady_utc_offset(day):
    """The business zone's UTC offset all day long, or None on a day the clocks change."""
    zone = timezone.get_default_timezone()
    offset = datetime.combine(day, time.min, tzinfo=zone).utcoffset()
    return offset if datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).utcoffset() == offset else None


def _free_starts(day, intervals, *, step, length, busy, earliest):
    """The UTC starts of one day's free slots: on the wall-clock grid of each working interval,
    ending inside it, not before earliest and overlapping nothing busy."""
    # Most days keep one offset, so the grid is simply shifted to UTC and stepped there, jumping
    # over whatever is busy: converting each wall time through the zone, and testing each grid
    # time, were most of the cost of laying out a calendar. DST days take the slow, exact way.
    offset = _steady_utc_offset(day)
    for start_time, end_time in intervals:
        interval_end = wall_clock_to_utc(day, end_time)
        if offset is None:
            wall = datetime.combine(day, start_time)
            while wall.date() == day and wall.time() < end_time:
                start = existing_wall_clock_to_utc(day, wall.time())
                in_bounds = start is not None and earliest <= start and start + length <= interval_end
                if in_bounds and busy.busy_until(start, start + length) is None:
                    yield start
                wall += step
            continue
        grid_start = (datetime.combine(day, start_time) - offset).replace(tzinfo=UTC)
        start = _grid_at_or_after(max(earliest, grid_start), grid_start, step)
        while start + length <= interval_end:
            busy_until = busy.busy_until(start, start + length)
            if busy_until is None:
                yield start
                start += step
            else:
                # Every grid time before busy_until overlaps the same busy interval.
                start = _grid_at_or_after(busy_until, grid_start, step)


def _grid_at_or_after(moment, grid_start, step):
    """The first time on the grid (grid_start + n steps) at or after moment, which is not before grid_start."""
    return grid_start - ((grid_start - moment) // step) * step


class _BusyTimes:
    """Busy intervals with a fast 'does this overlap anything, and until when?' test."""

    def __init__(self, intervals):
        intervals = sorted(intervals)
        self.starts = [start for start, _ in intervals]
        # The latest end among the intervals up to each one: an interval [start, end) overlaps
        # something when an interval starting before `end` ends after `start`.
        self.latest_ends = list(itertools.accumulate((end for _, end in intervals), max))

    def busy_until(self, start, end):
        """When [start, end) overlaps something: the latest end of what starts before `end`
        (no time from start up to it is free for this length); else None."""
        starting_before_end = bisect.bisect_left(self.starts, end)
        if starting_before_end and self.latest_ends[starting_before_end - 1] > start:
            return self.latest_ends[starting_before_end - 1]
        return None


@dataclass(frozen=True)
class Schedule:
    """What Julie sets and rarely changes, as free_slots reads it."""

    hours: dict  # her working hours: {weekday: [(start time, end time), ...]}, Monday 0
    time_off: list  # her time off ending after the moment it was read: [(start, end), ...], aware


def julies_schedule(now):
    """Julie's working hours, and her time off that ends after now."""
    hours = defaultdict(list)
    for weekday, start_time, end_time in WorkingHours.objects.values_list("weekday", "start_time", "end_time"):
        hours[weekday].append((start_time, end_time))
    return Schedule(hours=dict(hours), time_off=list(TimeOff.objects.filter(end__gt=now).values_list("start", "end")))


def free_slots(*, start_date, end_date, now, length, rules=None, schedule=None, ignore_appointment=None):
    """Free slots of `length` (the service's duration) from start_date to end_date
    (business dates, inclusive), in order.

    Never offered: outside working hours, overlapping a session (plus the buffer)
    or time off, in the past or inside the minimum notice, past the horizon.
    Offered inside the change cut-off: marked (Slot.changeable_online).
    Runs a fixed number of queries whatever the range or the number of bookings.
    rules and schedule (julies_schedule()) are read when not given.
    ignore_appointment: a session being moved, whose own time counts as free.
    """
    rules = rules or BookingRules.load()
    schedule = schedule or julies_schedule(now)
    earliest = now + rules.minimum_notice
    last_day = min(end_date, business_today(now) + timedelta(days=rules.horizon_days))
    first_day = max(start_date, business_today(earliest))
    if first_day > last_day:
        return []

    window_start = wall_clock_to_utc(first_day, time.min)
    window_end = wall_clock_to_utc(last_day + timedelta(days=1), time.min)

    buffer = rules.buffer
    sessions = Appointment.objects.filter(
        ~Q(status=Appointment.Status.CANCELLED), start__lt=window_end + buffer, end__gt=window_start - buffer
    )
    if ignore_appointment is not None:
        sessions = sessions.exclude(pk=ignore_appointment.pk)
    busy = _BusyTimes(
        [(start - buffer, end + buffer) for start, end in sessions.values_list("start", "end")] + schedule.time_off
    )

    first_changeable = rules.earliest_changeable_start(now)
    slots = []
    seen = set()  # two working intervals of a day may overlap
    day = first_day
    while day <= last_day:
        intervals = schedule.hours.get(day.weekday(), ())
        for start in _free_starts(day, intervals, step=rules.slot_step, length=length, busy=busy, earliest=earliest):
            if start not in seen:
                seen.add(start)
                slots.append(Slot(start, start + length, changeable_online=start >= first_changeable))
        day += timedelta(days=1)
    slots.sort()
    return slots


def slot_at(start, *, length, now, rules):
    """The slot starting at `start`, marked as free_slots marks it, without checking it is free."""
    start = start.astimezone(UTC)
    return Slot(start, start + length, changeable_online=rules.can_change_online(start, now=now))


def free_slots_on(day, *, now, length, rules=None, schedule=None, ignore_appointment=None):
    return free_slots(
        start_date=day,
        end_date=day,
        now=now,
        length=length,
        rules=rules,
        schedule=schedule,
        ignore_appointment=ignore_appointment,
    )


def slot_starting_at(slots, start):
    """The slot of `slots` starting at this instant, or None."""
    # Compare in UTC: Python never finds a wall time in the repeated fall-back
    # hour equal to a datetime in another zone (PEP 495).
    start = start.astimezone(UTC)
    return next((slot for slot in slots if slot.start == start), None)


def find_free_slot(start, *, now, length, rules=None, ignore_appointment=None):
    """The free slot starting at this instant, or None if it is taken, off the grid or not offered."""
    day = timezone.localtime(start).date()
    slots = free_slots_on(day, now=now, length=length, rules=rules, ignore_appointment=ignore_appointment)
    return slot_starting_at(slots, start)


def horizon_slots(*, now, length, rules=None, ignore_appointment=None):
    """Every free slot from now to the end of the booking horizon."""
    rules = rules or BookingRules.load()
    today = business_today(now)
    return free_slots(
        start_date=today,
        end_date=today + timedelta(days=rules.horizon_days),
        now=now,
        length=length,
        rules=rules,
        ignore_appointment=ignore_appointment,
    )


# How far ahead Julie's own free times reach (a course of sessions, booked months ahead).
JULIE_HORIZON_DAYS = 365


def rules_for_julie(rules=None):
    """The rules Julie's own free times follow (her calendar, moving a session): her hours, time off
    and buffer hold, but not the minimum notice and horizon, which protect her from clients' bookings
    (a client on the phone may take this afternoon). A copy, never saved."""
    rules = copy.copy(rules or BookingRules.load())
    rules.minimum_notice_hours = 0
    rules.horizon_days = JULIE_HORIZON_DAYS
    return rules


def next_free_slot(*, now, length, rules=None):
    """The first free slot from now to the end of the horizon, or None."""
    slots = horizon_slots(now=now, length=length, rules=rules)
    return slots[0] if slots else None


def count_by_day(slots, *, first_day, last_day):
    """(day, number of free slots) for every business day from first_day to last_day."""
    zone = timezone.get_default_timezone()  # not slot.local_start: see existing_wall_clock_to_utc
    counts = defaultdict(int)
    for slot in slots:
        counts[slot.start.astimezone(zone).date()] += 1
    days = []
    day = first_day
    while day <= last_day:
        days.append((day, counts[day]))
        day += timedelta(days=1)
    return days


def overlapping_appointments(*, start, end, exclude=None):
    """Active sessions that overlap [start, end): the rule no booking may break, admin's included."""
    clashes = Appointment.objects.exclude(status=Appointment.Status.CANCELLED).filter(start__lt=end, end__gt=start)
    if exclude is not None and exclude.pk:
        clashes = clashes.exclude(pk=exclude.pk)
    return clashes


def overlapping_time_off(*, start, end):
    """Julie's time off that overlaps [start, end)."""
    return TimeOff.objects.filter(start__lt=end, end__gt=start)
