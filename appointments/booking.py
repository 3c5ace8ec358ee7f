"""Booking, cancelling and moving sessions: every write to the calendar goes through here.

Each change follows one order inside a transaction: lock the booking rules row
(one lock, so changes to the calendar queue up), re-check the slot, then write.
On PostgreSQL an exclusion constraint refuses overlaps even if this code were
bypassed; on SQLite the IMMEDIATE transaction mode serialises writers instead.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.dispatch import Signal
from django.utils import timezone

from . import outbox
from .availability import (
    find_free_slot,
    free_slots,
    overlapping_appointments,
    overlapping_time_off,
    rules_for_julie,
    wall_clock_to_utc,
)
from .hygiene import normalise_email
from .models import Appointment, BookingRules, Client, TimeOff

SLOT_TAKEN = "Sorry, that time was just taken by someone else. Please choose another time below."
SLOT_NOT_OFFERED = "That time is not available for booking. Please choose one of the times offered."
OVERLAPS_SESSION = "This overlaps another session: {clash}."
TOO_LATE_TO_CHANGE = (
    "This session starts too soon to change online. Please contact Julie directly to cancel or move it."
)
NOT_CHANGEABLE = "This session can no longer be changed online."
SERIES_CLASHES = (
    "Nothing was booked: {dates} with other sessions (see the dates below). "
    "Change the time or the repeat, then try again."
)
IN_TIME_OFF = 'Nothing was booked yet: {dates} in your time off. Tick "Book anyway" to book all the same.'
IN_TIME_OFF_WARNING = "This is in your time off: {reason}, {start} to {until}."
ONLY_BOOKED_MOVE = "This session is {status}: only a booked session can be moved."
ALREADY_STARTED = "This session has already started, so it can no longer be moved."
TIME_PASSED = "That time has already passed. Please choose a time still to come."
TIME_NOT_FREE = "That time is no longer free. Please choose another time."
NOT_STARTED = "It has not started yet: a session can be marked {status} once it has begun."
CANCELLED_STAYS = "It was cancelled: a cancelled session cannot be marked {status}."
UNWELL_OFF = "Cancelling for illness online is not open at the moment. Please contact Julie directly."
UNWELL_LIMIT_REACHED = (
    "You have cancelled {count} for illness in the last 365 days, as many as can be done online. "
    "Please contact Julie directly."
)
UNWELL_STARTED = "This session has already started, so it can no longer be cancelled online."
ALREADY_REBOOKED = "You have already booked a new time after this one: see it below."
# Julie's illness rule counts a client's unwell cancellations over a rolling year, by when they cancelled.
UNWELL_YEAR = timedelta(days=365)
COURSE_TAKEN = (
    "Sorry, some of these dates were just taken by someone else, so nothing was booked. "
    "Please check the dates below and choose again."
)
# How many free times are offered instead of a course date that is not free.
COURSE_ALTERNATIVES = 4
KEY_ALREADY_USED = (
    "This booking form was already used for another booking. "
    "Please check the time and your details, then press Confirm booking again."
)


# Sent inside the transaction that freed [start, end) of the calendar, with the calendar lock
# held: a cancellation, a move, or time off shortened or removed (the waitlist offers it).
# Keyword arguments: start, end, now.
time_freed = Signal()


def _freed(*, start, end, now):
    time_freed.send(sender=None, start=start, end=end, now=now)


class BookingError(Exception):
    """A booking change that cannot be made; its message is safe to show the client."""


class SlotUnavailable(BookingError):
    pass


class SeriesClash(SlotUnavailable):
    """Some dates of a booking clash with other sessions (or, booked online, are no longer
    offered); `dates` says which and with what. message: the client's words for it."""

    def __init__(self, dates, message=None):
        self.dates = dates
        clashing = [date for date in dates if date.clash is not None]
        super().__init__(message or SERIES_CLASHES.format(dates=_list_days(clashing, one="clashes", many="clash")))


class InTimeOff(BookingError):
    """Some dates fall in Julie's time off and she has not said to book them anyway."""

    def __init__(self, dates):
        self.dates = dates
        in_time_off = [date for date in dates if date.time_off is not None]
        super().__init__(IN_TIME_OFF.format(dates=_list_days(in_time_off, one="is", many="are")))


def _list_days(dates, *, one, many):
    days = ", ".join(f"{timezone.localtime(date.start):%a %b %-d}" for date in dates)
    return f"{days} {one if len(dates) == 1 else many}"


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    phone: str


def lock_calendar():
    """Take the calendar lock (the rules row) for the rest of the transaction; returns the rules."""
    rules, _ = BookingRules.objects.select_for_update().get_or_create(pk=1)
    return rules


Cancellation = Appointment.Cancellation


def _client_cancellation(*, rules, start, now):
    """How a client's own cancellation is recorded: late inside the cut-off (illness aside)."""
    return Cancellation.CLIENT_LATE if rules.is_late_cancellation(start, now=now) else Cancellation.CLIENT


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


def booked_with_key(booking_key, *, start, client_details, note):
    """The booking this form's key already made (a double click), or None if it made none.
    Raises BookingError when the key made a booking from another form's details."""
    if not booking_key:
        return None
    earlier = Appointment.objects.select_related("client").filter(booking_key=booking_key).first()
    if earlier is not None and not _same_submission(earlier, start=start, client_details=client_details, note=note):
        raise BookingError(KEY_ALREADY_USED)
    return earlier


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
        earlier = booked_with_key(booking_key, start=start, client_details=client_details, note=note)
        if earlier is not None:
            return earlier
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


def save_appointment_from_admin(*, appointment, now, confirm=True):
    """Save a session Julie entered or changed in admin, with the client emails that follow.

    Outside working hours is fine (her choice); on top of another session is not.
    A session entered as already completed or no-show is record keeping: no email.
    confirm=False: a new session gets no confirmation of its own (a later session of a
    repeat, which the first session's confirmation lists). Raises SlotUnavailable.
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
            kind = appointment.cancellation_kind or Cancellation.JULIE
            if kind == Cancellation.CLIENT:  # a client who phoned Julie to cancel
                kind = _client_cancellation(rules=rules, start=appointment.start, now=now)
            appointment.cancellation_kind = kind
        elif newly_booked:
            appointment.cancelled_at = None
            appointment.cancellation_kind = ""
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError as exc:
            raise SlotUnavailable(SLOT_TAKEN) from exc
        if cancelled or moved:
            _freed(start=before.start, end=before.end, now=now)
        # Julie made the change herself: the client hears of it, she does not.
        if newly_booked:
            outbox.record_booked(appointment, rules=rules, now=now, tell_julie=False, confirm=confirm)
        elif cancelled:
            outbox.record_cancelled(appointment, now=now, tell_julie=False)
        elif moved:
            outbox.record_moved(appointment, previous_start=before.start, rules=rules, now=now, tell_julie=False)
        elif appointment.status == Status.NO_SHOW:
            outbox.skip_pending(appointment, kinds=[outbox.Kind.AFTERCARE])
    return appointment


def series_starts(first, *, every_weeks, count):
    """The starts of `count` sessions every `every_weeks` weeks from `first`, at the same
    wall-clock time each week: a series crossing a DST change keeps 10:00 as 10:00."""
    local = timezone.localtime(first)
    return [
        wall_clock_to_utc(local.date() + timedelta(weeks=every_weeks * number), local.time()) for number in range(count)
    ]


@dataclass(frozen=True)
class SeriesDate:
    """One date of a booking Julie is about to make, and what stands in its way."""

    start: object  # aware datetime
    end: object
    clash: Appointment | None  # another active session at that time
    time_off: TimeOff | None  # Julie's time off at that time

    @property
    def is_free(self):
        return self.clash is None and self.time_off is None


def time_off_warning(time_off):
    """What Julie reads when a booking falls in her time off: its reason and when it is."""
    start, end = timezone.localtime(time_off.start), timezone.localtime(time_off.end)
    until = f"{end:%-I:%M %p}" if end.date() == start.date() else f"{end:%a %b %-d, %-I:%M %p}"
    return IN_TIME_OFF_WARNING.format(
        reason=time_off.reason or "time off", start=f"{start:%a %b %-d, %-I:%M %p}", until=until
    )


def check_series(*, starts, length):
    """Each start with the session and the time off it would overlap, if any."""
    dates = []
    for start in starts:
        end = start + length
        clash = overlapping_appointments(start=start, end=end).select_related("client").first()
        dates.append(SeriesDate(start, end, clash, overlapping_time_off(start=start, end=end).first()))
    return dates


@dataclass(frozen=True)
class CourseDate:
    """One date of a course a client asks for online: its slot when free, else the nearest
    free times that day or the day after, to choose instead."""

    start: object  # aware datetime, as series_starts gives it
    slot: object  # availability.Slot when this time is free, else None
    alternatives: list  # free Slots, nearest to `start` first; empty when the date is free

    @property
    def is_free(self):
        return self.slot is not None


def check_course(*, starts, length, now, rules):
    """Each date of a course under the website's own rules (working hours, time off, other
    sessions, minimum notice, booking horizon): free, or the nearest free times instead."""
    dates = []
    for start in starts:
        slot = find_free_slot(start, now=now, length=length, rules=rules)
        alternatives = []
        if slot is None:
            day = timezone.localtime(start).date()
            nearby = free_slots(start_date=day, end_date=day + timedelta(days=1), now=now, length=length, rules=rules)
            alternatives = sorted(nearby, key=lambda free: abs(free.start - start))[:COURSE_ALTERNATIVES]
        dates.append(CourseDate(start, slot, alternatives))
    return dates


def book_series(
    *,
    starts,
    service,
    now,
    client=None,
    client_details=None,
    note="",
    book_in_time_off=False,
    online=False,
    booking_key=None,
):
    """Book one session or a repeat, all of them or none: for a client Julie took by phone,
    or (online=True) a course a client books on the website.

    client: an existing client (the sessions carry their name and phone); or client_details:
    the client with that email, made if new (an existing record is never changed). Sessions
    of a repeat share one new series id. Every session gets its own reminder and aftercare;
    the first one's confirmation lists every date (emails.build_message), so the client gets
    one confirmation, not one per session. Raises SeriesClash if any date clashes with another
    session, InTimeOff if any falls in Julie's time off unless book_in_time_off.

    Online, every date must be free by the website's rules (check_course), Julie hears of the
    course once, and a repeated submission of one form (booking_key) returns what it booked.
    """
    with transaction.atomic():
        rules = lock_calendar()
        if online:
            earlier = booked_with_key(booking_key, start=starts[0], client_details=client_details, note=note)
            if earlier is not None:
                return list(course_sessions(earlier)) if earlier.series else [earlier]
        dates = check_series(starts=starts, length=service.duration)
        if online and not all(find_free_slot(s, now=now, length=service.duration, rules=rules) for s in starts):
            raise SeriesClash(dates, message=COURSE_TAKEN)
        if any(date.clash is not None for date in dates):
            raise SeriesClash(dates)
        if not book_in_time_off and any(date.time_off is not None for date in dates):
            raise InTimeOff(dates)
        if client is None:
            client = _client_for(client_details)
        series = uuid.uuid4() if len(starts) > 1 else None
        details = client_details or ClientDetails(name="", email="", phone="")
        fields = {
            "client": client,
            "client_name": details.name,
            "client_phone": details.phone,
            "service": service,
            "client_note": note,
            "series": series,
        }
        if not online:
            return [
                save_appointment_from_admin(
                    appointment=Appointment(**fields, start=date.start, end=date.end), now=now, confirm=number == 0
                )
                for number, date in enumerate(dates)
            ]
        sessions = []
        for number, date in enumerate(dates):
            first = number == 0
            session = _create(
                **fields,
                start=date.start,
                end=date.end,
                source=Appointment.Source.WEB,
                booking_key=(booking_key or None) if first else None,
            )
            outbox.record_booked(session, rules=rules, now=now, tell_julie=first, confirm=first)
            sessions.append(session)
        return sessions


def course_sessions(appointment):
    """Every session of the course (series) this one belongs to, in time order (selector)."""
    return Appointment.objects.filter(series=appointment.series).order_by("start")


def with_course_place(queryset):
    """Sessions annotated with their place in their course: course_number of course_size
    (both None for a session that is not part of one)."""
    same_course = Appointment.objects.filter(series=OuterRef("series")).order_by().values("series")
    count = Count("pk")
    return queryset.annotate(
        course_size=Subquery(same_course.annotate(n=count).values("n")),
        course_number=Subquery(same_course.filter(start__lte=OuterRef("start")).annotate(n=count).values("n")),
    )


def course_label(appointment):
    """ "Course: 3 of 6" for a session of a course annotated by with_course_place, else ""."""
    size = getattr(appointment, "course_size", None)
    return f"Course: {appointment.course_number} of {size}" if size else ""


def cancel_rest_of_course(*, appointment, now):
    """The client cancels this session and every later one still booked in its course, with
    one email listing them all (emails._sessions). Each goes through cancel_appointment, so
    its cut-off and emails are the usual ones. Raises BookingError if this one is too late."""
    with transaction.atomic():
        lock_calendar()
        later = course_sessions(appointment).filter(start__gt=appointment.start, status=Appointment.Status.BOOKED)
        later = list(later)  # read before anything changes
        this = cancel_appointment(appointment=appointment, now=now)  # refused past its cut-off
        return [this, *(cancel_appointment(appointment=session, now=now, tell_client=False) for session in later)]


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
        # Online, a client cancels only before the cut-off: never late.
        kind = Cancellation.CLIENT if by_client else Cancellation.JULIE
        _cancel(appointment, kind=kind, reason=reason, now=now, tell_julie=by_client, tell_client=tell_client)
    return appointment


def _cancel(appointment, *, kind, reason, now, tell_julie, tell_client=True):
    """Mark a locked, booked session cancelled and record the emails that follow."""
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancellation_kind = kind
    appointment.cancelled_at = now
    appointment.cancellation_reason = reason
    appointment.sequence += 1
    appointment.save(
        update_fields=["status", "cancellation_kind", "cancelled_at", "cancellation_reason", "sequence", "updated_at"]
    )
    outbox.record_cancelled(appointment, now=now, tell_julie=tell_julie, tell_client=tell_client)
    _freed(start=appointment.start, end=appointment.end, now=now)


def unwell_cancellations(client, *, now):
    """The client's sessions cancelled for illness in the rolling year before `now` (selector)."""
    return client.appointments.filter(
        status=Appointment.Status.CANCELLED,
        cancellation_kind=Cancellation.UNWELL,
        cancelled_at__gt=now - UNWELL_YEAR,
    )


def _sessions_count(count):
    return f"{count} session" if count == 1 else f"{count} sessions"


def unwell_refusal(appointment, *, rules, now):
    """Julie's illness rule: why the client may not cancel this session as unwell at `now`, or None.

    Inside the cut-off is fine (that is the point); once the session has started it is not.
    """
    if appointment.status != Appointment.Status.BOOKED:
        return NOT_CHANGEABLE
    if now >= appointment.start:
        return UNWELL_STARTED
    if not rules.unwell_cancellations_allowed:
        return UNWELL_OFF
    used = unwell_cancellations(appointment.client, now=now).count()
    if used >= rules.unwell_cancellations_per_year:
        return UNWELL_LIMIT_REACHED.format(count=_sessions_count(used))
    return None


def cancel_unwell(*, appointment, now):
    """The client is unwell (a migraine): cancel under Julie's illness rule, even inside the
    cut-off, recorded as "Client unwell", never as late. Raises BookingError with the refusal.

    A repeat (a double submit) returns the session as the first one left it.
    """
    with transaction.atomic():
        rules = lock_calendar()  # also keeps two cancellations at once from both passing the yearly limit
        appointment = Appointment.objects.select_for_update().select_related("client").get(pk=appointment.pk)
        if appointment.status == Appointment.Status.CANCELLED and appointment.cancellation_kind == Cancellation.UNWELL:
            return appointment
        refusal = unwell_refusal(appointment, rules=rules, now=now)
        if refusal:
            raise BookingError(refusal)
        _cancel(appointment, kind=Cancellation.UNWELL, reason="", now=now, tell_julie=True)
    return appointment


def rebook_key(appointment):
    """The booking key of the one rebooking offered after an unwell cancellation: a double tap
    finds the booking it made (book_appointment) instead of making a second one."""
    return f"rebook-{appointment.manage_key.hex}"


def rebooking(appointment):
    """The session booked from this cancelled session's rebook offer, if any (selector)."""
    return Appointment.objects.filter(booking_key=rebook_key(appointment)).first()


def rebook_after_unwell(*, appointment, start, now):
    """Book a free time for the client of a session cancelled as unwell, with the same details
    and note: one tap from their manage page. Raises SlotUnavailable, or BookingError."""
    if appointment.cancellation_kind != Cancellation.UNWELL:
        raise BookingError(NOT_CHANGEABLE)
    with transaction.atomic():
        lock_calendar()  # so that the check below holds until book_appointment has booked
        earlier = rebooking(appointment)
        if earlier is not None and earlier.start != start:
            raise BookingError(ALREADY_REBOOKED)
        return book_appointment(
            start=start,
            client_details=ClientDetails(
                name=appointment.client_name, email=appointment.client.email, phone=appointment.client_phone
            ),
            service=appointment.service,
            note=appointment.client_note,
            booking_key=rebook_key(appointment),
            now=now,
        )


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
        previous_start, previous_end = appointment.start, appointment.end
        appointment.start, appointment.end = slot.start, slot.end
        appointment.sequence += 1
        try:
            with transaction.atomic():
                appointment.save(update_fields=["start", "end", "sequence", "updated_at"])
        except IntegrityError as exc:
            raise SlotUnavailable(SLOT_TAKEN) from exc
        outbox.record_moved(appointment, previous_start=previous_start, rules=rules, now=now)
        _freed(start=previous_start, end=previous_end, now=now)
    return appointment


def move_refusal(appointment, *, now):
    """Why Julie cannot move this session, or None when she can."""
    if appointment.status != Appointment.Status.BOOKED:
        return ONLY_BOOKED_MOVE.format(status=appointment.get_status_display().lower())
    if appointment.start <= now:
        return ALREADY_STARTED
    return None


def move_appointment_from_admin(*, appointment, new_start, now):
    """Move a booked session to a free time Julie picked in her calendar. Raises BookingError.

    The time must be one of her free times (availability.rules_for_julie, the session's own
    time counting as free); the save is save_appointment_from_admin's, so the client gets the
    reschedule email and the reminder moves exactly as when she edits the time in the form.
    """
    with transaction.atomic():
        rules = lock_calendar()
        appointment = Appointment.objects.select_for_update().select_related("client", "service").get(pk=appointment.pk)
        refusal = move_refusal(appointment, now=now)
        if refusal is not None:
            raise BookingError(refusal)
        if new_start <= now:
            raise SlotUnavailable(TIME_PASSED)
        slot = find_free_slot(
            new_start,
            now=now,
            length=appointment.service.duration,
            rules=rules_for_julie(rules),
            ignore_appointment=appointment,
        )
        if slot is None:
            raise SlotUnavailable(TIME_NOT_FREE)
        appointment.start, appointment.end = slot.start, slot.end
        return save_appointment_from_admin(appointment=appointment, now=now)


def status_refusal(*, current, status, start, now):
    """Why a session (now `current`, starting at `start`) cannot be marked `status`, or None.

    Completed and no-show say what happened at a session: only once it has started (also when
    Julie moves a session already marked so), and never for a cancelled one.
    """
    if status not in {Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW}:
        return None
    label = Appointment.Status(status).label.lower()
    if current == Appointment.Status.CANCELLED:
        return CANCELLED_STAYS.format(status=label)
    if now < start:
        return NOT_STARTED.format(status=label)
    return None


def set_appointment_status(*, appointment, status, now):
    """Mark a session completed or a no-show (Julie's admin actions). Raises BookingError,
    naming the session, where status_refusal says no."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        refusal = status_refusal(current=appointment.status, status=status, start=appointment.start, now=now)
        if refusal:
            raise BookingError(f"{appointment}: {refusal}")
        appointment.status = status
        appointment.save(update_fields=["status", "updated_at"])
        if status == Appointment.Status.NO_SHOW:
            outbox.skip_pending(appointment, kinds=[outbox.Kind.AFTERCARE])
    return appointment


def sessions_in_time_off(*, start, end, now, exclude=None):
    """Booked sessions still to come in [start, end): what a new or moved time off lands on.

    Sessions already under way are left out: there is nothing left to cancel.
    """
    return (
        overlapping_appointments(start=start, end=end, exclude=exclude)
        .filter(status=Appointment.Status.BOOKED, start__gt=now)
        .select_related("client")
        .order_by("start")
    )


def save_time_off(*, time_off, cancel_overlapping, now):
    """Save Julie's time off; the booked sessions in it are cancelled with an email to each
    client (cancel_overlapping=True) or kept. Returns the sessions it found, in time order."""
    with transaction.atomic():
        lock_calendar()
        before = TimeOff.objects.filter(pk=time_off.pk).first() if time_off.pk else None
        time_off.save()
        if before is not None:
            # The parts of the old time off the new one no longer covers are free again.
            for start, end in [
                (before.start, min(before.end, time_off.start)),
                (max(before.start, time_off.end), before.end),
            ]:
                if start < end:
                    _freed(start=start, end=end, now=now)
        sessions = list(sessions_in_time_off(start=time_off.start, end=time_off.end, now=now))
        if cancel_overlapping:
            sessions = [
                cancel_appointment(appointment=session, now=now, by_client=False, tell_client=True)
                for session in sessions
            ]
    return sessions


def delete_time_off(*, time_off, now):
    """Remove Julie's time off: its hours are free again."""
    with transaction.atomic():
        lock_calendar()
        start, end = time_off.start, time_off.end
        time_off.delete()
        _freed(start=start, end=end, now=now)
