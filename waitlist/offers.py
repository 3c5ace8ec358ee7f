"""The waitlist's rules: who may join, what is offered when a time frees up, and accepting.

Modelled on pretix's waiting list: offers are made under the calendar lock, walking the
entries in the order they joined; a time is never offered twice to one entry; an offer's
validity and its entry's are checked when it is used, not by a sweep. Every waiting entry
that wants a freed time is offered it (their emails go out in join order), and the first to
accept books it through booking.book_appointment, under the same lock and constraint as
any booking; the others are told kindly that it has gone, with other times.
"""

from dataclasses import dataclass
from datetime import time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from appointments import availability, booking
from appointments.hygiene import normalise_email
from appointments.models import Appointment, BookingRules
from services.models import Service

from . import outbox
from .models import Entry, Offer, Part

# An offer lasts this long, or until the time's minimum notice begins, whichever is first.
OFFER_LASTS = timedelta(hours=2)
# A time that could be held for less than this is not offered: nobody could act on it.
SHORTEST_OFFER = timedelta(minutes=15)
NOON = time(12)
OTHER_TIMES_SHOWN = 6

DAY_NOT_OPEN = "The waitlist is open for days from {first:%A, %B %-d} to {last:%A, %B %-d}. Please choose one of those."
FREE_TIME_FITS = "There is still a free time that fits on this day, so you can book it now."
OFFER_TAKEN = "Sorry, someone else booked this time just before you."
OFFER_ENDED = "This offer has ended, so this time is no longer held for you."
OFFER_LEFT = "You are no longer on the waitlist for this day, so this offer has ended."


class OfferGone(Exception):
    """The offer can no longer be accepted; the message is safe and kind to show."""


def bookable_service():
    """The service the booking pages sell (one, CSMT), or None."""
    return Service.objects.filter(is_active=True).order_by("pk").first()


def waitlist_days(*, now, rules):
    """(first, last): the days one may wait for: any a session could still be booked on."""
    first = availability.business_today(now + rules.minimum_notice)
    return first, availability.business_today(now) + timedelta(days=rules.horizon_days)


def part_of_day(start):
    return Part.MORNING if timezone.localtime(start).time() < NOON else Part.AFTERNOON


def fits(part, start):
    return part == Part.ANY or part == part_of_day(start)


def free_times_that_fit(day, part, *, now, rules, service):
    return [
        slot
        for slot in availability.free_slots_on(day, now=now, length=service.duration, rules=rules)
        if fits(part, slot.start)
    ]


def why_not_join(day, part, *, now):
    """Why one cannot wait for this day at this part of it, or None."""
    rules = BookingRules.load()
    first, last = waitlist_days(now=now, rules=rules)
    if not first <= day <= last:
        return DAY_NOT_OPEN.format(first=first, last=last)
    service = bookable_service()
    if service and free_times_that_fit(day, part, now=now, rules=rules, service=service):
        return FREE_TIME_FITS
    return None


@dataclass(frozen=True)
class Joined:
    entry: Entry
    new: bool


def join(*, day, part, client_details, now):
    """Put someone on a day's waitlist. Joining again for the same day (same email) is the
    same entry, its place in line kept, with the part of the day and details given last."""
    email = normalise_email(client_details.email)
    changes = {"part": part, "name": client_details.name, "phone": client_details.phone}
    with transaction.atomic():
        updated = Entry.objects.filter(email=email, day=day, status=Entry.Status.WAITING).update(**changes)
        if updated:
            return Joined(Entry.objects.get(email=email, day=day, status=Entry.Status.WAITING), new=False)
        try:
            with transaction.atomic():
                entry = Entry.objects.create(email=email, day=day, joined_at=now, **changes)
        except IntegrityError:  # The same person, joining twice at once.
            return Joined(Entry.objects.get(email=email, day=day, status=Entry.Status.WAITING), new=False)
        outbox.record(entry, outbox.Kind.JOINED, now=now)
    return Joined(entry, new=True)


def leave(*, entry):
    """Take me off the list: no more offers, and any open one ends."""
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk, status=Entry.Status.WAITING).update(status=Entry.Status.LEFT)


def _places(slots, *, start):
    """Free slots that do not overlap each other, those nearest the freed start first:
    each is one session that can be offered."""
    places = []
    for slot in sorted(slots, key=lambda slot: abs(slot.start - start)):
        if all(slot.end <= place.start or slot.start >= place.end for place in places):
            places.append(slot)
    return sorted(places)


def on_time_freed(sender=None, *, start, end, now, **_kwargs):
    """booking.time_freed's receiver."""
    offer_freed_time(start=start, end=end, now=now)


def offer_freed_time(*, start, end, now):
    """Offer what [start, end) freed to the entries waiting for it, in the order they joined.

    Runs in the transaction that freed it, under the calendar lock, so the free times seen
    here are the calendar's. Returns the offers made.
    """
    rules = BookingRules.load()
    service = bookable_service()
    # An accepted offer whose session gave up this time no longer holds it.
    Offer.objects.filter(status=Offer.Status.ACCEPTED, start__lt=end, end__gt=start).exclude(
        appointment__status=Appointment.Status.BOOKED, appointment__start=F("start")
    ).update(status=Offer.Status.RELEASED)
    if service is None:
        return []
    slots = availability.free_slots(
        start_date=timezone.localtime(start).date(),
        end_date=timezone.localtime(end - timedelta(microseconds=1)).date(),
        now=now,
        length=service.duration,
        rules=rules,
    )
    made = []
    offered_now = set()  # one offer per entry for one freed time
    for place in _places([slot for slot in slots if slot.start < end and slot.end > start], start=start):
        valid_until = min(now + OFFER_LASTS, place.start - rules.minimum_notice)
        if valid_until - now < SHORTEST_OFFER:
            continue
        day = place.local_start.date()
        booked_that_day = set(
            Appointment.objects.filter(status=Appointment.Status.BOOKED)
            .filter(start__gte=availability.wall_clock_to_utc(day, time.min))
            .filter(start__lt=availability.wall_clock_to_utc(day + timedelta(days=1), time.min))
            .values_list("client__email", flat=True)
        )
        waiting = Entry.objects.filter(day=day, status=Entry.Status.WAITING).order_by("joined_at", "pk")
        for entry in waiting:
            if entry.pk in offered_now or not fits(entry.part, place.start) or entry.email in booked_that_day:
                continue
            if Offer.objects.filter(entry=entry, start=place.start).exists():
                continue  # never the same time twice
            offer = Offer.objects.create(
                entry=entry, start=place.start, end=place.end, valid_until=valid_until, created_at=now
            )
            outbox.record(entry, outbox.Kind.OFFER, offer=offer, now=now)
            offered_now.add(entry.pk)
            made.append(offer)
    return made


def accept(*, offer, now):
    """Book the offered time for the entry's person. Returns the appointment; raises OfferGone.

    A second press of the button (the offer already accepted) returns the same booking.
    """
    gone = None
    with transaction.atomic():
        booking.lock_calendar()
        offer = Offer.objects.select_for_update(of=("self",)).select_related("entry", "appointment").get(pk=offer.pk)
        entry = offer.entry
        if offer.status == Offer.Status.ACCEPTED:
            return offer.appointment
        if not entry.is_waiting(today=availability.business_today(now)):
            raise OfferGone(OFFER_LEFT)
        if not offer.is_open(now=now):
            raise OfferGone(OFFER_TAKEN if offer.status == Offer.Status.GONE else OFFER_ENDED)
        service = bookable_service()
        details = booking.ClientDetails(name=entry.name, email=entry.email, phone=entry.phone)
        try:
            with transaction.atomic():
                appointment = booking.book_appointment(
                    start=offer.start, client_details=details, service=service, now=now
                )
                offer.status, offer.appointment = Offer.Status.ACCEPTED, appointment
                offer.save(update_fields=["status", "appointment"])
        except (booking.SlotUnavailable, IntegrityError):
            offer.status = Offer.Status.GONE
            offer.save(update_fields=["status"])
            gone = OFFER_TAKEN
        else:
            Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.BOOKED)
            # Everyone else offered this time: it has gone (their pages say so when opened).
            Offer.objects.filter(status=Offer.Status.OFFERED, start__lt=offer.end, end__gt=offer.start).update(
                status=Offer.Status.GONE
            )
    if gone:
        raise OfferGone(gone)
    return appointment


def other_times(day, *, now):
    """Free times to offer instead: that day's, or else the next ones from it."""
    rules = BookingRules.load()
    service = bookable_service()
    if service is None:
        return []
    same_day = availability.free_slots_on(day, now=now, length=service.duration, rules=rules)
    if same_day:
        return same_day
    last = availability.business_today(now) + timedelta(days=rules.horizon_days)
    later = availability.free_slots(start_date=day, end_date=last, now=now, length=service.duration, rules=rules)
    return later[:OTHER_TIMES_SHOWN]
