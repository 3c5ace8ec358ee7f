"""Julie's calendar views in admin: what a day, a week and a month hold (read-only selectors).

A day is a list in time order: sessions, time off, closed stretches (outside her
working hours) and her free times. A week is seven days from the chosen one (today
first, so a phone shows what is next), in half-hour rows on the business wall clock;
a session, a time-off block or a closed stretch becomes one cell spanning its rows,
so the page needs no inline styles. Each view runs a fixed number of queries.
Cancelled sessions are left out unless asked for (with_cancelled).
"""

import calendar
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from .availability import free_slots_on, rules_for_julie, wall_clock_to_utc
from .booking import course_label, with_course_place
from .models import Appointment, TimeOff, WorkingHours

ROW_MINUTES = 30  # the booking grid's usual step, and a row tall enough to tap
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 18


@dataclass
class Cell:
    kind: str  # "session", "off", "closed" or "free"
    start: datetime  # aware
    rowspan: int = 1
    item: object = None


@dataclass
class Row:
    label: str  # the hour, on full hours only
    cells: list = field(default_factory=list)  # one per day, None where a longer cell above covers it


def _minutes(moment):
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


def _span(item, day, first_minute, last_minute):
    """The rows [a, b) an item covers on one day, clipped to the grid; None if it misses them."""
    day_start = wall_clock_to_utc(day, time.min)
    day_end = wall_clock_to_utc(day + timedelta(days=1), time.min)
    if item.end <= day_start or item.start >= day_end:
        return None
    start = _minutes(item.start) if item.start > day_start else 0
    end = _minutes(item.end) if item.end < day_end else 24 * 60
    start, end = max(start, first_minute), min(end, last_minute)
    if end <= start:
        return None
    return (start - first_minute) // ROW_MINUTES, math.ceil((end - first_minute) / ROW_MINUTES)


def _grid_hours(hours, appointments):
    """First and last hour shown: working hours, widened to fit any session outside them."""
    first = min((h.start_time.hour for h in hours), default=DEFAULT_FIRST_HOUR)
    last = max((h.end_time.hour + (1 if h.end_time.minute else 0) for h in hours), default=DEFAULT_LAST_HOUR)
    for appointment in appointments:
        first = min(first, timezone.localtime(appointment.start).hour)
        local_end = timezone.localtime(appointment.end)
        last = max(last, local_end.hour + (1 if local_end.minute else 0))
    return first, min(max(last, first + 1), 24)


def _day_bounds(day):
    """The UTC instants of a business day's midnights (a DST day is 23 or 25 hours long)."""
    return wall_clock_to_utc(day, time.min), wall_clock_to_utc(day + timedelta(days=1), time.min)


def _sessions(window_start, window_end, *, with_cancelled):
    # The client's intake too, for its badge (intake_tags.intake_badge), and the service the day
    # view names: no query per session.
    sessions = Appointment.objects.filter(start__lt=window_end, end__gt=window_start).select_related(
        "client", "client__intake", "service"
    )
    sessions = with_course_place(sessions)  # for the "Course: 3 of 6" badge
    if not with_cancelled:
        sessions = sessions.exclude(status=Appointment.Status.CANCELLED)
    return list(sessions.order_by("start"))


def _time_off(window_start, window_end):
    return list(TimeOff.objects.filter(start__lt=window_end, end__gt=window_start))


def _open_intervals(day, hours):
    """The day's working hours, as UTC intervals."""
    return [
        (wall_clock_to_utc(day, h.start_time), wall_clock_to_utc(day, h.end_time))
        for h in hours
        if h.weekday == day.weekday()
    ]


def _subtract(intervals, cuts):
    """The parts of the intervals that no cut covers."""
    for cut_start, cut_end in cuts:
        intervals = [
            piece
            for start, end in intervals
            for piece in ((start, min(end, cut_start)), (max(start, cut_end), end))
            if piece[0] < piece[1]
        ]
    return intervals


CLOSED = "closed"  # a week grid's row outside working hours


def week_grid(day, *, with_cancelled=False):
    """Rows of cells for seven days from day: sessions, time off, closed and free times (3 queries)."""
    days = [day + timedelta(days=i) for i in range(7)]
    window_start, window_end = _day_bounds(days[0])[0], _day_bounds(days[-1])[1]
    hours = list(WorkingHours.objects.all())
    appointments = _sessions(window_start, window_end, with_cancelled=with_cancelled)
    active = [appointment for appointment in appointments if appointment.is_active]
    cancelled = [appointment for appointment in appointments if not appointment.is_active]
    time_off = _time_off(window_start, window_end)
    first_hour, last_hour = _grid_hours(hours, appointments)
    first_minute, last_minute = first_hour * 60, last_hour * 60
    row_count = (last_minute - first_minute) // ROW_MINUTES

    columns = []
    for current in days:
        column = [None] * row_count
        # Active sessions never overlap each other; time off, then cancelled sessions fill what they left.
        for items in (active, time_off, cancelled):
            for item in items:
                span = _span(item, current, first_minute, last_minute)
                if span:
                    for row in range(*span):
                        column[row] = column[row] or item
        open_intervals = _open_intervals(current, hours)
        for row in range(row_count):
            minute = first_minute + row * ROW_MINUTES
            row_start = wall_clock_to_utc(current, time(minute // 60, minute % 60))
            row_end = row_start + timedelta(minutes=ROW_MINUTES)
            if column[row] is None and not any(start < row_end and end > row_start for start, end in open_intervals):
                column[row] = CLOSED
        columns.append(_cells(current, column, first_minute))

    rows = []
    for index in range(row_count):
        minute = first_minute + index * ROW_MINUTES
        label = time(minute // 60).strftime("%-I %p") if minute % 60 == 0 else ""
        rows.append(Row(label=label, cells=[column[index] for column in columns]))
    return days, rows


def _cells(day, column, first_minute):
    """One day's column as cells: a run of rows holding the same item becomes one spanning cell."""
    cells = [None] * len(column)
    index = 0
    while index < len(column):
        item = column[index]
        end = index + 1
        while item is not None and end < len(column) and column[end] is item:
            end += 1
        minute = first_minute + index * ROW_MINUTES
        start = wall_clock_to_utc(day, time(minute // 60, minute % 60))
        if item is None or item is CLOSED:
            kind = item or "free"
        else:
            kind = "session" if isinstance(item, Appointment) else "off"
        cells[index] = Cell(kind=kind, start=start, rowspan=end - index, item=item)
        index = end
    return cells


def month_days(year, month, *, with_cancelled=False):
    """Weeks of (day, sessions, time off, open) for a month, Sunday first (3 queries);
    open: whether Julie has working hours that weekday."""
    weeks = calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(year, month)
    window_start, window_end = _day_bounds(weeks[0][0])[0], _day_bounds(weeks[-1][-1])[1]
    open_weekdays = set(WorkingHours.objects.values_list("weekday", flat=True))
    sessions_by_day = {}
    for appointment in _sessions(window_start, window_end, with_cancelled=with_cancelled):
        sessions_by_day.setdefault(timezone.localtime(appointment.start).date(), []).append(appointment)
    time_off = _time_off(window_start, window_end)
    return [
        [
            (
                current,
                sessions_by_day.get(current, []),
                [
                    block
                    for block in time_off
                    if block.start < _day_bounds(current)[1] and block.end > _day_bounds(current)[0]
                ],
                current.weekday() in open_weekdays,
            )
            for current in week
        ]
        for week in weeks
    ]


@dataclass
class Entry:
    """One line of a day: a session, time off, a closed stretch, or a run of free times."""

    kind: str  # "session", "off", "closed" or "free"
    start: datetime  # aware
    end: datetime
    item: object = None  # the Appointment or TimeOff
    slots: list = field(default_factory=list)  # free times starting in this run
    all_day: bool = False
    badges: list = field(default_factory=list)  # a session's, from session_badges


@dataclass
class DayPlan:
    day: object  # date
    entries: list
    is_open: bool  # Julie has working hours this weekday
    cancelled_count: int  # cancelled sessions this day, shown or not


# Equal starts: a session before time off before a closed stretch before a free time.
_KIND_ORDER = {"session": 0, "off": 1, "closed": 2, "free": 3}


def day_plan(day, *, now, length, with_cancelled=False):
    """One day in time order: sessions, time off, closed stretches (within the hours the week
    grid shows) and runs of Julie's free times for a session of `length` (7 queries)."""
    day_start, day_end = _day_bounds(day)
    hours = list(WorkingHours.objects.all())
    appointments = _sessions(day_start, day_end, with_cancelled=True)
    shown = [appointment for appointment in appointments if with_cancelled or appointment.is_active]
    time_off = _time_off(day_start, day_end)
    open_intervals = _open_intervals(day, hours)

    first_hour, last_hour = _grid_hours(hours, shown)
    shown_hours = (
        wall_clock_to_utc(day, time(first_hour)),
        day_end if last_hour == 24 else wall_clock_to_utc(day, time(last_hour)),
    )
    busy = [(a.start, a.end) for a in shown if a.is_active] + [(block.start, block.end) for block in time_off]
    entries = [Entry("session", a.start, a.end, a, badges=session_badges(a)) for a in shown]
    for block in time_off:
        start, end = max(block.start, day_start), min(block.end, day_end)
        entries.append(Entry("off", start, end, block, all_day=(start, end) == (day_start, day_end)))
    entries += [Entry("closed", start, end) for start, end in _subtract(_subtract([shown_hours], open_intervals), busy)]
    slots = free_slots_on(day, now=now, length=length, rules=rules_for_julie())
    entries += [Entry("free", slot.start, slot.end, slots=[slot]) for slot in slots]
    entries.sort(key=lambda entry: (entry.start, _KIND_ORDER[entry.kind]))

    merged = []
    for entry in entries:
        if entry.kind == "free" and merged and merged[-1].kind == "free":
            merged[-1].slots.append(entry.slots[0])  # One run of free times, one line.
            merged[-1].end = entry.end
        else:
            merged.append(entry)
    return DayPlan(
        day=day,
        entries=merged,
        is_open=bool(open_intervals),
        cancelled_count=sum(not appointment.is_active for appointment in appointments),
    )


# Beside a cancelled session: an unwell cancellation (Julie's illness rule) is not a late one.
CANCELLATION_BADGES = {Appointment.Cancellation.UNWELL: "Unwell", Appointment.Cancellation.CLIENT_LATE: "Late"}


def session_badges(appointment):
    """Short labels beside a session in the day view: what Julie should read before it, and
    for a cancelled one whether the client was unwell or cancelled late."""
    badges = ["Note"] if appointment.client_note else []
    if course := course_label(appointment):
        badges.append(course)
    if not appointment.is_active and appointment.cancellation_kind in CANCELLATION_BADGES:
        badges.append(CANCELLATION_BADGES[appointment.cancellation_kind])
    return badges
