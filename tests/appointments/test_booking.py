from datetime import timedelta

import pytest
from django.db import IntegrityError

from appointments.booking import (
    KEY_ALREADY_USED,
    SLOT_TAKEN,
    TOO_LATE_TO_CHANGE,
    BookingError,
    ClientDetails,
    SlotUnavailable,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
    save_appointment_from_admin,
)
from appointments.models import Appointment, BookingRules, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

WEDNESDAY_10 = business_time(2026, 12, 2, 10)


def test_booking_a_free_slot_creates_client_and_appointment(service, client_details, now):
    appointment = book_appointment(start=WEDNESDAY_10, client_details=client_details, service=service, now=now)
    assert appointment.start == WEDNESDAY_10
    assert appointment.end == WEDNESDAY_10 + timedelta(hours=1)
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.client.email == "ada@example.com"


def test_second_booking_of_a_slot_is_refused(service, client_details, now, book):
    book(WEDNESDAY_10)
    with pytest.raises(SlotUnavailable, match="just taken"):
        book_appointment(start=WEDNESDAY_10, client_details=client_details, service=service, now=now)
    assert Appointment.objects.count() == 1


def test_returning_client_is_recognised_by_email_in_any_case(service, now, book):
    first = book(WEDNESDAY_10, email="Ada@Example.com")
    second = book(business_time(2026, 12, 3, 10), email="ada@EXAMPLE.com")
    assert first.client_id == second.client_id
    assert Client.objects.count() == 1


def test_the_same_form_submitted_twice_books_once(service, client_details, now):
    kwargs = {
        "start": WEDNESDAY_10,
        "client_details": client_details,
        "service": service,
        "now": now,
        "booking_key": "k" * 32,
    }
    first = book_appointment(**kwargs)
    second = book_appointment(**kwargs)
    assert first.pk == second.pk
    assert Appointment.objects.count() == 1


def test_booking_inside_minimum_notice_is_refused(service, client_details, now):
    with pytest.raises(SlotUnavailable):
        book_appointment(start=business_time(2026, 12, 1, 10), client_details=client_details, service=service, now=now)


def test_booking_records_the_emails_it_owes(service, client_details, now):
    appointment = book_appointment(start=WEDNESDAY_10, client_details=client_details, service=service, now=now)
    owed = dict(appointment.emails.values_list("kind", "due_at"))
    assert owed[OutgoingEmail.Kind.CONFIRMATION] == now
    assert owed[OutgoingEmail.Kind.THERAPIST_NEW] == now
    assert owed[OutgoingEmail.Kind.REMINDER] == WEDNESDAY_10 - timedelta(hours=24)
    assert owed[OutgoingEmail.Kind.AFTERCARE] == WEDNESDAY_10 + timedelta(hours=1 + 24)


def test_booking_inside_the_reminder_window_owes_no_reminder(service, client_details, now):
    BookingRules.objects.update(minimum_notice_hours=2)
    soon = business_time(2026, 12, 1, 16)  # 8 hours away
    appointment = book_appointment(start=soon, client_details=client_details, service=service, now=now)
    assert not appointment.emails.filter(kind=OutgoingEmail.Kind.REMINDER).exists()


def test_client_cancels_before_the_cutoff(now, book):
    appointment = book(WEDNESDAY_10)
    cancelled = cancel_appointment(appointment=appointment, reason="Feeling better", now=now)
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.sequence == 1
    kinds = dict(cancelled.emails.values_list("kind", "status"))
    assert kinds[OutgoingEmail.Kind.REMINDER] == OutgoingEmail.Status.SKIPPED
    assert kinds[OutgoingEmail.Kind.AFTERCARE] == OutgoingEmail.Status.SKIPPED
    assert kinds[OutgoingEmail.Kind.CANCELLATION] == OutgoingEmail.Status.PENDING


def test_client_cannot_cancel_after_the_cutoff(now, book):
    appointment = book(WEDNESDAY_10)
    with pytest.raises(BookingError, match=TOO_LATE_TO_CHANGE):
        cancel_appointment(appointment=appointment, now=WEDNESDAY_10 - timedelta(hours=23))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_julie_can_cancel_any_time(now, book):
    appointment = book(WEDNESDAY_10)
    cancel_appointment(appointment=appointment, now=WEDNESDAY_10 - timedelta(hours=1), by_client=False)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_a_cancelled_slot_can_be_booked_again(now, book):
    cancel_appointment(appointment=book(WEDNESDAY_10), now=now)
    assert book(WEDNESDAY_10, email="other@example.com").status == Appointment.Status.BOOKED


def test_reschedule_moves_the_session_and_owes_new_emails(now, book):
    appointment = book(WEDNESDAY_10)
    new_start = business_time(2026, 12, 3, 14)
    moved = reschedule_appointment(appointment=appointment, new_start=new_start, now=now)
    assert moved.start == new_start
    assert moved.sequence == 1
    reminders = moved.emails.filter(kind=OutgoingEmail.Kind.REMINDER).order_by("sequence")
    assert [(r.sequence, r.status) for r in reminders] == [(0, "skipped"), (1, "pending")]
    assert reminders[1].due_at == new_start - timedelta(hours=24)
    notice = moved.emails.get(kind=OutgoingEmail.Kind.THERAPIST_MOVED)
    assert notice.previous_start == WEDNESDAY_10


def test_reschedule_into_its_own_buffer_is_allowed(now, book):
    appointment = book(WEDNESDAY_10)
    moved = reschedule_appointment(appointment=appointment, new_start=business_time(2026, 12, 2, 10, 30), now=now)
    assert moved.start == business_time(2026, 12, 2, 10, 30)


def test_reschedule_onto_a_taken_slot_changes_nothing(now, book):
    appointment = book(WEDNESDAY_10)
    book(business_time(2026, 12, 3, 14), email="other@example.com")
    with pytest.raises(SlotUnavailable, match=SLOT_TAKEN[:20]):
        reschedule_appointment(appointment=appointment, new_start=business_time(2026, 12, 3, 14), now=now)
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10
    assert appointment.sequence == 0


def test_admin_booking_may_be_outside_hours_but_not_on_another_session(now, book, service, client_details):
    book(WEDNESDAY_10)
    client = Client.objects.create(name="Phone caller", email="caller@example.com", phone="860 555 0111")
    evening = Appointment(
        client=client, service=service, start=business_time(2026, 12, 2, 19), end=business_time(2026, 12, 2, 20)
    )
    save_appointment_from_admin(appointment=evening, now=now)
    assert evening.source == Appointment.Source.ADMIN
    clash = Appointment(
        client=client, service=service, start=business_time(2026, 12, 2, 10, 30), end=business_time(2026, 12, 2, 11, 30)
    )
    with pytest.raises(SlotUnavailable, match="overlaps"):
        save_appointment_from_admin(appointment=clash, now=now)
    assert Appointment.objects.count() == 2


@pytest.mark.postgres  # the exclusion constraint exists on PostgreSQL only
def test_database_refuses_overlapping_sessions_even_without_the_booking_code(now, book, service):
    first = book(WEDNESDAY_10)
    with pytest.raises(IntegrityError):
        Appointment.objects.create(
            client=first.client,
            service=service,
            start=WEDNESDAY_10 + timedelta(minutes=30),
            end=WEDNESDAY_10 + timedelta(minutes=90),
        )


# --- who the client is: matched by normalised email, never rewritten from the public form ---


def test_returning_client_does_not_rewrite_the_client_record_or_earlier_bookings(service, now):
    ada = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    first = book_appointment(start=WEDNESDAY_10, client_details=ada, service=service, now=now)
    stranger = ClientDetails(name="Mallory Smith", email="ADA@Example.com", phone="(203) 555-0666")
    second = book_appointment(start=business_time(2026, 12, 3, 10), client_details=stranger, service=service, now=now)
    assert second.client_id == first.client_id
    client = Client.objects.get()
    assert (client.name, client.phone, client.email) == ("Ada Lovelace", "(860) 555-0100", "ada@example.com")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.client_name, first.client_phone) == ("Ada Lovelace", "(860) 555-0100")
    assert (second.client_name, second.client_phone) == ("Mallory Smith", "(203) 555-0666")
    assert not first.details_differ
    assert second.details_differ


@pytest.mark.parametrize(
    "typed",
    [
        "kate@example.com",
        "KATE@EXAMPLE.COM",
        "Kate@Example.Com",
        "\u212aate@example.com",  # KELVIN SIGN, a look-alike of K
        "\u212aATE@EXAMPLE.COM",
        "ｋａｔｅ@example.com",  # fullwidth letters
    ],
)
def test_email_variants_find_the_same_client(service, now, typed):
    kate = ClientDetails(name="Kate", email="kate@example.com", phone="(860) 555-0100")
    first = book_appointment(start=WEDNESDAY_10, client_details=kate, service=service, now=now)
    again = ClientDetails(name="Kate B.", email=typed, phone="(860) 555-0100")
    second = book_appointment(start=business_time(2026, 12, 3, 10), client_details=again, service=service, now=now)
    assert second.client_id == first.client_id
    assert list(Client.objects.values_list("email", flat=True)) == ["kate@example.com"]


def test_a_new_client_is_stored_with_the_normalised_email(service, now):
    details = ClientDetails(name="Kate", email="\u212aATE@Example.COM", phone="(860) 555-0100")
    appointment = book_appointment(start=WEDNESDAY_10, client_details=details, service=service, now=now)
    assert appointment.client.email == "kate@example.com"


def test_database_keeps_one_client_per_normalised_email(db):
    Client.objects.create(name="Kate", email="kate@example.com", phone="1")
    with pytest.raises(IntegrityError):
        Client.objects.create(name="Kate again", email="kate@example.com", phone="2")


# --- the booking form's one-time key ---


def test_a_key_reused_for_another_client_does_not_return_their_booking(service, client_details, now):
    key = "k" * 32
    theirs = book_appointment(
        start=WEDNESDAY_10, client_details=client_details, service=service, now=now, booking_key=key
    )
    mallory = ClientDetails(name="Mallory", email="mallory@example.com", phone="(860) 555-0666")
    with pytest.raises(BookingError, match=KEY_ALREADY_USED[:30]):
        book_appointment(start=WEDNESDAY_10, client_details=mallory, service=service, now=now, booking_key=key)
    with pytest.raises(BookingError, match=KEY_ALREADY_USED[:30]):
        later = business_time(2026, 12, 3, 10)
        book_appointment(start=later, client_details=client_details, service=service, now=now, booking_key=key)
    assert list(Appointment.objects.all()) == [theirs]


@pytest.mark.parametrize(
    "changed",
    [{"name": "Mallory"}, {"phone": "(860) 555-0666"}, {"note": "Please call me."}],
    ids=["name", "phone", "note"],
)
def test_a_key_reused_with_the_same_email_and_time_but_anything_else_changed_is_refused(
    service, client_details, now, changed
):
    key = "k" * 32
    submission = {"name": client_details.name, "phone": client_details.phone, "note": "Migraines."}
    theirs = book_appointment(
        start=WEDNESDAY_10,
        client_details=client_details,
        service=service,
        now=now,
        note=submission["note"],
        booking_key=key,
    )
    submission.update(changed)
    other = ClientDetails(name=submission["name"], email=client_details.email, phone=submission["phone"])
    with pytest.raises(BookingError, match=KEY_ALREADY_USED[:30]):
        book_appointment(
            start=WEDNESDAY_10, client_details=other, service=service, now=now, note=submission["note"], booking_key=key
        )
    assert list(Appointment.objects.all()) == [theirs]


def test_a_double_click_with_the_email_in_another_case_is_still_the_same_submission(service, client_details, now):
    key = "k" * 32
    first = book_appointment(
        start=WEDNESDAY_10, client_details=client_details, service=service, now=now, booking_key=key
    )
    shouted = ClientDetails(name=client_details.name, email=client_details.email.upper(), phone=client_details.phone)
    second = book_appointment(start=WEDNESDAY_10, client_details=shouted, service=service, now=now, booking_key=key)
    assert second.pk == first.pk
