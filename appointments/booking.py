"""Booking, cancelling and moving sessions: every write to the calendar goes through here.

Each change follows one order inside a transaction: lock the booking rules row
(one lock, so changes to the calendar queue up), re-check the slot, then write.
On PostgreSQL an exclusion constraint refuses overlaps even if this code were
bypassed; on SQLite the IMMEDIATE transaction mode serialises writers instead.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from . import outbox
from .availability import find_free_slot, overlapping_appointments
from .hygiene import normalise_email
from .models import Appointment, BookingRules, Client

SLOT_TAKEN = "Sorry, that time was just taken by someone else. Please choose another time below."
SLOT_NOT_OFFERED = "That time is not available for booking. Please choose one of the times offered."
OVERLAPS_SESSION = "This overlaps another session: {clash}."
TOO_LATE_TO_CHANGE = (
    "This session starts too soon to change online. Please contact Julie directly to cancel or move it."
)
NOT_CHANGEABLE = "This session can no longer be changed online."
KEY_ALREADY_USED = (
    "This booking form was already used for another booking. "
    "Please check the time and your details, then press Confirm booking again."
)


class BookingError(Exception):
    """A booking change that cannot be made; its message is safe to show the client."""


class SlotUnavailable(BookingError):
    pass


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    phone: str


def lock_calendar():
    """Take the calendar lock (the rules row) for the rest of the transaction; returns the rules."""
    rules, _ = BookingRules.objects.select_for_update().get_or_create(pk=1)
    return rules


def _check_client_can_change(appointment, *, rules, now):
    if not appointment.client_can_change(now=now, rules=rules):
        too_late = appointment.status == Appointment.Status.BOOKED
        raise BookingError(TOO_LATE_TO_CHANGE if too_late else NOT_CHANGEABLE)


def _client_for(details):
    """The client with this email (normalised), made from the details if new.

    A returning client's record is left as it is: anyone can type anyone's email, so
    the website must not overwrite it. The booking keeps the details it was made with,
    and admin shows Julie where they differ.
    """
    client, _ = Client.objects.get_or_create(
        email=normalise_email(details.email), defaults={"name": details.name, "phone": details.phone}
    )
    return client


def _same_submission(appointment, *, start, client_details, note):
    """Whether an earlier booking with this form key came from this very form (a double click).

    Every field must match: anyone holding the key and another client's email and time
    would otherwise be sent to that client's confirmation (and manage link).
    """
    return (
        appointment.start == start
        and appointment.client.email == normalise_email(client_details.email)
        and appointment.client_name == client_details.name
        and appointment.client_phone == client_details.phone
        and appointment.client_note == note
    )


def _create(**fields):
    try:
        with transaction.atomic():
            return Appointment.objects.create(**fields)
    except IntegrityError as exc:
        # The exclusion constraint: another session got there first.
        raise SlotUnavailable(SLOT_TAKEN) from exc


def book_appointment(*, start, client_details, service, now, note="", booking_key=None):
    """Book a free slot for a client on the website. Raises SlotUnavailable.

    A repeated submission of one form (same booking_key and every field the same) returns
    the booking it already made instead of making a second one. A key that made a booking
    with anything else raises BookingError: it must never lead to that booking's page.
    """
    with transaction.atomic():
        rules = lock_calendar()
        if booking_key:
            earlier = Appointment.objects.select_related("client").filter(booking_key=booking_key).first()
            if earlier is not None:
                if _same_submission(earlier, start=start, client_details=client_details, note=note):
                    return earlier
                raise BookingError(KEY_ALREADY_USED)
        slot = find_free_slot(start, now=now, length=service.duration, rules=rules)
        if slot is None:
            taken = overlapping_appointments(start=start, end=start + service.duration).exists()
            raise SlotUnavailable(SLOT_TAKEN if taken else SLOT_NOT_OFFERED)
        appointment = _create(
            client=_client_for(client_details),
            client_name=client_details.name,
            client_phone=client_details.phone,
            service=service,
            start=slot.start,
            end=slot.end,
            client_note=note,
            source=Appointment.Source.WEB,
            booking_key=booking_key or None,
        )
        outbox.record_booked(appointment, rules=rules, now=now)
    return appointment


def save_appointment_from_admin(*, appointment, now):
    """Save a session Julie entered or changed in admin, with the client emails that follow.

    Outside working hours is fine (her choice); on top of another session is not.
    A session entered as already completed or no-show is record keeping: no email.
    Raises SlotUnavailable.
    """
    Status = Appointment.Status
    with transaction.atomic():
        rules = lock_calendar()
        before = Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        if appointment.is_active:
            clash = overlapping_appointments(start=appointment.start, end=appointment.end, exclude=appointment).first()
            if clash is not None:
                raise SlotUnavailable(OVERLAPS_SESSION.format(clash=clash))
        if before is None:
            appointment.source = Appointment.Source.ADMIN
        # Details Julie left empty are the client's own.
        appointment.client_name = appointment.client_name or appointment.client.name
        appointment.client_phone = appointment.client_phone or appointment.client.phone
        was_booked = before is not None and before.status == Status.BOOKED
        is_booked = appointment.status == Status.BOOKED
        newly_booked = is_booked and not was_booked  # new, or a cancelled session back on
        cancelled = was_booked and appointment.status == Status.CANCELLED
        moved = was_booked and is_booked and before.start != appointment.start
        if before is not None and (newly_booked or cancelled or moved):
            appointment.sequence = before.sequence + 1
        if cancelled:
            appointment.cancelled_at = now
        elif newly_booked:
            appointment.cancelled_at = None
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError as exc:
            raise SlotUnavailable(SLOT_TAKEN) from exc
        # Julie made the change herself: the client hears of it, she does not.
        if newly_booked:
            outbox.record_booked(appointment, rules=rules, now=now, tell_julie=False)
        elif cancelled:
            outbox.record_cancelled(appointment, now=now, tell_julie=False)
        elif moved:
            outbox.record_moved(appointment, previous_start=before.start, rules=rules, now=now, tell_julie=False)
        elif appointment.status == Status.NO_SHOW:
            outbox.skip_pending(appointment, kinds=[outbox.Kind.AFTERCARE])
    return appointment


def adopt_booking_details(*, appointment):
    """Julie's decision: the client record takes the name and phone given for this booking."""
    client = appointment.client
    client.name = appointment.client_name or client.name
    client.phone = appointment.client_phone or client.phone
    client.save(update_fields=["name", "phone"])
    return client


def cancel_appointment(*, appointment, now, reason="", by_client=True, tell_client=True):
    """Cancel a session. A client may only do so before the cut-off; Julie any time.

    tell_client=False: no cancellation email (the client's address is being erased).
    """
    with transaction.atomic():
        rules = lock_calendar()
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if by_client:
            _check_client_can_change(appointment, rules=rules, now=now)
        if appointment.status != Appointment.Status.BOOKED:
            return appointment  # Already cancelled or over: nothing to do, nobody to notify.
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = now
        appointment.cancellation_reason = reason
        appointment.sequence += 1
        appointment.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
        outbox.record_cancelled(appointment, now=now, tell_julie=by_client, tell_client=tell_client)
    return appointment


def reschedule_appointment(*, appointment, new_start, now):
    """Move a client's session to another free slot, all or nothing. Raises BookingError."""
    with transaction.atomic():
        rules = lock_calendar()
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _check_client_can_change(appointment, rules=rules, now=now)
        if new_start == appointment.start:
            return appointment
        slot = find_free_slot(
            new_start, now=now, length=appointment.service.duration, rules=rules, ignore_appointment=appointment
        )
        if slot is None:
            raise SlotUnavailable(SLOT_TAKEN)
        previous_start = appointment.start
        appointment.start, appointment.end = slot.start, slot.end
        appointment.sequence += 1
        try:
            with transaction.atomic():
                appointment.save(update_fields=["start", "end", "sequence", "updated_at"])
        except IntegrityError as exc:
            raise SlotUnavailable(SLOT_TAKEN) from exc
        outbox.record_moved(appointment, previous_start=previous_start, rules=rules, now=now)
    return appointment


def set_appointment_status(*, appointment, status, now):
    """Mark a past session completed or a no-show (Julie's admin actions)."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status == Appointment.Status.CANCELLED:
            return appointment
        appointment.status = status
        appointment.save(update_fields=["status", "updated_at"])
        if status == Appointment.Status.NO_SHOW:
            outbox.skip_pending(appointment, kinds=[outbox.Kind.AFTERCARE])
    return appointment
