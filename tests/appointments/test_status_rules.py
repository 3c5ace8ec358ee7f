"""Completed and no-show only for sessions that have started: at the function, the actions and the form."""

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments import booking
from appointments.models import Appointment

from .conftest import business_time
from .test_admin import admin_booking

pytestmark = pytest.mark.django_db

Status = Appointment.Status
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture
def wednesday(book):
    return book(WEDNESDAY_10, email="ada@example.com")


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.NO_SHOW])
def test_a_session_not_started_yet_cannot_be_marked(wednesday, now, status):
    with pytest.raises(booking.BookingError) as refused:
        booking.set_appointment_status(appointment=wednesday, status=status, now=WEDNESDAY_10 - timedelta(minutes=1))
    label = Status(status).label.lower()
    assert str(refused.value) == f"Someone, Wed Dec 2, 2026 10:00 AM: {booking.NOT_STARTED.format(status=label)}"
    wednesday.refresh_from_db()
    assert wednesday.status == Status.BOOKED


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.NO_SHOW])
def test_a_session_is_marked_from_its_start(wednesday, status):
    booking.set_appointment_status(appointment=wednesday, status=status, now=WEDNESDAY_10)
    wednesday.refresh_from_db()
    assert wednesday.status == status


@pytest.mark.parametrize(("current", "status"), [(Status.BOOKED, Status.CANCELLED), (Status.CANCELLED, Status.BOOKED)])
def test_the_rule_lets_other_statuses_through(current, status):
    before = WEDNESDAY_10 - timedelta(days=1)
    assert booking.status_refusal(current=current, status=status, start=WEDNESDAY_10, now=before) is None


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.NO_SHOW])
def test_a_session_already_marked_keeps_its_mark_only_where_it_has_begun(status):
    assert booking.status_refusal(current=status, status=status, start=WEDNESDAY_10, now=WEDNESDAY_10) is None
    before = WEDNESDAY_10 - timedelta(minutes=1)
    label = Status(status).label.lower()
    assert booking.status_refusal(current=status, status=status, start=WEDNESDAY_10, now=before) == (
        booking.NOT_STARTED.format(status=label)
    )


def test_the_change_form_refuses_to_move_a_no_show_to_a_time_to_come(julie_in_admin, wednesday, service, time_machine):
    # A client who did not come is booked again by changing the status too, so the new time gets its emails.
    time_machine.move_to(WEDNESDAY_10 + timedelta(hours=2))
    booking.set_appointment_status(appointment=wednesday, status=Status.NO_SHOW, now=WEDNESDAY_10 + timedelta(hours=2))
    response = post_change_form(julie_in_admin, wednesday, service, "2026-12-09", status="no_show")
    assert response.status_code == 200
    assert booking.NOT_STARTED.format(status="no-show") in response.content.decode()
    wednesday.refresh_from_db()
    assert (wednesday.start, wednesday.status) == (WEDNESDAY_10, Status.NO_SHOW)


def post_change_form(browser, session, service, day, *, status):
    """Julie's change form for the session sent with a day at 10:00 and a status."""
    change = reverse("admin:appointments_appointment_change", args=[session.pk])
    return browser.post(change, {**admin_booking(session.client, service, day, "10:00"), "status": status})


def mark(browser, action, *sessions):
    return browser.post(
        reverse("admin:appointments_appointment_changelist") + "?when=all",
        {"action": action, "_selected_action": [session.pk for session in sessions]},
        follow=True,
    )


def test_the_action_marks_the_started_sessions_and_says_which_it_skipped_and_why(julie_in_admin, book, time_machine):
    yesterday = book(business_time(2026, 12, 1, 10), email="grace@example.com", at=business_time(2026, 11, 30, 8))
    tomorrow = book(business_time(2026, 12, 3, 10), email="hedy@example.com", at=business_time(2026, 11, 30, 8))
    time_machine.move_to(business_time(2026, 12, 2, 8))
    page = mark(julie_in_admin, "mark_no_show", yesterday, tomorrow).content.decode()
    assert "Marked 1 session as no-show." in page
    assert "Not marked no-show:" in page
    assert f"Someone, Thu Dec 3, 2026 10:00 AM: {booking.NOT_STARTED.format(status='no-show')}" in page
    assert [Appointment.objects.get(pk=s.pk).status for s in (yesterday, tomorrow)] == [Status.NO_SHOW, Status.BOOKED]


def test_the_action_says_why_it_skips_a_cancelled_session(julie_in_admin, wednesday, now, time_machine):
    booking.cancel_appointment(appointment=wednesday, now=now, by_client=False)
    time_machine.move_to(WEDNESDAY_10 + timedelta(hours=2))
    page = mark(julie_in_admin, "mark_completed", wednesday).content.decode()
    assert booking.CANCELLED_STAYS.format(status="completed") in page
    assert "Marked 0" not in page and "Marked 1" not in page


def test_the_change_form_refuses_no_show_for_a_session_to_come(julie_in_admin, wednesday, service, time_machine):
    time_machine.move_to(business_time(2026, 12, 1, 8))
    response = post_change_form(julie_in_admin, wednesday, service, "2026-12-02", status="no_show")
    assert response.status_code == 200
    assert booking.NOT_STARTED.format(status="no-show") in response.content.decode()
    wednesday.refresh_from_db()
    assert wednesday.status == Status.BOOKED

    time_machine.move_to(WEDNESDAY_10 + timedelta(minutes=5))
    assert post_change_form(julie_in_admin, wednesday, service, "2026-12-02", status="no_show").status_code == 302
    wednesday.refresh_from_db()
    assert wednesday.status == Status.NO_SHOW
