"""The free-time engine jumps over busy times: it must find exactly what testing every grid time finds.

availability._free_starts steps a steady day's grid in UTC and, at a busy time, jumps to the first
grid time after it. The rule it keeps is written out plainly here, one grid time after another, and
the two are compared on generated days (the DST days among them), hours, busy times and notice.
"""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from appointments.availability import _BusyTimes, _free_starts, existing_wall_clock_to_utc, wall_clock_to_utc

DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 9), date(2026, 12, 2), date(2027, 6, 15)]


def every_grid_time(day, intervals, *, step, length, busy, earliest):
    """Each wall time of each working interval's grid that happens that day, ends inside the interval,
    is not before earliest and overlaps nothing busy."""
    for start_time, end_time in intervals:
        interval_end = wall_clock_to_utc(day, end_time)
        wall = datetime.combine(day, start_time)
        while wall.date() == day and wall.time() < end_time:
            start = existing_wall_clock_to_utc(day, wall.time())
            if (
                start is not None
                and start >= earliest
                and start + length <= interval_end
                and not any(busy_start < start + length and start < busy_end for busy_start, busy_end in busy)
            ):
                yield start
            wall += step


def quarter_hours(low, high):
    return st.integers(low * 4, high * 4).map(lambda quarters: time(quarters // 4, quarters % 4 * 15))


@st.composite
def working_intervals(draw):
    intervals = []
    for _ in range(draw(st.integers(1, 2))):
        start = draw(quarter_hours(0, 20))
        end = draw(quarter_hours(start.hour + 1, 23))
        intervals.append((start, end))
    return intervals


@st.composite
def busy_times(draw, day):
    midnight = datetime.combine(day, time.min, tzinfo=UTC)
    busy = []
    for _ in range(draw(st.integers(0, 10))):
        start = midnight + timedelta(minutes=draw(st.integers(-6 * 60, 30 * 60)) // 5 * 5)
        busy.append((start, start + timedelta(minutes=draw(st.integers(1, 60)) * 5)))
    return busy


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_jumping_over_busy_times_finds_every_free_grid_time(data):
    day = data.draw(st.sampled_from(DAYS))
    intervals = data.draw(working_intervals())
    busy = data.draw(busy_times(day))
    step = timedelta(minutes=data.draw(st.sampled_from([15, 30, 45, 60])))
    length = timedelta(minutes=data.draw(st.sampled_from([30, 60, 90])))
    earliest = datetime.combine(day, time.min, tzinfo=UTC) + timedelta(minutes=data.draw(st.integers(0, 28 * 60)))
    found = list(_free_starts(day, intervals, step=step, length=length, busy=_BusyTimes(busy), earliest=earliest))
    assert found == list(every_grid_time(day, intervals, step=step, length=length, busy=busy, earliest=earliest))
