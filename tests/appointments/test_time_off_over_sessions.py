"""Time off laid over booked sessions: Julie chooses to keep them or cancel them and email the clients."""

from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from appointments import booking
from appointments.admin import SESSIONS_CANCELLED, SESSIONS_KEPT
from appointments.forms import slot_value
from appointments.models import Appointment, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
BOTH = ["ada@example.com", "grace@example.com"]
WEDNESDAY_9, WEDNESDAY_17 = business_time(2026, 12, 2, 9), business_time(2026, 12, 2, 17)


@pytest.fixture
def two_sessions_on_wednesday(book):
    """Ada at 10 and Grace at 14 on Wednesday December 2, and Hedy on Thursday."""
    ada = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    grace = book(business_time(2026, 12, 2, 14), email="grace@example.com")
    hedy = book(business_time(2026, 12, 3, 10), email="hedy@example.com")
    return ada, grace, hedy


def cancellation_notices():
    return sorted(
        OutgoingEmail.objects.filter(kind=Kind.CANCELLATION).values_list("appointment__client__email", flat=True)
    )


def statuses(*sessions):
    return [Appointment.objects.get(pk=session.pk).status for session in sessions]


def test_time_off_cancels_the_sessions_in_it_and_emails_their_clients(two_sessions_on_wednesday, now):
    ada, grace, hedy = two_sessions_on_wednesday
    time_off = TimeOff(start=WEDNESDAY_9, end=WEDNESDAY_17, reason="Flu")
    cancelled = booking.save_time_off(time_off=time_off, cancel_overlapping=True, now=now)
    assert [session.pk for session in cancelled] == [ada.pk, grace.pk]
    assert statuses(ada, grace, hedy) == ["cancelled", "cancelled", "booked"]
    assert cancellation_notices() == ["ada@example.com", "grace@example.com"]
    # Julie cancelled them herself: no notice to her, and no reminders for the clients.
    assert not OutgoingEmail.objects.filter(kind=Kind.THERAPIST_CANCELLED).exists()
    assert not ada.emails.filter(kind=Kind.REMINDER, status=OutgoingEmail.Status.PENDING).exists()
    assert TimeOff.objects.get().reason == "Flu"


def test_time_off_keeps_the_sessions_in_it_and_emails_nobody(two_sessions_on_wednesday, now):
    ada, grace, hedy = two_sessions_on_wednesday
    kept = booking.save_time_off(
        time_off=TimeOff(start=WEDNESDAY_9, end=WEDNESDAY_17), cancel_overlapping=False, now=now
    )
    assert [session.pk for session in kept] == [ada.pk, grace.pk]
    assert statuses(ada, grace, hedy) == ["booked", "booked", "booked"]
    assert cancellation_notices() == []
    assert TimeOff.objects.count() == 1


def test_a_session_already_under_way_is_not_cancelled(two_sessions_on_wednesday):
    ada, grace, _ = two_sessions_on_wednesday
    during_adas = business_time(2026, 12, 2, 10, 30)
    found = booking.save_time_off(
        time_off=TimeOff(start=WEDNESDAY_9, end=WEDNESDAY_17), cancel_overlapping=True, now=during_adas
    )
    assert [session.pk for session in found] == [grace.pk]
    assert statuses(ada, grace) == ["booked", "cancelled"]


def test_only_booked_sessions_are_found_in_time_off(two_sessions_on_wednesday):
    """A session marked completed, then moved to a later day (admin's form refuses that, but
    the row may be written another way), is not a booking to keep or cancel: it is neither
    listed nor counted."""
    ada, _, hedy = two_sessions_on_wednesday
    after_adas = business_time(2026, 12, 2, 11, 30)
    booking.set_appointment_status(appointment=ada, status=Appointment.Status.COMPLETED, now=after_adas)
    ada.refresh_from_db()
    ada.start, ada.end = ada.start + timedelta(days=1, hours=4), ada.end + timedelta(days=1, hours=4)
    booking.save_appointment_from_admin(appointment=ada, now=after_adas)
    thursday = TimeOff(start=business_time(2026, 12, 3, 9), end=business_time(2026, 12, 3, 17))
    found = booking.save_time_off(time_off=thursday, cancel_overlapping=False, now=after_adas)
    assert [session.pk for session in found] == [hedy.pk]
    assert statuses(ada, hedy) == ["completed", "booked"]


# --- the admin form ----------------------------------------------------------------------


def time_off_data(start="09:00", end="17:00", **extra):
    return {"start_0": "2026-12-02", "start_1": start, "end_0": "2026-12-02", "end_1": end, "reason": "Flu", **extra}


@pytest.fixture
def at_now(time_machine, now):
    time_machine.move_to(now)


def shown(*sessions):
    return ",".join(str(session.pk) for session in sessions)


def test_saving_time_off_over_sessions_without_a_choice_lists_them_and_saves_nothing(
    julie_in_admin, two_sessions_on_wednesday, at_now
):
    response = julie_in_admin.post(reverse("admin:appointments_timeoff_add"), time_off_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This time off has 2 sessions booked" in page
    assert "Someone, Wed Dec 2, 2026 10:00 AM" in page and "Someone, Wed Dec 2, 2026 2:00 PM" in page
    assert 'type="radio" name="booked_sessions" value="keep"' in page
    assert 'type="radio" name="booked_sessions" value="cancel"' in page
    assert not TimeOff.objects.exists()
    assert cancellation_notices() == []


@pytest.mark.parametrize(
    ("choice", "status", "message", "notices"),
    [
        ("keep", "booked", SESSIONS_KEPT.format(count="2 sessions"), []),
        ("cancel", "cancelled", SESSIONS_CANCELLED.format(count="2 sessions"), BOTH),
    ],
)
def test_julies_choice_is_done_and_said(
    julie_in_admin, two_sessions_on_wednesday, at_now, choice, status, message, notices
):
    ada, grace, hedy = two_sessions_on_wednesday
    data = time_off_data(booked_sessions=choice, sessions_shown=shown(ada, grace))
    response = julie_in_admin.post(reverse("admin:appointments_timeoff_add"), data, follow=True)
    assert response.redirect_chain, response.content.decode()[:3000]
    assert message in response.content.decode()
    assert statuses(ada, grace, hedy) == [status, status, "booked"]
    assert cancellation_notices() == notices
    assert TimeOff.objects.count() == 1


def test_a_session_booked_since_the_list_was_shown_is_asked_about_again(
    julie_in_admin, two_sessions_on_wednesday, at_now
):
    ada, grace, _ = two_sessions_on_wednesday
    data = time_off_data(booked_sessions="cancel", sessions_shown=shown(ada))
    response = julie_in_admin.post(reverse("admin:appointments_timeoff_add"), data)
    assert response.status_code == 200
    assert f'name="sessions_shown" value="{shown(ada, grace)}"' in response.content.decode()
    assert statuses(ada, grace) == ["booked", "booked"]
    assert not TimeOff.objects.exists()


def test_time_off_over_no_session_saves_at_once_without_a_question(julie_in_admin, at_now):
    response = julie_in_admin.post(reverse("admin:appointments_timeoff_add"), time_off_data())
    assert response.status_code == 302
    assert TimeOff.objects.count() == 1


def test_changing_only_the_reason_does_not_ask_again(julie_in_admin, two_sessions_on_wednesday, at_now, now):
    time_off = TimeOff(start=WEDNESDAY_9, end=WEDNESDAY_17, reason="Flu")
    booking.save_time_off(time_off=time_off, cancel_overlapping=False, now=now)
    change = reverse("admin:appointments_timeoff_change", args=[time_off.pk])
    response = julie_in_admin.post(change, time_off_data(reason="Dentist"), follow=True)
    assert response.redirect_chain
    assert SESSIONS_KEPT.format(count="2 sessions") in response.content.decode()
    assert TimeOff.objects.get().reason == "Dentist"


def test_moving_time_off_onto_sessions_asks(julie_in_admin, two_sessions_on_wednesday, at_now, now):
    time_off = TimeOff(start=WEDNESDAY_9 + timedelta(days=2), end=WEDNESDAY_17 + timedelta(days=2))
    booking.save_time_off(time_off=time_off, cancel_overlapping=False, now=now)
    change = reverse("admin:appointments_timeoff_change", args=[time_off.pk])
    response = julie_in_admin.post(change, time_off_data())
    assert response.status_code == 200
    assert "This time off has 2 sessions booked" in response.content.decode()
    assert TimeOff.objects.get().start == WEDNESDAY_9 + timedelta(days=2)


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (
            "/admin/appointments/appointment/calendar/day/?day=2026-12-02",
            "/admin/appointments/appointment/calendar/day/?day=2026-12-02",
        ),
        ("https://elsewhere.example/", "/admin/appointments/timeoff/"),  # not ours: the usual list
        ("", "/admin/appointments/timeoff/"),
    ],
)
def test_time_off_blocked_off_from_the_calendar_goes_back_to_that_day(julie_in_admin, at_now, next_url, lands_on):
    add = reverse("admin:appointments_timeoff_add") + "?" + urlencode({"next": next_url})
    response = julie_in_admin.post(add, time_off_data())
    assert response.status_code == 302
    assert response.url == lands_on
    assert TimeOff.objects.count() == 1


def test_the_slot_pages_block_off_link_carries_the_way_back(julie_in_admin, at_now):
    day = "/admin/appointments/appointment/calendar/day/?day=2026-12-02"
    slot = (
        reverse("admin:appointments_calendar_slot")
        + "?"
        + urlencode({"start": slot_value(business_time(2026, 12, 2, 13)), "next": day})
    )
    response = julie_in_admin.get(slot)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"next={quote(day, safe='')}" in page.replace("&amp;", "&")
