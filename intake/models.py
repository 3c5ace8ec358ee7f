"""A client's health intake: what Julie needs to know before a first session, and their consent.

One intake per client, kept up to date: a review a year later (or when the client says
something changed) edits the same row, starting from the old answers. Every answer is
encrypted (crypto.py); what Julie's calendar needs to filter on (flagged, submitted_at)
is plain, and says nothing of what was answered.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse

from .crypto import EncryptedCharField, EncryptedIntegerField, EncryptedTextField

LINK_SALT = "intake.link"
# A returning client is asked to review their intake when it is older than this at a session.
REVIEW_AFTER = timedelta(days=365)


class ConsentText(models.Model):
    """One published version of Julie's consent text. Never edited: a new version is a new row."""

    version = models.PositiveIntegerField(unique=True, editable=False)
    text = models.TextField(help_text="What the client reads and accepts by typing their full name.")
    published_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = "consent text"

    def __str__(self):
        return f"Consent text, version {self.version}"

    @classmethod
    def current(cls):
        return cls.objects.order_by("-version").first()


class AgeRange(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    FROM_18 = "18_29", "18 to 29"
    FROM_30 = "30_44", "30 to 44"
    FROM_45 = "45_59", "45 to 59"
    FROM_60 = "60_74", "60 to 74"
    FROM_75 = "75_up", "75 or older"


class MigraineSince(models.TextChoices):
    UNDER_1 = "under_1", "Less than a year"
    FROM_1 = "1_5", "1 to 5 years"
    FROM_5 = "5_10", "5 to 10 years"
    OVER_10 = "over_10", "More than 10 years"


class Pain(models.TextChoices):
    """The 4-point verbal scale of the IHS guidelines (RESEARCH-MIGRAINE.md)."""

    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class Intake(models.Model):
    class State(models.TextChoices):
        MISSING = "missing", "Intake missing"
        DONE = "done", "Intake done"
        ATTENTION = "attention", "Intake: needs your attention"

    client = models.OneToOneField("appointments.Client", on_delete=models.CASCADE, related_name="intake")
    # The secret behind the client's link; random, so not derivable from the id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the client sends it; a half-finished intake has answers but no submitted_at.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Goes up with each sending: Julie hears of a flagged intake once per sending (IntakeEmail).
    submissions = models.PositiveIntegerField(default=0)
    # The client said something changed: asked again at their next session until sent again.
    review_requested = models.BooleanField(default=False)
    # Plain on purpose: the calendar and the index filter on it; encrypted columns can't be filtered.
    flagged = models.BooleanField(default=False, help_text="Some answers call for Julie's attention.")

    emergency_name = EncryptedCharField("emergency contact's name", max_length=100, blank=True)
    emergency_phone = EncryptedCharField("emergency contact's phone", max_length=30, blank=True)
    age_range = EncryptedCharField(max_length=10, choices=AgeRange.choices, blank=True)
    migraine_since = EncryptedCharField("migraines for", max_length=10, choices=MigraineSince.choices, blank=True)
    # The recalled 4-week baseline: the weekly check-ins' four questions, about the last 4 weeks.
    headache_days = EncryptedIntegerField(null=True, blank=True)
    migraine_days = EncryptedIntegerField(null=True, blank=True)
    medicine_days = EncryptedIntegerField(null=True, blank=True)
    worst_pain = EncryptedCharField(max_length=10, choices=Pain.choices, blank=True)
    preventive_medicines = EncryptedTextField(max_length=1000, blank=True)
    acute_medicines = EncryptedTextField(max_length=1000, blank=True)
    triggers = EncryptedTextField(max_length=1000, blank=True)
    other_headaches = EncryptedTextField("other headache types diagnosed", max_length=1000, blank=True)
    # The health screen (screen.py has the questions and their sources).
    head_injury = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    brain_bleed = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    skull_surgery = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    head_pressure = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    new_headache = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    seizures = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    blood_thinners = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    blood_pressure = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    pregnant = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    recent_surgery = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    skin_or_contagious = EncryptedCharField(max_length=3, choices=YesNo.choices, blank=True)
    screen_details = EncryptedTextField("more about these answers", max_length=2000, blank=True)
    # Consent: the version read, the name typed and when.
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, null=True, blank=True)
    consent_name = EncryptedCharField("name typed to consent", max_length=100, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    # Opt-in to the weekly check-ins (the checkins app); plain, so its sweep can filter on it.
    weekly_checkins = models.BooleanField("weekly check-ins by email", default=False)

    class Meta:
        # Not view_intake: that one is for the bare row; this one opens the answers.
        permissions = [("read_health_intake", "Can read clients' health intakes")]
        indexes = [models.Index(fields=["flagged"], name="intake_intake_flagged_idx")]

    def __str__(self):
        return f"Health intake of {self.client.name}"

    def get_absolute_url(self):
        return reverse("intake:form", kwargs={"token": self.token})

    @property
    def token(self):
        return signing.Signer(salt=LINK_SALT).sign(self.key.hex)

    def link(self):
        return settings.SITE_URL + self.get_absolute_url()

    def is_current(self, *, at):
        """Whether the intake covers a session at `at`: sent, not reopened, and under a year old then."""
        return self.submitted_at is not None and not self.review_requested and at - self.submitted_at < REVIEW_AFTER

    def state(self, *, at):
        if not self.is_current(at=at):
            return self.State.MISSING
        return self.State.ATTENTION if self.flagged else self.State.DONE


def intake_from_token(token):
    """The intake a link points at, or None for a bad or tampered link."""
    try:
        key = uuid.UUID(hex=signing.Signer(salt=LINK_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Intake.objects.select_related("client").filter(key=key).first()


class IntakeView(models.Model):
    """Someone on Julie's side saw the answers (record_intake_view): who and when."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    # Kept if the staff account is deleted later.
    viewer_name = models.CharField(max_length=150)
    viewed_at = models.DateTimeField()
    what = models.CharField(max_length=40, help_text="Where it was seen: the intake page, a print, an export.")

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = "view of an intake"

    def __str__(self):
        return f"Seen by {self.viewer_name}"


class IntakeEmail(models.Model):
    """One email owed about an intake, sent by intake.outbox like appointments' own emails.

    Its own table, not a new kind of appointments.OutgoingEmail: those are about a
    session (unique per session version) and their kinds are the scheduling core's.
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "Please fill in your intake"
        ATTENTION = "attention", "Julie: an intake needs your attention"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The intake's `submissions` it is about: Julie hears once of each flagged sending.
    submission = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = "intake email"
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "submission"],
                condition=models.Q(kind="attention"),
                name="intake_intakeemail_attention_once",
            ),
        ]
        indexes = [
            # For intake.outbox.send_due_intake_emails' sweep, in its order.
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="intake_email_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} email"


class EncryptionCheck(models.Model):
    """A known value, encrypted: read at start-up (checks.py) to prove the key still opens the answers."""

    KNOWN = "intake-key-check"

    value = EncryptedCharField(max_length=40)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="intake_encryptioncheck_single_row")]

    def __str__(self):
        return "Encryption check"
