"""Each email as its reader gets it: who it comes from and goes to, what it carries, and
whether it is still sent when it finally goes out (after a retry, or Julie's "Send again")."""

import email as email_parser
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from appointments import dispatch, emails
from appointments.booking import (
    ClientDetails,
    book_series,
    cancel_appointment,
    cancel_rest_of_course,
    reschedule_appointment,
    series_starts,
    set_appointment_status,
)
from appointments.models import Appointment, BusinessDetails, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
Status = OutgoingEmail.Status
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_2PM = business_time(2026, 12, 3, 14)


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


def row(appointment, kind, *, sequence=None, due_at):
    return OutgoingEmail(
        appointment=appointment,
        kind=kind,
        sequence=appointment.sequence if sequence is None else sequence,
        due_at=due_at,
    )


def calendar_event(message):
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    for part in mime.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    return None


# --- who it is from, to and answered to ---


@pytest.mark.parametrize("kind", sorted(emails.TO_JULIE))
def test_julies_notices_come_from_the_site_and_her_reply_goes_to_the_client(booked, kind, now, settings):
    message = emails.build_message(row(booked, kind, due_at=now))
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == [settings.THERAPIST_EMAIL]
    assert message.reply_to == ["ada@example.com"]


@pytest.mark.parametrize("kind", [Kind.CONFIRMATION, Kind.REMINDER, Kind.CANCELLATION])
def test_client_emails_come_from_the_site(booked, kind, now, settings):
    assert emails.build_message(row(booked, kind, due_at=now)).from_email == settings.DEFAULT_FROM_EMAIL


# --- Message-ID: one per version of one email ---


def test_a_resent_email_keeps_its_message_id_and_each_version_has_its_own(booked, now, settings):
    settings.SITE_URL = "https://posturemassage.example"
    confirmation = row(booked, Kind.CONFIRMATION, due_at=now)
    first = emails.build_message(confirmation).extra_headers["Message-ID"]
    assert emails.build_message(confirmation).extra_headers["Message-ID"] == first
    others = {
        emails.build_message(row(booked, Kind.REMINDER, due_at=now)).extra_headers["Message-ID"],
        emails.build_message(row(booked, Kind.CONFIRMATION, sequence=booked.sequence + 1, due_at=now)).extra_headers[
            "Message-ID"
        ],
    }
    assert first not in others and len(others) == 2
    for message_id in {first, *others}:
        # Erasing a client finds saved copies by this prefix; the domain is the site's own.
        assert message_id.startswith(emails.message_id_prefix(booked.pk))
        assert message_id.endswith("@posturemassage.example>")


def test_message_ids_of_different_sessions_differ(book, now):
    one = book(WEDNESDAY_10)
    other = book(THURSDAY_2PM)
    ids = {emails.message_id(row(appointment, Kind.CONFIRMATION, due_at=now)) for appointment in (one, other)}
    assert len(ids) == 2


# --- what each email carries ---


@pytest.mark.parametrize("kind", [Kind.CONFIRMATION, Kind.REMINDER])
def test_only_the_aftercare_email_quotes_what_to_expect(booked, kind, now):
    message = emails.build_message(row(booked, kind, due_at=now))
    assert "Adjustment Period" not in message.body + message.alternatives[0].content


def test_the_calendar_file_names_the_client_and_julies_address(booked, now):
    business = BusinessDetails.load()
    business.location = "12 Main Street, Hartford, CT"
    business.save()
    event = calendar_event(emails.build_message(row(booked, Kind.CONFIRMATION, due_at=now)))
    assert str(event["ATTENDEE"]) == "mailto:ada@example.com"
    assert str(event["LOCATION"]) == "12 Main Street, Hartford, CT"


def test_the_email_about_a_move_carries_the_new_time_as_a_calendar_update(booked, now):
    moved = reschedule_appointment(appointment=booked, new_start=THURSDAY_2PM, now=now)
    message = emails.build_message(moved.emails.get(kind=Kind.RESCHEDULE))
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert "Wednesday, December 2" in message.body  # where it was
    assert "Thursday, December 3" in message.body  # where it is now


@pytest.mark.parametrize("kind", [Kind.REMINDER, Kind.AFTERCARE, *sorted(emails.TO_JULIE)])
def test_reminders_aftercare_and_julies_notices_carry_no_calendar_file(booked, kind, now):
    assert calendar_event(emails.build_message(row(booked, kind, due_at=now))) is None


# --- still wanted when it goes out: "Send again" on a failed email, a retry ---


def failed(appointment, kind, *, sequence=None, due_at):
    email = row(appointment, kind, sequence=sequence, due_at=due_at)
    email.status = Status.FAILED
    email.save()
    return email


def resend(email, *, now):
    """Julie presses "Send again" on a failed email; the sweep then sends what is due."""
    mail.outbox.clear()
    dispatch.send_again(OutgoingEmail.objects.filter(pk=email.pk), now=now)
    dispatch.send_due_emails(now=now)
    email.refresh_from_db()
    return [message.subject for message in mail.outbox]


def clear_owed(appointment):
    appointment.emails.all().delete()


def test_send_again_on_a_failed_confirmation_of_a_session_since_moved_sends_nothing_stale(booked, now):
    clear_owed(booked)
    stale = failed(booked, Kind.CONFIRMATION, due_at=now)
    reschedule_appointment(appointment=booked, new_start=THURSDAY_2PM, now=now)
    booked.emails.exclude(pk=stale.pk).delete()
    assert resend(stale, now=now) == []
    assert stale.status == Status.SKIPPED


def test_send_again_on_a_failed_confirmation_of_the_current_session_sends_it(booked, now):
    clear_owed(booked)
    email = failed(booked, Kind.CONFIRMATION, due_at=now)
    assert len(resend(email, now=now)) == 1
    assert email.status == Status.SENT


def test_send_again_on_a_failed_reminder_of_a_session_since_moved_sends_nothing(booked, now):
    clear_owed(booked)
    stale = failed(booked, Kind.REMINDER, due_at=now)
    reschedule_appointment(appointment=booked, new_start=THURSDAY_2PM, now=now)
    booked.emails.exclude(pk=stale.pk).delete()
    assert resend(stale, now=now) == []


def test_no_confirmation_goes_out_for_a_cancelled_session(booked, now):
    cancelled = cancel_appointment(appointment=booked, now=now)
    clear_owed(cancelled)
    # Even one about the cancelled version itself.
    email = failed(cancelled, Kind.CONFIRMATION, due_at=now)
    assert resend(email, now=now) == []


def test_a_reminder_is_not_sent_once_the_session_has_started(booked, now):
    clear_owed(booked)
    email = failed(booked, Kind.REMINDER, due_at=now)
    assert resend(email, now=WEDNESDAY_10) == []


def test_a_reminder_just_before_the_session_still_goes_out(booked, now):
    clear_owed(booked)
    email = failed(booked, Kind.REMINDER, due_at=now)
    assert resend(email, now=WEDNESDAY_10 - timedelta(minutes=1)) == ["Reminder: your session Wednesday at 10:00 AM"]


@pytest.mark.parametrize(
    ("status", "sent"),
    [(Appointment.Status.COMPLETED, True), (Appointment.Status.NO_SHOW, False)],
)
def test_aftercare_goes_to_a_completed_session_not_a_no_show(booked, status, sent, now):
    after = WEDNESDAY_10 + timedelta(hours=2)
    set_appointment_status(appointment=booked, status=status, now=after)
    clear_owed(booked)
    email = failed(booked, Kind.AFTERCARE, due_at=after)
    assert resend(email, now=after) == (["How are you feeling after your session?"] if sent else [])


def test_a_reminder_is_not_sent_for_a_completed_session(booked, now):
    set_appointment_status(appointment=booked, status=Appointment.Status.COMPLETED, now=WEDNESDAY_10)
    clear_owed(booked)
    email = failed(booked, Kind.REMINDER, due_at=now)
    assert resend(email, now=now) == []


@pytest.mark.parametrize("kind", [Kind.THERAPIST_MOVED, Kind.RESCHEDULE])
def test_a_move_already_made_is_still_told_after_the_session_moved_again(booked, kind, now):
    first_move = reschedule_appointment(appointment=booked, new_start=THURSDAY_2PM, now=now)
    email = first_move.emails.get(kind=kind)
    email.status = Status.FAILED
    email.save()
    reschedule_appointment(appointment=first_move, new_start=business_time(2026, 12, 4, 14), now=now)
    first_move.emails.exclude(pk=email.pk).delete()
    assert len(resend(email, now=now)) == 1


def test_a_failed_cancellation_email_is_still_sent_for_the_cancelled_session(booked, now):
    cancelled = cancel_appointment(appointment=booked, now=now)
    email = cancelled.emails.get(kind=Kind.CANCELLATION)
    email.status = Status.FAILED
    email.save()
    cancelled.emails.exclude(pk=email.pk).delete()
    assert len(resend(email, now=now)) == 1


@pytest.mark.parametrize("kind", [Kind.CONFIRMATION, Kind.REMINDER, Kind.RESCHEDULE])
def test_the_email_says_what_the_session_is_and_where(booked, kind, now, service):
    BusinessDetails.objects.update(location="12 Main Street, Hartford, CT")
    message = emails.build_message(row(booked, kind, due_at=now))
    for body in (message.body, message.alternatives[0].content):
        assert service.name in body
        assert "12 Main Street, Hartford, CT" in body


# --- what a confirmation tells the client, as of when it is sent ---


def test_a_confirmation_says_until_when_the_client_can_change_it_online_and_links_to_do_it(booked, now, settings):
    message = emails.build_message(booked.emails.get(kind=Kind.CONFIRMATION), now=now)
    manage_url = settings.SITE_URL + booked.get_manage_url()
    assert f"You can do it yourself online until Tuesday, December 1 at 10:00 AM:\n{manage_url}\n" in message.body
    assert manage_url in message.alternatives[0].content
    # A new client has no intake yet: asked for it, with its link.
    assert "please fill in Julie's short health intake (about five minutes" in message.body
    assert f"{settings.SITE_URL}/intake/" in message.body


def test_a_confirmation_sent_inside_the_cut_off_asks_the_client_to_contact_julie(booked, settings):
    past_the_cut_off = business_time(2026, 12, 1, 10, 1)
    message = emails.build_message(booked.emails.get(kind=Kind.CONFIRMATION), now=past_the_cut_off)
    assert "yourself online" not in message.body
    assert "This session is less than 24 hours away, so it can't be changed online." in message.body
    assert settings.SITE_URL + booked.get_manage_url() in message.body  # still the page of the booking


def test_a_cancellation_links_to_booking_another_session(booked, now, settings):
    cancelled = cancel_appointment(appointment=booked, now=now)
    message = emails.build_message(cancelled.emails.get(kind=Kind.CANCELLATION), now=now)
    book_url = settings.SITE_URL + reverse("appointments:days")
    assert f"you can book here:\n{book_url}\n" in message.body
    assert book_url in message.alternatives[0].content


def test_the_calendar_file_is_an_attachment_named_for_one_session(booked, now):
    message = emails.build_message(booked.emails.get(kind=Kind.CONFIRMATION), now=now)
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_content_disposition() == "attachment"
    assert part.get_filename() == "session.ics"
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"


# --- a course's one confirmation: wanted while any of its sessions is still to come ---


@pytest.fixture
def course(service, now):
    details = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    starts = series_starts(WEDNESDAY_10, every_weeks=1, count=2)
    return book_series(starts=starts, service=service, now=now, client_details=details, online=True)


def test_a_course_confirmation_is_wanted_until_its_last_session_starts(course):
    first, last = course
    confirmation = first.emails.get(kind=Kind.CONFIRMATION)
    assert emails.why_not_wanted(confirmation, now=first.start) is None  # the last one is still to come
    assert emails.why_not_wanted(confirmation, now=last.start - timedelta(minutes=1)) is None
    assert emails.why_not_wanted(confirmation, now=last.start) == emails.ALL_STARTED


def test_a_course_confirmation_is_not_wanted_once_every_session_is_cancelled(course, now):
    first, last = course
    confirmation = first.emails.get(kind=Kind.CONFIRMATION)
    cancel_appointment(appointment=first, now=now)
    assert emails.why_not_wanted(confirmation, now=now) is None  # the second is still on
    cancel_appointment(appointment=Appointment.objects.get(pk=last.pk), now=now)
    assert emails.why_not_wanted(confirmation, now=now) == emails.ALL_CANCELLED


def test_cancelling_the_rest_of_a_course_lists_only_the_sessions_cancelled_then(service, now):
    details = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    first, second, third = book_series(
        starts=series_starts(WEDNESDAY_10, every_weeks=1, count=3),
        service=service,
        now=now,
        client_details=details,
        online=True,
    )
    cancel_appointment(appointment=first, now=now)  # the first on its own, earlier
    rest = cancel_rest_of_course(appointment=Appointment.objects.get(pk=second.pk), now=now + timedelta(hours=1))
    message = emails.build_message(rest[0].emails.get(kind=Kind.CANCELLATION), now=now)
    assert "These 2 sessions of your course with Julie are cancelled" in message.body
    assert "Wednesday, December 2, 2026" not in message.body  # the first, cancelled before


def test_a_course_confirmation_carries_one_calendar_file_published_with_every_session(course, now):
    first, _ = course
    message = emails.build_message(first.emails.get(kind=Kind.CONFIRMATION), now=now)
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    # iTIP wants one event per REQUEST: several sessions are PUBLISHed.
    assert (part.get_filename(), part.get_param("method")) == ("sessions.ics", "PUBLISH")
    assert len(icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")) == 2
