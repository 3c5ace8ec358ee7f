""" "Send again" refuses emails that no longer make sense, and says why: one rule with the sender."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from appointments import dispatch, emails
from appointments.admin import EMAILS_REFUSED
from appointments.booking import cancel_appointment, reschedule_appointment, save_appointment_from_admin
from appointments.models import Appointment, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind, Status = OutgoingEmail.Kind, OutgoingEmail.Status
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
AFTER = WEDNESDAY_10 + timedelta(hours=3)


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


def failed(appointment, kind):
    email = appointment.emails.get(kind=kind)
    email.status = Status.FAILED
    email.save()
    return email


def set_status(appointment, status):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    appointment.refresh_from_db()


@pytest.mark.parametrize(
    ("kind", "status", "at", "reason"),
    [
        (Kind.CONFIRMATION, "booked", WEDNESDAY_10, emails.SESSION_STARTED),
        (Kind.CONFIRMATION, "no_show", AFTER, emails.SESSION_NO_SHOW),
        (Kind.REMINDER, "booked", WEDNESDAY_10 + timedelta(minutes=1), emails.SESSION_STARTED),
        (Kind.REMINDER, "completed", AFTER, emails.SESSION_COMPLETED),
        (Kind.AFTERCARE, "no_show", AFTER, emails.SESSION_NO_SHOW),
        (Kind.CONFIRMATION, "booked", WEDNESDAY_10 - timedelta(minutes=1), None),
        (Kind.AFTERCARE, "completed", AFTER, None),
        (Kind.AFTERCARE, "booked", AFTER, None),
    ],
)
def test_why_an_email_is_not_wanted(booked, kind, status, at, reason):
    set_status(booked, status)
    email = booked.emails.get(kind=kind)
    assert emails.why_not_wanted(email, now=at) == reason
    assert emails.is_still_wanted(email, now=at) is (reason is None)


def test_emails_about_a_cancelled_or_moved_session_are_not_wanted(booked, now):
    def confirmation():
        return OutgoingEmail.objects.get(appointment=booked, kind=Kind.CONFIRMATION, sequence=0)

    moved = reschedule_appointment(appointment=booked, new_start=business_time(2026, 12, 3, 14), now=now)
    assert emails.why_not_wanted(confirmation(), now=now) == emails.SESSION_MOVED
    cancel_appointment(appointment=moved, now=now)
    assert emails.why_not_wanted(confirmation(), now=now) == emails.SESSION_CANCELLED


def test_a_cancellation_notice_is_not_wanted_once_the_session_is_booked_again(booked, now):
    cancelled = cancel_appointment(appointment=booked, now=now)
    notice = cancelled.emails.get(kind=Kind.CANCELLATION)
    assert emails.why_not_wanted(notice, now=now) is None
    cancelled.status = Appointment.Status.BOOKED
    save_appointment_from_admin(appointment=cancelled, now=now)
    assert emails.why_not_wanted(notice, now=now) == emails.BOOKED_AGAIN


def test_the_sender_skips_a_confirmation_once_the_session_has_started(booked):
    dispatch.send_due_emails(now=WEDNESDAY_10)
    assert booked.emails.get(kind=Kind.CONFIRMATION).status == Status.SKIPPED
    assert all(message.to != ["ada@example.com"] for message in mail.outbox)


def test_send_again_queues_what_makes_sense_and_refuses_the_rest_with_reasons(booked):
    set_status(booked, "no_show")
    confirmation, julies = failed(booked, Kind.CONFIRMATION), failed(booked, Kind.THERAPIST_NEW)
    done = dispatch.send_again(booked.emails.all(), now=AFTER)
    assert done.queued == [julies]
    assert done.refused == [(confirmation, emails.SESSION_NO_SHOW)]
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SKIPPED


def test_send_again_in_admin_lists_the_refused_emails_with_their_reasons(julie_in_admin, booked, time_machine):
    """The case Julie met: a failed confirmation for a session already over, the client marked no-show."""
    set_status(booked, "no_show")
    confirmation = failed(booked, Kind.CONFIRMATION)
    time_machine.move_to(AFTER)
    response = julie_in_admin.post(
        reverse("admin:appointments_outgoingemail_changelist"),
        {"action": "send_again", "_selected_action": [confirmation.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert EMAILS_REFUSED in page
    assert f"Confirmation, Someone, Wed Dec 2, 2026 10:00 AM: {emails.SESSION_NO_SHOW}" in page
    dispatch.send_due_emails(now=AFTER)
    assert all(message.to != ["ada@example.com"] for message in mail.outbox)
