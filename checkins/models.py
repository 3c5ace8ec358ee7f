"""Weekly migraine check-ins and the two questions after each session: a client's own trend.

A client who said yes at intake (Intake.weekly_checkins) gets one WeeklyCheckin row per
Monday-started week in the business time zone: the email owed that Monday morning (an
outbox row, sent like every other email) and the answer about the 7 days before it.
Answers are health data: encrypted like the intake's (intake.crypto), read only with
intake's permission, and every view recorded (CheckinView).
"""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from intake.crypto import EncryptedCharField, EncryptedIntegerField
from intake.models import Pain

# One salt per purpose (as appointments' MANAGE_LINK_SALT): a page link can't stop, a stop link can't answer.
PAGE_SALT = "checkins.page"
STOP_SALT = "checkins.stop"
SESSION_SALT = "checkins.session"
# The email goes out on Monday at this local time and asks about the 7 days before.
SEND_AT = time(8, 0)


def local_morning(day):
    """SEND_AT on `day` in the business time zone, as an aware datetime (right across DST)."""
    return timezone.make_aware(datetime.combine(day, SEND_AT))


class Enrolment(models.Model):
    """A client's check-ins: their private link, and whether they are asked (the opt-in is on the intake)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Checking in"
        PAUSED = "paused", "Paused by Julie"
        STOPPED = "stopped", "Stopped by the client"
        UNANSWERED = "unanswered", "Stopped: 3 weeks unanswered"

    client = models.OneToOneField("appointments.Client", on_delete=models.CASCADE, related_name="checkins")
    # The secret behind the client's links; random, so not derivable from the id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "client's check-ins"
        verbose_name_plural = "clients' check-ins"

    def __str__(self):
        return f"Check-ins of {self.client.name}"

    def get_absolute_url(self):
        return reverse("checkins:page", kwargs={"token": signing.Signer(salt=PAGE_SALT).sign(self.key.hex)})

    def stop_url(self):
        return reverse("checkins:stop", kwargs={"token": signing.Signer(salt=STOP_SALT).sign(self.key.hex)})


def enrolment_from_token(token, *, salt):
    """The enrolment a link points at, or None for a bad, tampered or other-purpose link."""
    try:
        key = uuid.UUID(hex=signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Enrolment.objects.select_related("client").filter(key=key).first()


class OutboxRow(models.Model):
    """The fields appointments.dispatch.claim and record_failure work on."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class WeeklyCheckin(OutboxRow):
    """One week of a client: the email owed on the Monday after it, and their answer (if any).

    Unanswered stays unanswered (answered_at is None): a gap in the trend, never a zero.
    """

    client = models.ForeignKey("appointments.Client", on_delete=models.CASCADE, related_name="weekly_checkins")
    # The Monday the reported 7 days began; the email goes out 7 days later (local_morning).
    week = models.DateField()
    answered_at = models.DateTimeField(null=True, blank=True)
    headache_days = EncryptedIntegerField(null=True, blank=True)
    migraine_days = EncryptedIntegerField(null=True, blank=True)
    medicine_days = EncryptedIntegerField(null=True, blank=True)
    worst_pain = EncryptedCharField(max_length=10, choices=Pain.choices, blank=True)

    class Meta:
        ordering = ["week"]
        verbose_name = "weekly check-in"
        constraints = [
            models.UniqueConstraint(fields=["client", "week"], name="checkins_weeklycheckin_once_a_week"),
        ]
        indexes = [
            # For checkins.outbox.send_due_checkins' sweep, in its order.
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="checkins_due_idx"),
        ]

    def __str__(self):
        return f"Week of {self.week:%B %-d, %Y}"

    @property
    def opens_at(self):
        return local_morning(self.week + timedelta(days=7))

    @property
    def closes_at(self):
        """The next check-in's morning: an answer can be corrected until then."""
        return local_morning(self.week + timedelta(days=14))

    def is_open(self, *, now):
        return now < self.closes_at

    @property
    def answered(self):
        return self.answered_at is not None


class Feeling(models.TextChoices):
    """Compared with before the session: a 7-point global impression of change (wording ours)."""

    MUCH_WORSE = "1", "Much worse"
    WORSE = "2", "Worse"
    LITTLE_WORSE = "3", "A little worse"
    SAME = "4", "About the same"
    LITTLE_BETTER = "5", "A little better"
    BETTER = "6", "Better"
    MUCH_BETTER = "7", "Much better"


class AfterEffect(models.TextChoices):
    NONE = "none", "None"
    SORENESS = "soreness", "Soreness"
    TIREDNESS = "tiredness", "Tiredness"
    HEADACHE = "headache", "Headache"
    OTHER = "other", "Something else"


class SessionFeedback(OutboxRow):
    """The client's two answers after one session; the outbox fields are Julie's notice, once.

    A notice is owed (status pending) only when an answer is "headache" or "much worse";
    until then the row is SKIPPED, and it is never made pending twice.
    """

    appointment = models.OneToOneField("appointments.Appointment", on_delete=models.CASCADE, related_name="feedback")
    answered_at = models.DateTimeField()
    feeling = EncryptedCharField(max_length=1, choices=Feeling.choices, blank=True)
    after_effect = EncryptedCharField(max_length=10, choices=AfterEffect.choices, blank=True)
    # Plain, like Intake.flagged, so Julie's overview can filter on it; says "look", not what.
    notable = models.BooleanField(default=False)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = "answer after a session"
        indexes = [
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="checkins_notice_due_idx"),
        ]

    def __str__(self):
        return "Answers after a session"


class CheckinView(models.Model):
    """Someone on Julie's side saw a client's check-in answers: who, when, where."""

    client = models.ForeignKey("appointments.Client", on_delete=models.CASCADE, related_name="checkin_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    viewer_name = models.CharField(max_length=150)
    viewed_at = models.DateTimeField()
    what = models.CharField(max_length=40)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = "view of check-in answers"
        verbose_name_plural = "views of check-in answers"

    def __str__(self):
        return f"Seen by {self.viewer_name}"
