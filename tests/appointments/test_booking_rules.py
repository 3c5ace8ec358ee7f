"""Each rule of booking.py pinned by a test that breaks when the rule changes.

Written against mutation testing (`make mutate`): every assertion here names the
behaviour a client or Julie would notice if the rule were different.
"""

from datetime import timedelta

import pytest

from appointments import booking
from appointments.booking import (
    NOT_CHANGEABLE,
    OVERLAPS_SESSION,
    SLOT_NOT_OFFERED,
    SLOT_TAKEN,
    TOO_LATE_TO_CHANGE,
    BookingError,
    SlotUnavailable,
    cancel_appointment,
    reschedule_appointment,
    save_appointment_from_admin,
    set_appointment_status,
)
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
Status = Appointment.Status
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_14 = business_time(2026, 12, 3, 14)


def kinds(appointment, *, status=None):
    emails = appointment.emails.all()
    if status:
        emails = emails.filter(status=status)
    return sorted(emails.values_list("kind", flat=True))


def pending(appointment):
    return kinds(appointment, status=OutgoingEmail.Status.PENDING)


@pytest.fixture
def caller(db):
    return Client.objects.create(name="Phone Caller", email="caller@example.com", phone="(860) 555-0111")


@pytest.fixture
def entered_by_julie(caller, service, now):
    """A session Julie typed into admin for a phone client, Wednesday at 10."""
    appointment = Appointment(client=caller, service=service, start=WEDNESDAY_10, end=WEDNESDAY_10 + service.duration)
    return save_appointment_from_admin(appointment=appointment, now=now)


def edit(appointment, **changes):
    """The appointment as admin's form hands it to save_appointment_from_admin: a fresh copy, changed."""
    edited = Appointment.objects.get(pk=appointment.pk)
    for field, value in changes.items():
        setattr(edited, field, value)
    if "start" in changes:
        edited.end = edited.start + edited.service.duration
    return edited


# --- the website's booking -----------------------------------------------------------


def test_a_time_off_the_grid_is_not_offered_rather_than_taken(book):
    with pytest.raises(SlotUnavailable) as refused:
        book(business_time(2026, 12, 2, 10, 15))
    assert str(refused.value) == SLOT_NOT_OFFERED


def test_a_booked_time_is_reported_as_just_taken(book):
    book(WEDNESDAY_10)
    with pytest.raises(SlotUnavailable) as refused:
        book(WEDNESDAY_10, email="second@example.com")
    assert str(refused.value) == SLOT_TAKEN


def test_a_website_booking_is_marked_as_made_on_the_website(book):
    assert book(WEDNESDAY_10).source == Appointment.Source.WEB


def test_a_booking_without_a_note_stores_no_note(book):
    assert book(WEDNESDAY_10).client_note == ""


# --- a client's cancel and move --------------------------------------------------------


def test_a_client_cancellation_records_when_and_tells_julie(book, now):
    appointment = cancel_appointment(appointment=book(WEDNESDAY_10), reason="Migraine", now=now)
    appointment.refresh_from_db()
    assert appointment.cancelled_at == now
    assert appointment.cancellation_reason == "Migraine"
    assert Kind.THERAPIST_CANCELLED in pending(appointment)
    assert Kind.CANCELLATION in pending(appointment)


def test_cancelling_raises_the_calendar_sequence_by_one(book, now):
    appointment = reschedule_appointment(appointment=book(WEDNESDAY_10), new_start=THURSDAY_14, now=now)
    cancel_appointment(appointment=appointment, now=now)
    appointment.refresh_from_db()
    assert appointment.sequence == 2


def test_a_cancelled_session_cannot_be_changed_again(book, now):
    appointment = cancel_appointment(appointment=book(WEDNESDAY_10), now=now)
    with pytest.raises(BookingError) as refused:
        cancel_appointment(appointment=appointment, now=now)
    assert str(refused.value) == NOT_CHANGEABLE


def test_julie_cancelling_an_already_cancelled_session_notifies_nobody_again(book, now):
    appointment = cancel_appointment(appointment=book(WEDNESDAY_10), now=now)
    before = kinds(appointment)
    cancel_appointment(appointment=appointment, now=now, by_client=False)
    assert kinds(appointment) == before


def test_moving_twice_raises_the_sequence_each_time(book, now):
    appointment = reschedule_appointment(appointment=book(WEDNESDAY_10), new_start=THURSDAY_14, now=now)
    appointment = reschedule_appointment(appointment=appointment, new_start=THURSDAY_14 + timedelta(hours=1), now=now)
    appointment.refresh_from_db()
    assert appointment.sequence == 2
    assert appointment.start == THURSDAY_14 + timedelta(hours=1)


def test_moving_to_the_same_time_changes_nothing_and_emails_nobody(book, now):
    appointment = book(WEDNESDAY_10)
    before = kinds(appointment)
    reschedule_appointment(appointment=appointment, new_start=WEDNESDAY_10, now=now)
    appointment.refresh_from_db()
    assert appointment.sequence == 0
    assert kinds(appointment) == before


@pytest.mark.parametrize(
    ("hours_before", "allowed"),
    [(24, True), (23.99, False)],
    ids=["exactly-at-the-cutoff", "a-minute-inside-it"],
)
def test_the_online_change_cutoff_boundary(book, now, hours_before, allowed):
    appointment = book(WEDNESDAY_10)
    at = WEDNESDAY_10 - timedelta(hours=hours_before)
    if allowed:
        assert reschedule_appointment(appointment=appointment, new_start=THURSDAY_14, now=at).start == THURSDAY_14
    else:
        with pytest.raises(BookingError, match=TOO_LATE_TO_CHANGE):
            reschedule_appointment(appointment=appointment, new_start=THURSDAY_14, now=at)


@pytest.mark.parametrize(
    ("hours_ahead", "offered"),
    [(12, True), (11.99, False)],
    ids=["exactly-the-minimum-notice", "a-minute-inside-it"],
)
def test_the_minimum_notice_boundary(book, hours_ahead, offered):
    at = WEDNESDAY_10 - timedelta(hours=hours_ahead)
    if offered:
        assert book(WEDNESDAY_10, at=at).start == WEDNESDAY_10
    else:
        with pytest.raises(SlotUnavailable):
            book(WEDNESDAY_10, at=at)


# --- Julie's changes in admin ---------------------------------------------------------


def test_a_session_julie_enters_is_confirmed_to_the_client_but_not_to_her(entered_by_julie):
    assert entered_by_julie.source == Appointment.Source.ADMIN
    assert pending(entered_by_julie) == sorted([Kind.CONFIRMATION, Kind.REMINDER, Kind.AFTERCARE])


def test_editing_a_session_without_moving_it_is_no_clash_with_itself(entered_by_julie, now):
    save_appointment_from_admin(appointment=edit(entered_by_julie, client_note="Prefers mornings"), now=now)
    entered_by_julie.refresh_from_db()
    assert entered_by_julie.client_note == "Prefers mornings"
    assert entered_by_julie.sequence == 0
    assert Kind.RESCHEDULE not in kinds(entered_by_julie)


def test_a_clash_names_the_session_it_clashes_with(entered_by_julie, caller, service, now):
    clash = Appointment(client=caller, service=service, start=WEDNESDAY_10 + timedelta(minutes=30))
    clash.end = clash.start + service.duration
    with pytest.raises(SlotUnavailable) as refused:
        save_appointment_from_admin(appointment=clash, now=now)
    assert str(refused.value) == OVERLAPS_SESSION.format(clash=entered_by_julie)


def test_julie_moving_a_session_tells_the_client_and_moves_the_reminder(entered_by_julie, now):
    save_appointment_from_admin(appointment=edit(entered_by_julie, start=THURSDAY_14), now=now)
    moved = Appointment.objects.get(pk=entered_by_julie.pk)
    assert moved.sequence == 1
    notice = moved.emails.get(kind=Kind.RESCHEDULE)
    assert notice.status == OutgoingEmail.Status.PENDING
    assert notice.previous_start == WEDNESDAY_10
    assert notice.due_at == now
    reminders = moved.emails.filter(kind=Kind.REMINDER).order_by("sequence")
    assert [(r.sequence, r.status, r.due_at) for r in reminders] == [
        (0, OutgoingEmail.Status.SKIPPED, WEDNESDAY_10 - timedelta(hours=24)),
        (1, OutgoingEmail.Status.PENDING, THURSDAY_14 - timedelta(hours=24)),
    ]
    assert Kind.THERAPIST_MOVED not in kinds(moved)  # she made the change herself


def test_julie_cancelling_in_admin_tells_the_client_not_her(entered_by_julie, now):
    later = now + timedelta(minutes=5)
    save_appointment_from_admin(appointment=edit(entered_by_julie, status=Status.CANCELLED), now=later)
    cancelled = Appointment.objects.get(pk=entered_by_julie.pk)
    assert cancelled.cancelled_at == later
    assert cancelled.sequence == 1
    assert pending(cancelled) == [Kind.CANCELLATION]
    assert Kind.THERAPIST_CANCELLED not in kinds(cancelled)


def test_a_session_entered_already_cancelled_emails_nobody(caller, service, now):
    appointment = Appointment(client=caller, service=service, start=WEDNESDAY_10, end=WEDNESDAY_10 + service.duration)
    appointment.status = Status.CANCELLED
    save_appointment_from_admin(appointment=appointment, now=now)
    assert kinds(appointment) == []


def test_a_no_show_in_admin_drops_only_the_aftercare(entered_by_julie, now):
    save_appointment_from_admin(appointment=edit(entered_by_julie, status=Status.NO_SHOW), now=WEDNESDAY_10)
    emails = dict(entered_by_julie.emails.values_list("kind", "status"))
    assert emails[Kind.AFTERCARE] == OutgoingEmail.Status.SKIPPED
    assert emails[Kind.CONFIRMATION] == OutgoingEmail.Status.PENDING


def test_a_completed_session_keeps_its_aftercare(entered_by_julie, now):
    save_appointment_from_admin(appointment=edit(entered_by_julie, status=Status.COMPLETED), now=WEDNESDAY_10)
    assert Kind.AFTERCARE in pending(entered_by_julie)


def test_marking_completed_keeps_the_aftercare_and_no_show_drops_it(book):
    completed = set_appointment_status(appointment=book(WEDNESDAY_10), status=Status.COMPLETED, now=WEDNESDAY_10)
    completed.refresh_from_db()
    assert completed.status == Status.COMPLETED
    assert Kind.AFTERCARE in pending(completed)
    no_show = book(THURSDAY_14, email="other@example.com")
    set_appointment_status(appointment=no_show, status=Status.NO_SHOW, now=THURSDAY_14)
    no_show.refresh_from_db()
    assert no_show.status == Status.NO_SHOW
    assert Kind.AFTERCARE not in pending(no_show)


def test_a_cancelled_session_cannot_be_marked_completed(book, now):
    appointment = cancel_appointment(appointment=book(WEDNESDAY_10), now=now)
    with pytest.raises(BookingError, match="a cancelled session cannot be marked completed"):
        set_appointment_status(appointment=appointment, status=Status.COMPLETED, now=WEDNESDAY_10)
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


# --- what a refusal or a warning says, in Julie's and the client's words ---


class CourseDay:
    """A date of a repeat as check_series gives it: when, and what it meets (or None)."""

    def __init__(self, start, *, clash=None, time_off=None):
        self.start, self.clash, self.time_off = start, clash, time_off


DAYS = [business_time(2026, 12, 2, 10), business_time(2026, 12, 9, 10)]


def test_a_clash_names_the_days_and_agrees_with_how_many():
    one = booking.SeriesClash([CourseDay(DAYS[0], clash="Ada"), CourseDay(DAYS[1])])
    both = booking.SeriesClash([CourseDay(day, clash="Ada") for day in DAYS])
    assert "Nothing was booked: Wed Dec 2 clashes with other sessions" in str(one)
    assert "Nothing was booked: Wed Dec 2, Wed Dec 9 clash with other sessions" in str(both)


def test_time_off_names_the_days_and_agrees_with_how_many():
    one = booking.InTimeOff([CourseDay(DAYS[0], time_off="holiday"), CourseDay(DAYS[1])])
    both = booking.InTimeOff([CourseDay(day, time_off="holiday") for day in DAYS])
    assert str(one).startswith("Nothing was booked yet: Wed Dec 2 is in your time off.")
    assert str(both).startswith("Nothing was booked yet: Wed Dec 2, Wed Dec 9 are in your time off.")


def test_time_off_without_a_reason_is_called_time_off():
    off = TimeOff(start=business_time(2026, 12, 2, 9), end=business_time(2026, 12, 2, 12), reason="")
    assert booking.time_off_warning(off) == "This is in your time off: time off, Wed Dec 2, 9:00 AM to 12:00 PM."


@pytest.mark.parametrize(
    ("phoned_at", "kind"),
    [
        (business_time(2026, 12, 1, 8), Appointment.Cancellation.CLIENT),  # 26 hours ahead; the cut-off is 24
        (business_time(2026, 12, 1, 11), Appointment.Cancellation.CLIENT_LATE),
    ],
)
def test_a_cancellation_a_client_phoned_in_is_late_only_inside_the_cut_off(book, phoned_at, kind):
    appointment = book(business_time(2026, 12, 2, 10))
    appointment.status, appointment.cancellation_kind = Appointment.Status.CANCELLED, Appointment.Cancellation.CLIENT
    save_appointment_from_admin(appointment=appointment, now=phoned_at)
    appointment.refresh_from_db()
    assert appointment.cancellation_kind == kind
