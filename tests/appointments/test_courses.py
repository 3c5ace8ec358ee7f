"""A course of sessions booked online: every date checked first, booked all or nothing."""

import email as email_parser
import re
from datetime import timedelta
from html import unescape

import icalendar
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments import booking, emails
from appointments.booking import (
    COURSE_TAKEN,
    KEY_ALREADY_USED,
    SeriesClash,
    book_series,
    cancel_appointment,
    cancel_rest_of_course,
    check_course,
    series_starts,
)
from appointments.forms import START_INVALID, slot_value
from appointments.hygiene import PHONE_INVALID
from appointments.models import Appointment, OutgoingEmail, TimeOff

from .conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_10 = business_time(2026, 12, 3, 10)
DETAILS = reverse("appointments:details")


@pytest.fixture
def at_now(time_machine, now):
    time_machine.move_to(now, tick=False)


def page_text(response):
    """The page's words, without tags, spaces run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split()).replace(" :", ":")


def course_data(start=WEDNESDAY_10, repeat="1", count="3", **overrides):
    return booking_data(start, repeat=repeat, count=count, **overrides)


def online_course(starts, *, service, now, client_details):
    """A course booked on the website, as the details page books it."""
    return book_series(starts=starts, service=service, now=now, client_details=client_details, online=True)


def issued_key(client):
    """The one-time key the details page puts in the booking form, read as a browser reads it."""
    html = client.get(DETAILS, {"start": slot_value(WEDNESDAY_10)}).content.decode()
    return re.search(r'name="booking_key" value="([^"]+)"', html)[1]


def shown_key(response):
    return re.search(r'name="booking_key" value="([^"]+)"', response.content.decode())[1]


def assert_form_as_typed(response):
    """The details page again, Ada's details kept, with a security token to send it once more."""
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ada Lovelace"' in html and 'name="csrfmiddlewaretoken"' in html


def test_a_free_course_date_is_free_and_a_taken_one_offers_the_nearest_free_times(book, service, rules, now):
    book(WEDNESDAY_10 + timedelta(weeks=1), email="busy@example.com")
    dates = check_course(
        starts=series_starts(WEDNESDAY_10, every_weeks=1, count=3), length=service.duration, now=now, rules=rules
    )
    assert [date.is_free for date in dates] == [True, False, True]
    taken = dates[1]
    assert taken.alternatives and all(not date.alternatives for date in [dates[0], dates[2]])
    day = taken.start.astimezone(WEDNESDAY_10.tzinfo).date()
    assert {slot.local_start.date() for slot in taken.alternatives} <= {day, day + timedelta(days=1)}
    distances = [abs(slot.start - taken.start) for slot in taken.alternatives]
    assert distances == sorted(distances) and taken.start not in [slot.start for slot in taken.alternatives]


def test_a_taken_afternoon_time_offers_that_afternoons_times_not_the_mornings(book, service, rules, now):
    wednesday_4pm = business_time(2026, 12, 2, 16)
    book(wednesday_4pm, email="busy@example.com")
    [taken] = check_course(starts=[wednesday_4pm], length=service.duration, now=now, rules=rules)
    # 3:00 runs into the 4:00 session's buffer; the morning's 9:00 is seven hours away.
    assert [f"{slot.local_start:%H:%M}" for slot in taken.alternatives] == ["14:30", "14:00", "13:30", "13:00"]


def test_the_times_offered_instead_are_on_that_day_or_the_next_never_later(service, rules, now):
    saturday_10 = business_time(2026, 12, 5, 10)
    TimeOff.objects.create(start=business_time(2026, 12, 5, 9), end=business_time(2026, 12, 5, 12))
    [taken] = check_course(starts=[saturday_10], length=service.duration, now=now, rules=rules)
    # Saturday's one free time left, and none on Sunday (closed); Monday is too far from it.
    assert [slot.start for slot in taken.alternatives] == [business_time(2026, 12, 5, 12)]


def test_minimum_notice_and_horizon_apply_to_every_date(service, rules, now):
    rules.horizon_days = 10
    rules.save()
    dates = check_course(
        starts=series_starts(WEDNESDAY_10, every_weeks=1, count=3), length=service.duration, now=now, rules=rules
    )
    assert [date.is_free for date in dates] == [True, True, False]
    too_soon = check_course(starts=[now + timedelta(minutes=30)], length=service.duration, now=now, rules=rules)
    assert not too_soon[0].is_free


def test_a_course_across_the_spring_dst_change_keeps_its_wall_clock_time(service, rules, client_details):
    now = business_time(2027, 3, 1, 8)
    starts = series_starts(business_time(2027, 3, 10, 10), every_weeks=1, count=2)
    assert all(date.is_free for date in check_course(starts=starts, length=service.duration, now=now, rules=rules))
    sessions = book_series(starts=starts, service=service, now=now, client_details=client_details, online=True)
    assert [f"{session.start.astimezone(WEDNESDAY_10.tzinfo):%b %-d %H:%M}" for session in sessions] == [
        "Mar 10 10:00",
        "Mar 17 10:00",
    ]


def test_an_online_course_is_booked_whole_or_not_at_all(book, service, now, client_details):
    starts = series_starts(WEDNESDAY_10, every_weeks=1, count=4)
    book(starts[3], email="busy@example.com")
    with pytest.raises(SeriesClash) as refused:
        book_series(starts=starts, service=service, now=now, client_details=client_details, online=True)
    assert str(refused.value) == COURSE_TAKEN
    assert Appointment.objects.count() == 1
    sessions = book_series(starts=starts[:3], service=service, now=now, client_details=client_details, online=True)
    assert len({session.series for session in sessions}) == 1
    assert {session.source for session in sessions} == {Appointment.Source.WEB}
    # One confirmation and one notice for Julie; a reminder and aftercare for every session.
    assert OutgoingEmail.objects.filter(kind=Kind.CONFIRMATION, appointment__series=sessions[0].series).count() == 1
    assert OutgoingEmail.objects.filter(kind=Kind.THERAPIST_NEW, appointment__series=sessions[0].series).count() == 1
    for session in sessions:
        assert set(session.emails.values_list("kind", flat=True)) >= {Kind.REMINDER, Kind.AFTERCARE}


def test_a_course_sent_twice_with_one_form_key_is_booked_once(service, now, client_details):
    key = "k" * 32
    starts = series_starts(WEDNESDAY_10, every_weeks=1, count=3)
    sent = {"starts": starts, "service": service, "now": now, "client_details": client_details, "online": True}
    first = book_series(**sent, note="Migraines most mornings.", booking_key=key)
    again = book_series(**sent, note="Migraines most mornings.", booking_key=key)  # the same form sent again
    assert [session.pk for session in again] == [session.pk for session in first]
    assert Appointment.objects.count() == 3
    assert OutgoingEmail.objects.filter(kind=Kind.CONFIRMATION).count() == 1


def test_the_course_confirmation_lists_every_date_with_one_ics_holding_every_session(service, now, client_details):
    sessions = online_course(
        series_starts(WEDNESDAY_10, every_weeks=2, count=3), service=service, now=now, client_details=client_details
    )
    message = emails.build_message(OutgoingEmail.objects.get(kind=Kind.CONFIRMATION))
    for session in sessions:
        assert f"{session.start.astimezone(WEDNESDAY_10.tzinfo):%B %-d, %Y}" in message.body
    mime = email_parser.message_from_bytes(message.message().as_bytes())
    [ics] = [part for part in mime.walk() if part.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    assert str(calendar["method"]) == "PUBLISH"
    assert [event.decoded("dtstart") for event in calendar.walk("VEVENT")] == [session.start for session in sessions]


def test_check_dates_shows_every_date_and_keeps_everything_typed(client, book, at_now):
    book(WEDNESDAY_10 + timedelta(weeks=1), email="busy@example.com")
    response = client.post(DETAILS, course_data(check="1"))
    page = page_text(response)
    assert response.status_code == 200 and not Appointment.objects.filter(client__email="ada@example.com").exists()
    assert "Wed, Dec 2 at 10:00 AM: free" in page and "Wed, Dec 16 at 10:00 AM: free" in page
    assert "Wed, Dec 9 at 10:00 AM is not free" in page and "Choose a time instead" in page
    html = response.content.decode()
    assert 'name="date_2"' in html and 'value="1x3"' in html
    assert 'value="Ada Lovelace"' in html and "Migraines most mornings." in html


def test_confirming_a_course_not_yet_checked_shows_its_dates_first(client, at_now):
    response = client.post(DETAILS, course_data())
    assert response.status_code == 200 and not Appointment.objects.exists()
    assert "Wed, Dec 16 at 10:00 AM: free" in page_text(response)


def test_a_checked_course_with_a_replaced_date_is_booked_and_confirmed(client, book, at_now, service, rules, now):
    book(WEDNESDAY_10 + timedelta(weeks=1), email="busy@example.com")
    [taken] = check_course(starts=[WEDNESDAY_10 + timedelta(weeks=1)], length=service.duration, now=now, rules=rules)
    instead = taken.alternatives[-1].start
    response = client.post(DETAILS, course_data(checked="1x3", date_2=slot_value(instead)))
    assert response.status_code == 302
    sessions = list(Appointment.objects.filter(client__email="ada@example.com").order_by("start"))
    assert [session.start for session in sessions] == [WEDNESDAY_10, instead, WEDNESDAY_10 + timedelta(weeks=2)]
    assert len({session.series for session in sessions}) == 1
    assert response.url == reverse("appointments:confirmed", args=[sessions[0].manage_token])


def test_a_clashing_date_left_unchosen_books_nothing_and_asks(client, book, at_now):
    book(WEDNESDAY_10 + timedelta(weeks=1), email="busy@example.com")
    response = client.post(DETAILS, course_data(checked="1x3"))
    assert response.status_code == 200 and Appointment.objects.count() == 1
    assert "Please choose a time for this date." in page_text(response)


def test_a_date_taken_between_check_and_confirm_books_nothing_and_keeps_the_form(client, book, at_now):
    client.post(DETAILS, course_data(check="1"))
    book(WEDNESDAY_10 + timedelta(weeks=2), email="quicker@example.com")
    response = client.post(DETAILS, course_data(checked="1x3"))
    page = page_text(response)
    assert Appointment.objects.count() == 1 and "Please choose a time for this date." in page
    assert "Wed, Dec 16 at 10:00 AM is not free" in page and 'value="Ada Lovelace"' in response.content.decode()


def test_cancel_the_rest_of_a_course_cancels_this_and_later_sessions_with_one_email(service, now, client_details):
    sessions = online_course(
        series_starts(WEDNESDAY_10, every_weeks=1, count=4), service=service, now=now, client_details=client_details
    )
    cancelled = cancel_rest_of_course(appointment=sessions[1], now=now)
    assert [session.pk for session in cancelled] == [session.pk for session in sessions[1:]]
    statuses = [Appointment.objects.get(pk=session.pk).status for session in sessions]
    assert statuses == ["booked", "cancelled", "cancelled", "cancelled"]
    [cancellation] = OutgoingEmail.objects.filter(kind=Kind.CANCELLATION)
    message = emails.build_message(cancellation)
    assert message.subject == "Your 3 sessions from Wednesday, December 9 are cancelled"
    assert all(day in message.body for day in ["December 9", "December 16", "December 23"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    repeat=st.one_of(st.sampled_from(["", "1", "2", "3", "0"]), st.text(max_size=5)),
    count=st.one_of(st.sampled_from(["2", "8", "1", "9", ""]), st.text(max_size=5)),
    checked=st.one_of(st.sampled_from(["1x2", "2x8", "1x8"]), st.text(max_size=8)),
    date_2=st.one_of(st.just(slot_value(WEDNESDAY_10)), st.text(max_size=30)),
)
def test_any_course_input_gets_a_page_never_a_500(client, at_now, repeat, count, checked, date_2):
    data = course_data(repeat=repeat, count=count, checked=checked, date_2=date_2)
    response = client.post(DETAILS, data)
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        booked = Appointment.objects.filter(client__email="ada@example.com")
        assert repeat in {"", "1", "2"} and (repeat == "" or booked.count() == int(count))
        Appointment.objects.all().delete()


def test_the_manage_page_lists_the_course_and_cancels_the_rest_of_it(client, service, now, client_details, at_now):
    sessions = online_course(
        series_starts(WEDNESDAY_10, every_weeks=1, count=3), service=service, now=now, client_details=client_details
    )
    manage = client.get(sessions[1].get_manage_url())
    assert "Your course" in page_text(manage) and "Cancel the rest of my course" in page_text(manage)
    response = client.post(reverse("appointments:cancel_course", args=[sessions[1].manage_token]))
    assert response.status_code == 302
    assert [Appointment.objects.get(pk=s.pk).status for s in sessions] == ["booked", "cancelled", "cancelled"]
    assert OutgoingEmail.objects.filter(kind=Kind.CANCELLATION).count() == 1
    again = client.post(reverse("appointments:cancel_course", args=[sessions[1].manage_token]), follow=True)
    assert again.status_code == 200 and OutgoingEmail.objects.filter(kind=Kind.CANCELLATION).count() == 1


def test_julies_list_and_day_show_each_session_as_part_of_its_course(
    julie_in_admin, service, now, client_details, clock_at_now
):
    sessions = online_course(
        series_starts(WEDNESDAY_10, every_weeks=1, count=3), service=service, now=now, client_details=client_details
    )
    changelist = reverse("admin:appointments_appointment_changelist")
    page = page_text(julie_in_admin.get(changelist))
    assert all(f"Course: {number} of 3" in page for number in (1, 2, 3))
    whole = julie_in_admin.get(changelist, {"series": str(sessions[0].series)})
    assert whole.status_code == 200 and len(whole.context["cl"].result_list) == 3
    day = julie_in_admin.get(reverse("admin:appointments_calendar_day"), {"day": "2026-12-09"})
    assert "Course: 2 of 3" in page_text(day)


def test_a_course_whose_start_cannot_be_read_gets_the_form_again_not_a_500(client, at_now):
    response = client.post(DETAILS, course_data(start="not a time", checked="1x3"))
    assert_form_as_typed(response)
    assert START_INVALID in page_text(response) and not Appointment.objects.exists()


def test_check_dates_pressed_again_on_a_checked_course_books_nothing(client, at_now):
    response = client.post(DETAILS, course_data(check="1", checked="1x3"))
    assert_form_as_typed(response)
    assert not Appointment.objects.exists() and "Wed, Dec 16 at 10:00 AM: free" in page_text(response)


def test_check_dates_before_the_details_are_typed_shows_no_errors_yet(client, at_now):
    response = client.post(DETAILS, course_data(check="1", name="", email="", phone="", accept_policy=""))
    html = response.content.decode()
    assert response.status_code == 200 and 'name="csrfmiddlewaretoken"' in html
    assert "Wed, Dec 16 at 10:00 AM: free" in page_text(response)
    assert "Error:" not in page_text(response) and "is-invalid" not in html


def test_a_checked_course_with_a_mistake_comes_back_to_be_fixed(client, at_now):
    response = client.post(DETAILS, course_data(checked="1x3", phone="12"))
    assert_form_as_typed(response)
    assert PHONE_INVALID in page_text(response) and not Appointment.objects.exists()


def test_a_course_booked_on_the_website_is_the_clients_own_with_their_note_and_julie_told_once(client, at_now):
    response = client.post(DETAILS, course_data(booking_key=issued_key(client), checked="1x3"))
    assert response.status_code == 302
    sessions = Appointment.objects.filter(client__email="ada@example.com")
    assert sessions.count() == 3
    assert {(session.source, session.client_note) for session in sessions} == {
        (Appointment.Source.WEB, "Migraines most mornings.")
    }
    assert OutgoingEmail.objects.filter(kind=Kind.THERAPIST_NEW).count() == 1


def test_a_reposted_key_from_another_booking_never_books_a_course_and_keeps_what_was_typed(client, at_now):
    key = issued_key(client)
    theirs = client.post(DETAILS, booking_data(booking_key=key))
    assert theirs.status_code == 302
    mine = course_data(start=THURSDAY_10, booking_key=key, name="Mallory", email="m@example.com", checked="1x3")
    response = client.post(DETAILS, mine)
    html = response.content.decode()
    assert response.status_code == 200 and Appointment.objects.count() == 1
    assert KEY_ALREADY_USED in page_text(response) and theirs["Location"] not in html
    assert 'value="Mallory"' in html and 'name="csrfmiddlewaretoken"' in html
    fresh_key = shown_key(response)
    assert fresh_key != key
    # Confirming again with the fresh key books the course, once.
    assert client.post(DETAILS, {**mine, "booking_key": fresh_key}).status_code == 302
    assert Appointment.objects.filter(client__email="m@example.com").count() == 3


def test_a_course_booked_counts_towards_the_rate_limit_and_the_next_is_refused_kindly(client, at_now, settings):
    settings.FORM_RATE_LIMIT = "1/h"
    assert client.post(DETAILS, course_data(count="2", checked="1x2")).status_code == 302
    response = client.post(DETAILS, course_data(start=THURSDAY_10, count="2", checked="1x2"))
    assert response.status_code == 429 and "try again later" in page_text(response)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert Appointment.objects.count() == 2


def test_a_date_taken_while_the_course_is_booked_books_nothing_and_shows_the_dates_as_they_are_now(
    client, book, at_now, monkeypatch
):
    """test_course_race.py's race, on SQLite: another client takes a date after this request
    checked the course and before it books it (the real check, with their booking in between)."""
    check_course = booking.check_course

    def another_client_books_after_the_check(**kwargs):
        dates = check_course(**kwargs)
        if not Appointment.objects.exists():
            book(WEDNESDAY_10 + timedelta(weeks=2), email="quicker@example.com")
        return dates

    monkeypatch.setattr(booking, "check_course", another_client_books_after_the_check)
    response = client.post(DETAILS, course_data(checked="1x3"))
    assert_form_as_typed(response)
    assert Appointment.objects.count() == 1
    page = page_text(response)
    assert COURSE_TAKEN in page and "Everything you typed is still here." in page
    assert "Wed, Dec 2 at 10:00 AM: free" in page and "Wed, Dec 16 at 10:00 AM is not free" in page
    assert 'name="date_3"' in response.content.decode() and 'value="1x3"' in response.content.decode()


def test_cancelling_the_rest_of_a_course_passes_over_a_later_session_already_cancelled(service, now, client_details):
    sessions = online_course(
        series_starts(WEDNESDAY_10, every_weeks=1, count=4), service=service, now=now, client_details=client_details
    )
    cancel_appointment(appointment=sessions[2], now=now)
    cancelled = cancel_rest_of_course(appointment=sessions[1], now=now)
    assert [session.pk for session in cancelled] == [sessions[1].pk, sessions[3].pk]
    statuses = [Appointment.objects.get(pk=session.pk).status for session in sessions]
    assert statuses == ["booked", "cancelled", "cancelled", "cancelled"]


def test_a_course_sent_again_goes_to_what_it_booked_not_its_own_dates_as_taken(client, at_now):
    data = course_data(checked="1x3", booking_key=issued_key(client))
    first = client.post(DETAILS, data)
    assert first.status_code == 302 and Appointment.objects.count() == 3
    again = client.post(DETAILS, data)  # the back button, then Confirm once more
    assert again.status_code == 302 and again.url == first.url
    assert Appointment.objects.count() == 3


def test_a_course_form_whose_key_booked_other_details_says_so_and_keeps_what_was_typed(client, at_now):
    key = issued_key(client)
    client.post(DETAILS, course_data(checked="1x3", booking_key=key))
    response = client.post(DETAILS, course_data(checked="1x3", booking_key=key, name="Grace Hopper"))
    assert response.status_code == 200 and Appointment.objects.count() == 3
    assert (
        "already used for another booking" in page_text(response)
        and 'value="Grace Hopper"' in response.content.decode()
    )
    assert shown_key(response) != key


def test_a_single_sessions_pages_list_no_course_and_no_one_elses_sessions(client, book, at_now):
    mine = book(WEDNESDAY_10, email="ada@example.com")
    book(WEDNESDAY_10 + timedelta(days=1), email="grace@example.com")
    for name in ("appointments:confirmed", "appointments:manage"):
        page = page_text(client.get(reverse(name, args=[mine.manage_token])))
        assert "Your course" not in page and "Thu, Dec 3" not in page
