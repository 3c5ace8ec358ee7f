"""Clients waiting for a day with no free time (or none at the part of day they want),
the offers made to them when a time frees up, and the emails those owe."""

import uuid

from django.core import signing
from django.db import models
from django.urls import reverse

LINK_SALT = "waitlist.link"


class Part(models.TextChoices):
    ANY = "any", "Any time of day"
    MORNING = "morning", "Morning (before noon)"
    AFTERNOON = "afternoon", "Afternoon (from noon)"


class Entry(models.Model):
    """One person waiting for one day. Whether it has expired (the day passed) is checked
    when it is used (is_waiting), not by a sweep."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from an offer"
        LEFT = "left", "Taken off the list"

    day = models.DateField(help_text="The business day they wait for.")
    part = models.CharField("part of the day", max_length=10, choices=Part.choices, default=Part.ANY)
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, help_text="Normalised (hygiene.normalise_email).")
    phone = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "joined_at", "pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist entries"
        constraints = [
            # Joining twice for a day is one entry (offers.join updates it).
            models.UniqueConstraint(
                fields=["email", "day"], condition=models.Q(status="waiting"), name="waitlist_entry_once_per_day"
            ),
        ]
        indexes = [models.Index(fields=["day", "status"], name="waitlist_entry_day_idx")]

    def __str__(self):
        return f"{self.name} for {self.day:%a %b %-d}"

    def is_waiting(self, *, today):
        return self.status == self.Status.WAITING and self.day >= today

    @property
    def token(self):
        return signing.Signer(salt=LINK_SALT).sign(self.key.hex)

    def leave_url(self):
        return reverse("waitlist:leave", kwargs={"token": self.token})


def entry_from_token(token):
    """The entry a link points at, or None for a bad or tampered link."""
    key = _key(token)
    return key and Entry.objects.filter(key=key).first()


class Offer(models.Model):
    """A freed time offered to one waiting entry, usable until valid_until (checked at use)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted: booked"
        GONE = "gone", "Taken by someone else"
        RELEASED = "released", "Accepted, then the session was cancelled or moved"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="offers")
    start = models.DateTimeField()
    end = models.DateTimeField()
    valid_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_offers"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            # Never the same time offered twice to one entry.
            models.UniqueConstraint(fields=["entry", "start"], name="waitlist_offer_once_per_entry"),
            # However the accepts race, one offer per time is accepted.
            models.UniqueConstraint(
                fields=["start"], condition=models.Q(status="accepted"), name="waitlist_offer_one_accepted_per_time"
            ),
        ]

    def __str__(self):
        return f"Offer of {self.start:%Y-%m-%d %H:%M} UTC to {self.entry.name}"

    def get_absolute_url(self):
        return reverse("waitlist:offer", kwargs={"token": self.token})

    def is_open(self, *, now):
        return self.status == self.Status.OFFERED and now < self.valid_until

    @property
    def token(self):
        return signing.Signer(salt=LINK_SALT).sign(self.key.hex)


def _key(token):
    try:
        return uuid.UUID(hex=signing.Signer(salt=LINK_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def offer_from_token(token):
    key = _key(token)
    return key and Offer.objects.select_related("entry").filter(key=key).first()


class WaitlistEmail(models.Model):
    """An email the waitlist owes, sent by appointments.dispatch's protocol (waitlist.outbox)."""

    class Kind(models.TextChoices):
        JOINED = "joined", "You are on the waitlist"
        OFFER = "offer", "A time has come free"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed any more"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="emails")
    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="email")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = "waitlist email"
        indexes = [
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="waitlist_email_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} email"
