"""dispatch.py's rules a mutation run can change without the worker tests noticing."""

from datetime import timedelta

import pytest
from django.core import mail

from appointments import dispatch
from appointments.models import OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
Status = OutgoingEmail.Status


@pytest.fixture
def booked(book):
    return book(business_time(2026, 12, 2, 10), email="ada@example.com")


def email_of(appointment, kind):
    return appointment.emails.get(kind=kind)


def test_send_email_sends_a_due_email_once(booked, now):
    confirmation = email_of(booked, Kind.CONFIRMATION)
    dispatch.send_email(confirmation.pk, now=now)
    dispatch.send_email(confirmation.pk, now=now)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts, confirmation.sent_at) == (Status.SENT, 1, now)
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_send_email_leaves_an_email_that_is_not_due_yet(booked, now):
    reminder = email_of(booked, Kind.REMINDER)
    dispatch.send_email(reminder.pk, now=now)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Status.PENDING, 0)
    assert mail.outbox == []


def test_send_email_sends_only_the_email_asked_for(booked, now):
    dispatch.send_email(email_of(booked, Kind.CONFIRMATION).pk, now=now)
    assert email_of(booked, Kind.THERAPIST_NEW).status == Status.PENDING


def test_a_claim_counts_the_attempt_and_leases_the_email_before_any_sending(booked, now):
    claimed = dispatch.claim(now=now)
    claimed.refresh_from_db()
    assert claimed.attempts == 1
    assert claimed.due_at == now + dispatch.LEASE
    assert claimed.status == Status.PENDING
    assert mail.outbox == []


def test_send_again_puts_back_only_failed_emails(booked, now):
    confirmation, julies = email_of(booked, Kind.CONFIRMATION), email_of(booked, Kind.THERAPIST_NEW)
    dispatch.send_due_emails(now=now)
    OutgoingEmail.objects.filter(pk=julies.pk).update(status=Status.FAILED, attempts=3)
    later = now + timedelta(hours=1)
    assert dispatch.send_again(booked.emails.all(), now=later) == 1
    confirmation.refresh_from_db()
    julies.refresh_from_db()
    assert confirmation.status == Status.SENT
    assert (julies.status, julies.due_at, julies.attempts) == (Status.PENDING, later, 0)
