"""Sessions Julie books for a client by phone: one, or a repeat every week or two, all or nothing."""

import email as email_parser
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from appointments import emails
from appointments.booking import (
    ClientDetails,
    InTimeOff,
    SeriesClash,
    book_series,
    cancel_appointment,
    check_series,
    series_starts,
)
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
TUESDAY_10 = business_time(2026, 12, 8, 10)
NEW = ClientDetails(name="Grace Hopper", email="Grace@Example.com", phone="(860) 555-0149")


def test_weekly_starts_keep_the_wall_clock_time_across_the_spring_dst_change():
    starts = series_starts(business_time(2027, 3, 9, 10), every_weeks=1, count=2)
    # 10:00 EST, then 10:00 EDT a week later: 167 real hours apart, not 168.
    assert starts == [datetime(2027, 3, 9, 15, tzinfo=UTC), datetime(2027, 3, 16, 14, tzinfo=UTC)]


def test_every_two_weeks_keeps_the_wall_clock_time_across_the_fall_dst_change():
    starts = series_starts(business_time(2026, 10, 27, 14, 30), every_weeks=2, count=3)
    assert [start.astimezone(TUESDAY_10.tzinfo).strftime("%b %-d %H:%M") for start in starts] == [
        "Oct 27 14:30",
        "Nov 10 14:30",
        "Nov 24 14:30",
    ]
    assert starts[1] - starts[0] == timedelta(weeks=2, hours=1)


def test_check_series_says_which_dates_clash_and_with_what(book, service):
    taken = book(TUESDAY_10 + timedelta(weeks=1, minutes=30), email="busy@example.com")
    away = TimeOff.objects.create(
        start=TUESDAY_10 + timedelta(weeks=2, hours=-1), end=TUESDAY_10 + timedelta(weeks=2, hours=8), reason="Dentist"
    )
    dates = check_series(starts=series_starts(TUESDAY_10, every_weeks=1, count=3), length=service.duration)
    assert [(date.clash, date.time_off, date.is_free) for date in dates] == [
        (None, None, True),
        (taken, None, False),
        (None, away, False),
    ]


def test_a_series_for_a_client_on_file_takes_their_name_and_phone_from_the_record(service, now, caller):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=1, count=2), service=service, now=now, client=caller, note=""
    )
    # The record's name and phone, as Julie booked them: nothing made up, nothing left out.
    assert {(session.client_name, session.client_phone) for session in sessions} == {(caller.name, caller.phone)}


def test_a_weekly_series_books_every_date_with_one_series_id_and_each_its_own_emails(service, now):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=1, count=4), service=service, now=now, client_details=NEW
    )
    assert len(sessions) == 4
    assert len({session.series for session in sessions}) == 1 and sessions[0].series is not None
    client = Client.objects.get()
    assert client.email == "grace@example.com"
    for session in Appointment.objects.all():
        assert session.client == client and session.source == Appointment.Source.ADMIN
        assert session.client_name == "Grace Hopper" and session.end - session.start == service.duration
        assert set(session.emails.values_list("kind", flat=True)) >= {Kind.REMINDER, Kind.AFTERCARE}
    # One confirmation for the whole series, none for Julie (she booked it).
    confirmations = OutgoingEmail.objects.filter(kind=Kind.CONFIRMATION)
    assert [email.appointment for email in confirmations] == [sessions[0]]
    assert not OutgoingEmail.objects.filter(kind=Kind.THERAPIST_NEW).exists()


def test_one_session_has_no_series_and_its_usual_confirmation(service, now):
    client = Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="860-555-0100")
    [session] = book_series(starts=[TUESDAY_10], service=service, now=now, client=client, note="Sore neck")
    assert session.series is None and session.client_name == "Ada Lovelace" and session.client_note == "Sore neck"
    assert session.emails.filter(kind=Kind.CONFIRMATION).count() == 1


def test_a_clash_on_one_date_books_nothing_and_says_which_date(book, service, now):
    book(TUESDAY_10 + timedelta(weeks=2), email="busy@example.com")
    with pytest.raises(SeriesClash) as refused:
        book_series(
            starts=series_starts(TUESDAY_10, every_weeks=1, count=4), service=service, now=now, client_details=NEW
        )
    assert "Nothing was booked: Tue Dec 22 clashes with other sessions" in str(refused.value)
    assert [date.is_free for date in refused.value.dates] == [True, True, False, True]
    assert Appointment.objects.count() == 1
    assert not Client.objects.filter(email="grace@example.com").exists()


def test_time_off_is_booked_only_when_julie_says_so(service, now):
    TimeOff.objects.create(start=TUESDAY_10, end=TUESDAY_10 + timedelta(hours=3), reason="Training")
    starts = series_starts(TUESDAY_10, every_weeks=2, count=2)
    with pytest.raises(InTimeOff) as asked:
        book_series(starts=starts, service=service, now=now, client_details=NEW)
    assert "Tue Dec 8 is in your time off" in str(asked.value)
    assert not Appointment.objects.exists()
    assert len(book_series(starts=starts, service=service, now=now, client_details=NEW, book_in_time_off=True)) == 2


def test_a_new_clients_email_that_is_known_books_for_that_client_without_changing_the_record(service, now):
    known = Client.objects.create(name="Grace H.", email="grace@example.com", phone="860-555-0000")
    [session] = book_series(starts=[TUESDAY_10], service=service, now=now, client_details=NEW)
    known.refresh_from_db()
    assert session.client == known and (known.name, known.phone) == ("Grace H.", "860-555-0000")
    assert session.client_name == "Grace Hopper"


def _calendar_events(message):
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    [ics] = [part for part in mime.walk() if part.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")


def test_the_series_confirmation_lists_every_date_with_one_calendar_file_holding_every_session(service, now):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=2, count=3), service=service, now=now, client_details=NEW
    )
    confirmation = OutgoingEmail.objects.get(kind=Kind.CONFIRMATION)
    message = emails.build_message(confirmation)
    html = message.alternatives[0][0]
    assert message.subject == "Your 3 sessions from Tuesday, December 8 at 10:00 AM are booked"
    for day in ["Tuesday, December 8, 2026", "Tuesday, December 22, 2026", "Tuesday, January 5, 2027"]:
        assert day in message.body and day in html
    for session in sessions:
        assert session.get_manage_url() in message.body and session.get_manage_url() in html
    events = _calendar_events(message)
    assert [event.decoded("dtstart") for event in events] == [session.start for session in sessions]
    assert len({str(event["uid"]) for event in events}) == 3


def test_a_series_confirmation_leaves_out_a_session_cancelled_before_it_went(service, now):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=1, count=3), service=service, now=now, client_details=NEW
    )
    Appointment.objects.filter(pk=sessions[1].pk).update(status=Appointment.Status.CANCELLED)
    message = emails.build_message(OutgoingEmail.objects.get(kind=Kind.CONFIRMATION))
    assert "December 15" not in message.body and "Your 2 sessions" in message.subject
    assert len(_calendar_events(message)) == 2


def test_the_reminder_of_a_series_session_is_about_that_session_only(service, now):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=1, count=2), service=service, now=now, client_details=NEW
    )
    reminder = sessions[1].emails.get(kind=Kind.REMINDER)
    message = emails.build_message(reminder)
    assert "December 15" in message.body and "December 8" not in message.body


def test_the_series_confirmation_still_goes_when_the_first_session_was_cancelled_before_it(service, now):
    sessions = book_series(
        starts=series_starts(TUESDAY_10, every_weeks=1, count=2), service=service, now=now, client_details=NEW
    )
    cancel_appointment(appointment=sessions[0], now=now, by_client=False)
    confirmation = OutgoingEmail.objects.get(kind=Kind.CONFIRMATION)
    assert emails.is_still_wanted(confirmation, now=now)
    message = emails.build_message(confirmation)
    assert message.subject == "Your 1 session from Tuesday, December 15 at 10:00 AM is booked"
    assert "December 8" not in message.body and "Tuesday, December 15, 2026" in message.body
    cancel_appointment(appointment=sessions[1], now=now, by_client=False)
    assert not emails.is_still_wanted(confirmation, now=now)
