"""Reminders and aftercare are counted in real hours, so across a DST change they move on the wall clock.

Each session here is placed so that its reminder or aftercare window contains the
2:00 a.m. change: wall-clock arithmetic (24 hours on the Connecticut clock) would
give a time one hour off, and these tests would fail.
"""

from datetime import timedelta

import pytest

from appointments.models import OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind


def owed(appointment, kind):
    return appointment.emails.get(kind=kind)


def test_dst_fall_back_reminder_straddling_the_change_is_24_real_hours_before(book, weekdays_nine_to_five):
    # Sunday Nov 1, 2026 10:00 EST; the clocks went back at 2:00 that morning.
    start = business_time(2026, 11, 1, 10)
    appointment = book(start, at=business_time(2026, 10, 26, 9))
    reminder = owed(appointment, Kind.REMINDER)
    assert start - reminder.due_at == timedelta(hours=24)
    assert reminder.due_at == business_time(2026, 10, 31, 11)  # 11:00 EDT, not 10:00


def test_dst_spring_forward_reminder_straddling_the_change_is_24_real_hours_before(book, weekdays_nine_to_five):
    # Sunday Mar 14, 2027 10:00 EDT; the clocks went forward at 2:00 that morning.
    start = business_time(2027, 3, 14, 10)
    appointment = book(start, at=business_time(2027, 3, 8, 9))
    reminder = owed(appointment, Kind.REMINDER)
    assert reminder.due_at == business_time(2027, 3, 13, 9)  # 9:00 EST, not 10:00


def test_dst_fall_back_aftercare_straddling_the_change_is_24_real_hours_after(book, weekdays_nine_to_five):
    # Saturday Oct 31, 2026 10:00-11:00 EDT; aftercare 24 real hours after the end.
    appointment = book(business_time(2026, 10, 31, 10), at=business_time(2026, 10, 26, 9))
    aftercare = owed(appointment, Kind.AFTERCARE)
    assert aftercare.due_at - appointment.end == timedelta(hours=24)
    assert aftercare.due_at == business_time(2026, 11, 1, 10)  # 10:00 EST, not 11:00


def test_dst_spring_forward_aftercare_straddling_the_change_is_24_real_hours_after(book, weekdays_nine_to_five):
    appointment = book(business_time(2027, 3, 13, 10), at=business_time(2027, 3, 8, 9))
    aftercare = owed(appointment, Kind.AFTERCARE)
    assert aftercare.due_at == business_time(2027, 3, 14, 12)  # 12:00 EDT, not 11:00
