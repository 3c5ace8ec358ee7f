"""Julie's calendar views in admin: what a week and a month hold (read-only selectors).

A week is seven days from the chosen one (today first, so a phone shows what is
next), in half-hour rows on the business wall clock; a session or a
time-off block becomes one cell spanning its rows, so the page needs no inline
styles. Each view runs a fixed number of queries.
"""

import calendar
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from .availability import wall_clock_to_utc
from .models import Appointment, TimeOff, WorkingHours

ROW_MINUTES = 30  # the booking grid's usual step, and a row tall enough to tap
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 18


@dataclass
class Cell:
    kind: str  # "session", "off" or "free"
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


def _grid_hours(appointments):
    """First and last hour shown: working hours, widened to fit any session outside them."""
    hours = list(WorkingHours.objects.all())
    first = min((h.start_time.hour for h in hours), default=DEFAULT_FIRST_HOUR)
    last = max((h.end_time.hour + (1 if h.end_time.minute else 0) for h in hours), default=DEFAULT_LAST_HOUR)
    for appointment in appointments:
        first = min(first, timezone.localtime(appointment.start).hour)
        local_end = timezone.localtime(appointment.end)
        last = max(last, local_end.hour + (1 if local_end.minute else 0))
    return first, min(max(last, first + 1), 24)


def week_grid(day):
    """Rows of cells for seven days from day: sessions, time off, free times (3 queries)."""
    days = [day + timedelta(days=i) for i in range(7)]
    window_start = wall_clock_to_utc(days[0], time.min)
    window_end = wall_clock_to_utc(days[-1] + timedelta(days=1), time.min)
    appointments = list(
        Appointment.objects.exclude(status=Appointment.Status.CANCELLED)
        .filter(start__lt=window_end, end__gt=window_start)
        .select_related("client")
    )
    time_off = list(TimeOff.objects.filter(start__lt=window_end, end__gt=window_start))
    first_hour, last_hour = _grid_hours(appointments)
    first_minute, last_minute = first_hour * 60, last_hour * 60
    row_count = (last_minute - first_minute) // ROW_MINUTES

    columns = []
    for current in days:
        column = [None] * row_count
        for appointment in appointments:  # Sessions first: they never overlap each other.
            span = _span(appointment, current, first_minute, last_minute)
            if span:
                for row in range(*span):
                    column[row] = appointment
        for block in time_off:  # Time off fills what sessions left.
            span = _span(block, current, first_minute, last_minute)
            if span:
                for row in range(*span):
                    column[row] = column[row] or block
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
        kind = "free" if item is None else "session" if isinstance(item, Appointment) else "off"
        cells[index] = Cell(kind=kind, start=start, rowspan=end - index, item=item)
        index = end
    return cells


def month_days(year, month):
    """Weeks of (day, sessions, time off) for a month, Sunday first (2 queries)."""
    weeks = calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    window_start = wall_clock_to_utc(first, time.min)
    window_end = wall_clock_to_utc(last + timedelta(days=1), time.min)
    appointments = (
        Appointment.objects.exclude(status=Appointment.Status.CANCELLED)
        .filter(start__lt=window_end, end__gt=window_start)
        .select_related("client")
        .order_by("start")
    )
    sessions_by_day = {}
    for appointment in appointments:
        sessions_by_day.setdefault(timezone.localtime(appointment.start).date(), []).append(appointment)
    time_off = list(TimeOff.objects.filter(start__lt=window_end, end__gt=window_start))
    return [
        [
            (
                current,
                sessions_by_day.get(current, []),
                [
                    block
                    for block in time_off
                    if block.start < wall_clock_to_utc(current + timedelta(days=1), time.min)
                    and block.end > wall_clock_to_utc(current, time.min)
                ],
            )
            for current in week
        ]
        for week in weeks
    ]
