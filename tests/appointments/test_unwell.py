"""Julie's illness rule: a client with a migraine cancels even inside the cut-off, rebooks in
one tap, and is never counted as a late cancellation; and Julie's note in the aftercare."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from appointments import booking, emails
from appointments.booking import BookingError, ClientDetails, book_appointment, cancel_unwell
from appointments.forms import slot_value
from appointments.models import Appointment, BookingRules, CalendarFeed, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
Cancellation = Appointment.Cancellation
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
# The morning of the session: well inside the 24-hour cut-off.
WEDNESDAY_7 = business_time(2026, 12, 2, 7)


@pytest.fixture
def booked(book, weekdays_nine_to_five):
    """Ada's session on Wednesday at 10:00, booked the day before."""
    return book(WEDNESDAY_10, email="ada@example.com")


def past_unwell_cancellation(client, *, service, cancelled_at):
    """A session of this client cancelled as unwell at `cancelled_at`."""
    return Appointment.objects.create(
        client=client,
        service=service,
        start=cancelled_at + timedelta(hours=3),
        end=cancelled_at + timedelta(hours=4),
        status=Appointment.Status.CANCELLED,
        cancellation_kind=Cancellation.UNWELL,
        cancelled_at=cancelled_at,
    )


def notices_to_julie(appointment):
    return appointment.emails.filter(kind=Kind.THERAPIST_CANCELLED).count()


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the rule (booking.cancel_unwell) ---


def test_an_unwell_client_can_cancel_inside_the_cutoff(booked):
    cancelled = cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancellation_kind == Cancellation.UNWELL
    kinds = set(cancelled.emails.filter(sequence=cancelled.sequence).values_list("kind", flat=True))
    assert kinds == {Kind.CANCELLATION, Kind.THERAPIST_CANCELLED}


def test_the_ordinary_cancel_is_still_refused_inside_the_cutoff(booked):
    with pytest.raises(BookingError, match="too soon"):
        booking.cancel_appointment(appointment=booked, now=WEDNESDAY_7)


def test_an_unwell_cancellation_is_not_counted_as_late(booked, book, rules):
    cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    # The same morning, another client phones Julie to cancel: that one is late.
    phoned = book(business_time(2026, 12, 2, 14), email="bob@example.com")
    phoned.status, phoned.cancellation_kind = Appointment.Status.CANCELLED, Cancellation.CLIENT
    booking.save_appointment_from_admin(appointment=phoned, now=WEDNESDAY_7)
    booked.refresh_from_db()
    assert booked.cancellation_kind == Cancellation.UNWELL
    assert phoned.cancellation_kind == Cancellation.CLIENT_LATE
    assert rules.is_late_cancellation(booked.start, now=WEDNESDAY_7)


def test_the_rule_switched_off_refuses_in_words(booked, rules):
    rules.unwell_cancellations_allowed = False
    rules.save()
    with pytest.raises(BookingError) as refusal:
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    assert str(refusal.value) == booking.UNWELL_OFF
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_the_yearly_limit_counts_the_last_365_days(booked, rules, service):
    rules.unwell_cancellations_per_year = 1
    rules.save()
    # Exactly 365 days ago no longer counts: a rolling year, not the calendar year.
    past_unwell_cancellation(booked.client, service=service, cancelled_at=WEDNESDAY_7 - timedelta(days=365))
    assert booking.unwell_refusal(booked, rules=rules, now=WEDNESDAY_7) is None
    past_unwell_cancellation(
        booked.client, service=service, cancelled_at=WEDNESDAY_7 - timedelta(days=365) + timedelta(minutes=1)
    )
    with pytest.raises(BookingError) as refusal:
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    assert str(refusal.value) == booking.UNWELL_LIMIT_REACHED.format(count="1 session")


def test_the_refusal_counts_the_sessions_in_words(booked, rules, service):
    rules.unwell_cancellations_per_year = 2
    rules.save()
    for days_ago in (30, 60):
        past_unwell_cancellation(booked.client, service=service, cancelled_at=WEDNESDAY_7 - timedelta(days=days_ago))
    with pytest.raises(BookingError) as refusal:
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    assert str(refusal.value).startswith("You have cancelled 2 sessions for illness")


def test_the_limit_is_per_client(booked, book, rules, service):
    rules.unwell_cancellations_per_year = 1
    rules.save()
    other = book(business_time(2026, 12, 2, 14), email="bob@example.com")
    cancel_unwell(appointment=other, now=WEDNESDAY_7)
    assert cancel_unwell(appointment=booked, now=WEDNESDAY_7).cancellation_kind == Cancellation.UNWELL


def test_a_late_or_ordinary_cancellation_does_not_use_the_allowance(booked, book, rules, now):
    rules.unwell_cancellations_per_year = 1
    rules.save()
    booking.cancel_appointment(appointment=book(business_time(2026, 12, 3, 10), email="ada@example.com"), now=now)
    assert booking.unwell_refusal(booked, rules=rules, now=WEDNESDAY_7) is None


@pytest.mark.parametrize("minutes_after_start", [0, 30, 90])
def test_once_the_session_has_started_it_is_refused(booked, minutes_after_start):
    with pytest.raises(BookingError) as refusal:
        cancel_unwell(appointment=booked, now=WEDNESDAY_10 + timedelta(minutes=minutes_after_start))
    assert str(refusal.value) == booking.UNWELL_STARTED


def test_cancelling_as_unwell_twice_tells_julie_once(booked):
    first = cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    again = cancel_unwell(appointment=booked, now=WEDNESDAY_7 + timedelta(seconds=1))
    assert again.sequence == first.sequence
    assert notices_to_julie(booked) == 1


def test_a_session_julie_cancelled_cannot_become_unwell(booked, now):
    booking.cancel_appointment(appointment=booked, now=now, by_client=False)
    with pytest.raises(BookingError):
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    booked.refresh_from_db()
    assert booked.cancellation_kind == Cancellation.JULIE


def test_booked_again_by_julie_the_session_is_no_longer_marked_unwell(booked, rules):
    cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    booked.refresh_from_db()
    booked.status = Appointment.Status.BOOKED
    booking.save_appointment_from_admin(appointment=booked, now=WEDNESDAY_7)
    assert booked.cancellation_kind == ""
    assert booking.unwell_cancellations(booked.client, now=WEDNESDAY_7).count() == 0


# --- Julie's notice ---


def test_julies_notice_says_migraine_in_its_body_and_nothing_more(booked):
    cancelled = cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    message = emails.build_message(cancelled.emails.get(kind=Kind.THERAPIST_CANCELLED), now=WEDNESDAY_7)
    # Health data never goes in a subject: a lock screen or a mail list shows it to anyone.
    assert message.subject.startswith("Cancelled: ") and "migraine" not in message.subject
    assert "The client has a migraine and cancelled under your illness rule: not a late cancellation." in message.body
    html = message.alternatives[0][0]
    assert "has a migraine</strong> and cancelled under your illness rule" in html
    # The client gave no reason: none is made up for her.
    assert cancelled.cancellation_reason == ""
    assert "Reason given" not in message.body + html


def test_an_ordinary_cancellation_notice_says_nothing_of_migraine(booked, now):
    cancelled = booking.cancel_appointment(appointment=booked, now=now)
    message = emails.build_message(cancelled.emails.get(kind=Kind.THERAPIST_CANCELLED), now=now)
    assert "migraine" not in message.subject + message.body + message.alternatives[0][0]


# --- the pages ---


def test_the_manage_page_offers_the_unwell_cancel_inside_the_cutoff(client, booked):
    with time_machine.travel(WEDNESDAY_7, tick=False):
        page = text_of(client.get(booked.get_manage_url()))
    assert "can no longer be changed online" in page
    assert "I have a migraine today" in page


def test_no_unwell_offer_when_julie_switched_the_rule_off(client, booked, rules):
    rules.unwell_cancellations_allowed = False
    rules.save()
    with time_machine.travel(WEDNESDAY_7, tick=False):
        page = text_of(client.get(booked.get_manage_url()))
    assert "I’m unwell" not in page
    assert "Unwell today?" not in page
    assert "I have a migraine today" not in page


def test_the_unwell_page_says_how_often_the_client_has_cancelled_for_illness(client, booked, service):
    past_unwell_cancellation(booked.client, service=service, cancelled_at=WEDNESDAY_7 - timedelta(days=30))
    with time_machine.travel(WEDNESDAY_7, tick=False):
        page = text_of(client.get(reverse("appointments:unwell", kwargs={"token": booked.manage_token})))
    assert "in 365 days; you have done so 1 time." in page


def test_the_times_to_rebook_start_the_day_after_the_session_not_after_today(client, book):
    """Cancelled on Wednesday for Friday's session: the times offered start on Saturday, and
    one tap sends the time shown."""
    friday_10 = business_time(2026, 12, 4, 10)
    saturday_9 = business_time(2026, 12, 5, 9)
    friday = book(friday_10, email="ada@example.com")
    with time_machine.travel(WEDNESDAY_7, tick=False):
        cancel_unwell(appointment=friday, now=WEDNESDAY_7)
        response = client.get(friday.get_manage_url())
    page = text_of(response)
    assert "Book Thu" not in page
    assert "Book Fri" not in page
    assert page.index("Book Sat, Dec 5 at 9:00 AM") < page.index("Book Sat, Dec 5 at 10:00 AM")
    rebook_form = response.content.decode().split('class="list-unstyled slot-list rebook-times"')[1]
    assert re.search(r'name="start" value="([^"]+)"', rebook_form)[1] == slot_value(saturday_9)


def test_opening_the_unwell_page_does_not_cancel(client, booked):
    with time_machine.travel(WEDNESDAY_7, tick=False):
        response = client.get(reverse("appointments:unwell", kwargs={"token": booked.manage_token}))
    assert response.status_code == 200
    assert "Yes, cancel: I’m unwell" in text_of(response)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_bad_link_cannot_cancel(client, booked):
    with time_machine.travel(WEDNESDAY_7, tick=False):
        response = client.post(reverse("appointments:unwell", kwargs={"token": "not-a-token"}))
    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_pressing_twice_cancels_once_and_then_offers_new_times(client, booked):
    url = reverse("appointments:unwell", kwargs={"token": booked.manage_token})
    with time_machine.travel(WEDNESDAY_7, tick=False):
        assert client.post(url).status_code == 302
        response = client.post(url, follow=True)
    page = text_of(response)
    assert "Your session is cancelled. Rest well" in page
    assert "cancelled because you were unwell" in page
    # From the day after: Wednesday afternoon is free, but Thursday 9:00 comes first.
    assert "Book Thu, Dec 3 at 9:00 AM" in page
    assert "Book Wed" not in page
    assert notices_to_julie(booked) == 1


def test_a_refusal_is_told_on_the_manage_page(client, booked):
    with time_machine.travel(WEDNESDAY_10 + timedelta(minutes=5), tick=False):
        url = reverse("appointments:unwell", kwargs={"token": booked.manage_token})
        response = client.post(url, follow=True)
    assert booking.UNWELL_STARTED in text_of(response)


def test_unwell_cancels_share_the_change_rate_limit(client, booked, book, settings):
    settings.FORM_RATE_LIMIT = "1/h"
    other = book(business_time(2026, 12, 2, 14), email="ada@example.com")
    with time_machine.travel(WEDNESDAY_7, tick=False):
        assert client.post(reverse("appointments:unwell", kwargs={"token": booked.manage_token})).status_code == 302
        refused = client.post(reverse("appointments:unwell", kwargs={"token": other.manage_token}))
    assert refused.status_code == 429
    other.refresh_from_db()
    assert other.status == Appointment.Status.BOOKED


def test_one_tap_rebooks_the_client_and_a_second_tap_books_nothing_more(client, booked):
    thursday_9 = business_time(2026, 12, 3, 9)
    rebook = reverse("appointments:rebook", kwargs={"token": booked.manage_token})
    with time_machine.travel(WEDNESDAY_7, tick=False):
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
        assert client.get(rebook).status_code == 405
        first = client.post(rebook, {"start": slot_value(thursday_9)})
        second = client.post(rebook, {"start": slot_value(thursday_9)})
        manage = text_of(client.get(booked.get_manage_url()))
    new = Appointment.objects.get(start=thursday_9)
    assert first["Location"] == second["Location"] == new.get_manage_url().replace("manage", "confirmed")
    assert (new.client, new.client_name, new.status) == (booked.client, booked.client_name, "booked")
    assert new.emails.filter(kind=Kind.THERAPIST_NEW).count() == 1
    assert "Your new session: Thursday, December 3 at 9:00 AM" in manage
    assert "Book Thursday" not in manage


def test_a_second_rebooking_from_the_same_cancellation_is_refused(client, booked):
    rebook = reverse("appointments:rebook", kwargs={"token": booked.manage_token})
    with time_machine.travel(WEDNESDAY_7, tick=False):
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
        client.post(rebook, {"start": slot_value(business_time(2026, 12, 3, 9))})
        response = client.post(rebook, {"start": slot_value(business_time(2026, 12, 3, 11))}, follow=True)
    assert booking.ALREADY_REBOOKED in text_of(response)
    assert not Appointment.objects.filter(start=business_time(2026, 12, 3, 11)).exists()


def test_a_taken_time_is_not_rebooked(client, booked, book):
    thursday_9 = business_time(2026, 12, 3, 9)
    with time_machine.travel(WEDNESDAY_7, tick=False):
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
        book(thursday_9, email="bob@example.com", at=WEDNESDAY_7)
        url = reverse("appointments:rebook", kwargs={"token": booked.manage_token})
        response = client.post(url, {"start": slot_value(thursday_9)}, follow=True)
    assert booking.SLOT_TAKEN in text_of(response)
    assert Appointment.objects.filter(start=thursday_9).count() == 1


def test_only_an_unwell_cancellation_can_rebook_this_way(client, booked, now):
    booking.cancel_appointment(appointment=booked, now=now)
    with time_machine.travel(WEDNESDAY_7, tick=False):
        url = reverse("appointments:rebook", kwargs={"token": booked.manage_token})
        client.post(url, {"start": slot_value(business_time(2026, 12, 3, 9))})
    assert not Appointment.objects.filter(start=business_time(2026, 12, 3, 9)).exists()


def test_a_rebooking_keeps_the_note_of_the_session_cancelled(service, now):
    ill = book_appointment(
        start=WEDNESDAY_10,
        client_details=ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100"),
        service=service,
        now=now,
        note="Migraines most mornings.",
    )
    cancelled = cancel_unwell(appointment=ill, now=WEDNESDAY_7)
    new = booking.rebook_after_unwell(appointment=cancelled, start=business_time(2026, 12, 3, 9), now=WEDNESDAY_7)
    assert new.client_note == "Migraines most mornings."


def test_a_session_cancelled_otherwise_is_refused_a_rebooking_in_words(booked, now):
    booking.cancel_appointment(appointment=booked, now=now)
    with pytest.raises(BookingError) as refusal:
        booking.rebook_after_unwell(appointment=booked, start=business_time(2026, 12, 3, 9), now=WEDNESDAY_7)
    assert str(refusal.value) == booking.NOT_CHANGEABLE


def test_a_rebook_with_an_unreadable_time_is_refused_kindly(client, booked):
    with time_machine.travel(WEDNESDAY_7, tick=False):
        cancel_unwell(appointment=booked, now=WEDNESDAY_7)
        url = reverse("appointments:rebook", kwargs={"token": booked.manage_token})
        response = client.post(url, {"start": "soon"}, follow=True)
    assert response.status_code == 200
    assert "That time could not be read" in text_of(response)


# --- Julie's lists ---


@pytest.fixture
def unwell_and_late(booked, book):
    cancel_unwell(appointment=booked, now=WEDNESDAY_7)
    late = book(business_time(2026, 12, 2, 14), email="bob@example.com")
    late.status, late.cancellation_kind = Appointment.Status.CANCELLED, Cancellation.CLIENT
    booking.save_appointment_from_admin(appointment=late, now=WEDNESDAY_7)
    return booked, late


def test_the_appointment_list_filters_and_marks_unwell_apart_from_late(julie_in_admin, unwell_and_late):
    changelist = reverse("admin:appointments_appointment_changelist")
    with time_machine.travel(WEDNESDAY_7, tick=False):
        everything = text_of(julie_in_admin.get(changelist, {"when": "all"}))
        unwell = julie_in_admin.get(changelist, {"when": "all", "cancellation_kind__exact": "unwell"})
    assert "Cancelled: client unwell" in everything
    assert "Cancelled late by the client" in everything
    assert "how it was cancelled" in everything
    assert [a.pk for a in unwell.context["cl"].result_list] == [unwell_and_late[0].pk]


def test_the_day_view_badges_unwell_and_late(julie_in_admin, unwell_and_late):
    with time_machine.travel(WEDNESDAY_7, tick=False):
        response = julie_in_admin.get(
            reverse("admin:appointments_calendar_day"), {"day": "2026-12-02", "cancelled": "1"}
        )
    html = response.content.decode()
    assert '<span class="badge">Unwell</span>' in html
    assert '<span class="badge">Late</span>' in html


def test_julie_sets_the_illness_rule_in_her_booking_rules(julie_in_admin):
    response = julie_in_admin.get(reverse("admin:appointments_bookingrules_change", args=[BookingRules.load().pk]))
    page = text_of(response)
    assert "Clients may cancel when unwell" in page
    assert "Counted over the last 365 days (not the calendar year), per client." in page


# --- Julie's note for the client, in the aftercare ---


def aftercare(appointment):
    return emails.build_message(appointment.emails.get(kind=Kind.AFTERCARE))


def test_julies_note_goes_in_the_aftercare_written_after_booking(booked):
    # The aftercare row was recorded at booking; the note is read when it is sent.
    booked.note_for_client = "Try the jaw release twice a day.\nSee you in two weeks."
    booked.save()
    message = aftercare(booked)
    assert "A note from Julie:\nTry the jaw release twice a day.\nSee you in two weeks." in message.body
    assert "Try the jaw release twice a day.<br>See you in two weeks." in message.alternatives[0][0]
    assert "jaw" not in message.subject


def test_no_note_no_note_heading(booked):
    message = aftercare(booked)
    assert "A note from Julie" not in message.body + message.alternatives[0][0]


def test_julies_note_is_escaped_in_html(booked):
    booked.note_for_client = '<a href="http://evil.example">Rest</a> & drink water'
    booked.save()
    message = aftercare(booked)
    html = message.alternatives[0][0]
    assert "&lt;a href=&quot;http://evil.example&quot;&gt;Rest&lt;/a&gt; &amp; drink water" in html
    assert '<a href="http://evil.example">' not in html
    assert '<a href="http://evil.example">Rest</a> & drink water' in message.body  # plain text as written


def test_julies_note_is_in_no_other_email_nor_the_calendar_feed(booked, client):
    booked.note_for_client = "Private-ish words for Ada"
    booked.save()
    for kind in (Kind.CONFIRMATION, Kind.REMINDER, Kind.THERAPIST_NEW):
        message = emails.build_message(booked.emails.get(kind=kind))
        assert "Private-ish words" not in message.body + message.alternatives[0][0]
    feed = client.get(CalendarFeed.load().get_absolute_url()).content.decode()
    assert "Private-ish words" not in feed


def test_julie_writes_the_note_on_the_session_form(julie_in_admin, booked):
    response = julie_in_admin.get(reverse("admin:appointments_appointment_change", args=[booked.pk]))
    assert 'name="note_for_client"' in response.content.decode()
