"""The emails a booking owes: what each says, when it is due, and that it is sent once."""

import email as email_parser
from datetime import UTC, timedelta

import icalendar
import pytest
from django.core import mail

from appointments import dispatch, emails
from appointments.booking import ClientDetails, book_appointment, cancel_appointment, reschedule_appointment
from appointments.models import OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


def owed(appointment, kind, sequence=None):
    rows = appointment.emails.filter(kind=kind)
    return rows.get(sequence=sequence) if sequence is not None else rows.get()


def parsed(message):
    """The message as a mail client would read it."""
    return email_parser.message_from_bytes(message.message().as_bytes())


def calendar_of(message):
    for part in parsed(message).walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return None


@pytest.mark.parametrize("kind", list(Kind))
def test_every_email_has_subject_text_and_html(booked, kind, now):
    email = OutgoingEmail(appointment=booked, kind=kind, sequence=booked.sequence, due_at=now)
    message = emails.build_message(email)
    assert message.subject and "\n" not in message.subject
    assert "{" not in message.subject and "{" not in message.body
    assert message.alternatives[0].mimetype == "text/html"
    mime = parsed(message)
    assert mime.is_multipart()
    assert mime["Message-ID"] == emails.message_id(email)
    body_types = {part.get_content_type() for part in mime.walk()}
    assert {"text/plain", "text/html"} <= body_types
    if kind in emails.TO_JULIE:
        assert message.to == ["julie@localhost"]
        assert "ada@example.com" in message.body
        assert "/admin/appointments/appointment/" in message.body
    else:
        assert message.to == ["ada@example.com"]
        assert message.reply_to == ["julie@localhost"]
        assert "http://" in message.body  # absolute links


@pytest.mark.parametrize(("kind", "method"), [(Kind.CONFIRMATION, "REQUEST"), (Kind.CANCELLATION, "CANCEL")])
def test_calendar_file_names_its_method_and_charset_once(booked, kind, method):
    email = OutgoingEmail(appointment=booked, kind=kind, sequence=booked.sequence, due_at=booked.start)
    (part,) = [p for p in parsed(emails.build_message(email)).walk() if p.get_content_type() == "text/calendar"]
    assert part["Content-Type"] == f'text/calendar; method={method}; charset="utf-8"'
    assert part.get_params() == [("text/calendar", ""), ("method", method), ("charset", "utf-8")]
    assert part.get_filename() == "session.ics"
    assert part.get_content_disposition() == "attachment"


def test_confirmation_carries_a_calendar_file_with_the_right_time(booked, now):
    message = emails.build_message(owed(booked, Kind.CONFIRMATION))
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(UTC) == WEDNESDAY_10.astimezone(UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert booked.get_manage_url() in message.body
    assert "Wednesday, December 2, 2026" in message.body
    assert "10:00 AM" in message.body


def test_reschedule_keeps_the_uid_and_raises_the_sequence(booked, now):
    first = calendar_of(emails.build_message(owed(booked, Kind.CONFIRMATION))).walk("VEVENT")[0]
    moved = reschedule_appointment(appointment=booked, new_start=business_time(2026, 12, 3, 14), now=now)
    second = calendar_of(emails.build_message(owed(moved, Kind.RESCHEDULE))).walk("VEVENT")[0]
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART").astimezone(UTC) == business_time(2026, 12, 3, 14).astimezone(UTC)


def test_cancellation_carries_method_cancel(booked, now):
    cancelled = cancel_appointment(appointment=booked, now=now)
    calendar = calendar_of(emails.build_message(owed(cancelled, Kind.CANCELLATION)))
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_aftercare_uses_the_what_to_expect_content_and_links_to_book_again(booked):
    message = emails.build_message(owed(booked, Kind.AFTERCARE))
    assert "Adjustment Period" in message.body
    assert "usually fading within 24 hours" in message.body
    assert "http://127.0.0.1:8000/book/" in message.body


def test_names_are_not_html_escaped_in_plain_text(service, now):
    appointment = book_appointment(
        start=WEDNESDAY_10,
        service=service,
        now=now,
        client_details=ClientDetails(name="Tom & Jerry O'Neil", email="tj@example.com", phone="8605550100"),
    )
    message = emails.build_message(owed(appointment, Kind.CONFIRMATION))
    assert "Tom & Jerry O'Neil" in message.body
    assert "Tom &amp; Jerry O&#x27;Neil" in message.alternatives[0].content


def test_sweep_run_twice_sends_each_due_email_once(booked, now):
    dispatch.send_due_emails(now=now)
    dispatch.send_due_emails(now=now)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 2  # confirmation to the client, notice to Julie
    assert owed(booked, Kind.CONFIRMATION).status == OutgoingEmail.Status.SENT
    assert owed(booked, Kind.REMINDER).status == OutgoingEmail.Status.PENDING


def test_reminder_and_aftercare_go_out_at_their_times(booked, now):
    dispatch.send_due_emails(now=now)
    mail.outbox.clear()
    dispatch.send_due_emails(now=WEDNESDAY_10 - timedelta(hours=24, minutes=1))
    assert mail.outbox == []
    dispatch.send_due_emails(now=WEDNESDAY_10 - timedelta(hours=24))
    assert [m.subject for m in mail.outbox] == ["Reminder: your session Wednesday at 10:00 AM"]
    dispatch.send_due_emails(now=WEDNESDAY_10 + timedelta(hours=25))
    assert mail.outbox[-1].subject == "How are you feeling after your session?"
    assert len(mail.outbox) == 2


def test_cancelled_session_gets_no_reminder_or_aftercare(booked, now):
    cancel_appointment(appointment=booked, now=now)
    dispatch.send_due_emails(now=WEDNESDAY_10 + timedelta(days=3))
    subjects = [m.subject for m in mail.outbox]
    assert not any("Reminder" in s or "feeling" in s for s in subjects)
    assert any("cancelled" in s for s in subjects)


def test_moved_session_is_reminded_for_its_new_time_only(booked, now):
    new_start = business_time(2026, 12, 4, 14)
    reschedule_appointment(appointment=booked, new_start=new_start, now=now)
    dispatch.send_due_emails(now=WEDNESDAY_10 - timedelta(hours=24))
    assert not any("Reminder" in m.subject for m in mail.outbox)
    dispatch.send_due_emails(now=new_start - timedelta(hours=24))
    assert [m.subject for m in mail.outbox if "Reminder" in m.subject] == ["Reminder: your session Friday at 2:00 PM"]


def test_late_reminder_is_skipped_once_the_session_started(booked, now):
    dispatch.send_due_emails(now=WEDNESDAY_10 + timedelta(minutes=5))
    assert owed(booked, Kind.REMINDER).status == OutgoingEmail.Status.SKIPPED


def test_reminder_across_the_fall_back_is_24_real_hours_before(book):
    # Session Monday Nov 2, 2026 10:00 EST; the clocks went back on Sunday at 2:00.
    start = business_time(2026, 11, 2, 10)
    appointment = book(start, at=business_time(2026, 10, 26, 9))
    reminder = owed(appointment, Kind.REMINDER)
    assert start - reminder.due_at == timedelta(hours=24)
    assert reminder.due_at == business_time(2026, 11, 1, 10)


def test_reminder_across_the_spring_forward_is_24_real_hours_before(book):
    start = business_time(2027, 3, 15, 10)  # Monday after the 2027-03-14 change
    appointment = book(start, at=business_time(2027, 3, 8, 9))
    reminder = owed(appointment, Kind.REMINDER)
    assert start - reminder.due_at == timedelta(hours=24)


def test_each_booking_is_greeted_and_announced_with_its_own_name_and_phone(service, now):
    ada = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    book_appointment(start=WEDNESDAY_10, service=service, now=now, client_details=ada)
    other = ClientDetails(name="Mallory Smith", email="Ada@Example.com", phone="(203) 555-0666")
    second = book_appointment(start=business_time(2026, 12, 3, 10), service=service, now=now, client_details=other)
    confirmation = emails.build_message(owed(second, Kind.CONFIRMATION))
    assert "Hello Mallory Smith" in confirmation.body
    assert "Ada Lovelace" not in confirmation.body + confirmation.alternatives[0].content
    notice = emails.build_message(owed(second, Kind.THERAPIST_NEW))
    assert "Mallory Smith" in notice.subject
    assert "(203) 555-0666" in notice.body
    assert "differ from the client record (Ada Lovelace, (860) 555-0100)" in notice.body
    assert "differ from the client record" in notice.alternatives[0].content
