import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

MANAGE_LINK_SALT = "appointments.manage-link"


class BookingRules(models.Model):
    """The one set of rules every booking follows; Julie edits it in admin."""

    buffer_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(240)],
        help_text="Free minutes kept before and after every session.",
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        default=12,
        validators=[MaxValueValidator(24 * 14)],
        help_text="Clients cannot book a session starting sooner than this.",
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days ahead clients can book.",
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="Offered start times are this many minutes apart (30: 9:00, 9:30, ...).",
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text="Clients can cancel or move a session online until this many hours before it.",
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
        help_text="The reminder email goes out this many hours before a session.",
    )
    aftercare_hours_after = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 7)],
        help_text="The aftercare email goes out this many hours after a session ends.",
    )
    unwell_cancellations_allowed = models.BooleanField(
        "clients may cancel when unwell",
        default=True,
        help_text="A client with a migraine can cancel online even inside the cut-off, up to the limit below. "
        "These are not counted as late cancellations.",
    )
    unwell_cancellations_per_year = models.PositiveSmallIntegerField(
        "unwell cancellations per client per year",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Counted over the last 365 days (not the calendar year), per client.",
    )

    class Meta:
        verbose_name = "booking rules"
        verbose_name_plural = "booking rules"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="appointments_bookingrules_single_row"),
            models.CheckConstraint(
                condition=models.Q(slot_step_minutes__gte=5), name="appointments_bookingrules_step_min_5"
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1), name="appointments_bookingrules_horizon_min_1"
            ),
        ]

    def __str__(self):
        return "Booking rules"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        rules, _ = cls.objects.get_or_create(pk=1)
        return rules

    @property
    def buffer(self):
        return timedelta(minutes=self.buffer_minutes)

    @property
    def minimum_notice(self):
        return timedelta(hours=self.minimum_notice_hours)

    @property
    def slot_step(self):
        return timedelta(minutes=self.slot_step_minutes)

    @property
    def cancellation_cutoff(self):
        return timedelta(hours=self.cancellation_cutoff_hours)

    def change_deadline(self, start):
        """The last moment a client may cancel or move a session starting at `start` online."""
        return start - self.cancellation_cutoff

    def can_change_online(self, start, *, now):
        """The one rule for "can a session starting at `start` still be changed online at `now`":
        for a booked session (Appointment.client_can_change) and for a time on offer, which the
        booking pages mark when the cut-off is longer than the minimum notice."""
        return now <= self.change_deadline(start)

    def earliest_changeable_start(self, now):
        """The earliest start whose change deadline is not past at `now` (can_change_online for every
        start from it): the free-times engine compares each time on offer with it."""
        return now + self.cancellation_cutoff

    def is_late_cancellation(self, start, *, now):
        """Whether a client's cancellation at `now` of a session starting at `start` is late:
        inside the cut-off, when it could no longer be done online."""
        return not self.can_change_online(start, now=now)

    @property
    def online_change_limit(self):
        """Until when clients may change a session online, as the pages and emails say it."""
        hours = self.cancellation_cutoff_hours
        if not hours:
            return "until your session starts"
        return f"up to {hours} hour{'' if hours == 1 else 's'} before your session"


class BusinessDetails(models.Model):
    """Who the practice is, as clients, their emails and search engines see it: one row, edited in admin.

    Read by every page (context_processors.business) and every email; the area (town and state)
    is what the site shows publicly, the session address only booked clients see.
    """

    name = models.CharField(max_length=100, default="Posture Massage", help_text="Your business name.")
    description = models.CharField(
        max_length=300,
        default=(
            "Gentle one-hour craniosacral massage therapy (CSMT) sessions for migraines "
            "with Julie at Posture Massage in Connecticut. Book online."
        ),
        help_text="One or two sentences: search engines show them, and so do links to the site shared in messages.",
    )
    email = models.EmailField(help_text="Shown to clients on the site and in their emails; their replies go here.")
    phone = models.CharField(max_length=40, blank=True, help_text="Shown to clients who need to reach you.")
    town = models.CharField(
        max_length=100, blank=True, help_text="The town shown on the site and to search engines. Empty: the state only."
    )
    state = models.CharField(max_length=100, default="Connecticut")
    location = models.CharField(
        "session address",
        max_length=200,
        default="Posture Massage, Connecticut",
        help_text="Where sessions take place: in booked clients' emails and calendar entries, never on public pages.",
    )

    class Meta:
        verbose_name = "your business details"
        verbose_name_plural = "your business details"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="appointments_businessdetails_single_row"),
        ]

    def __str__(self):
        return "Your business details"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        details, _ = cls.objects.get_or_create(pk=1, defaults={"email": settings.THERAPIST_EMAIL})
        return details

    @property
    def area(self):
        """Town and state as shown publicly: "Hartford, Connecticut", or "Connecticut"."""
        return ", ".join(part for part in (self.town, self.state) if part)


class Weekday(models.IntegerChoices):
    # Same numbering as date.weekday().
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """One interval of a weekday when sessions can be booked (in the business time zone)."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="appointments_workinghours_end_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%-I:%M %p}–{self.end_time:%-I:%M %p}"

    def clean(self):
        if self.start_time is None or self.end_time is None or self.weekday is None:
            return
        overlapping = WorkingHours.objects.filter(
            weekday=self.weekday, start_time__lt=self.end_time, end_time__gt=self.start_time
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                f"This overlaps other working hours on {self.get_weekday_display()}: {overlapping.first()}. "
                "Change that interval instead, or pick times that don't overlap."
            )


class TimeOff(models.Model):
    """A stretch when no session can be booked: a vacation, an afternoon off."""

    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "time off"
        verbose_name_plural = "time off"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="appointments_timeoff_end_after_start",
                violation_error_message="Time off must end after it starts.",
            ),
        ]

    def __str__(self):
        start = timezone.localtime(self.start)
        return f"Time off from {start:%b %-d, %Y %-I:%M %p}"


class Client(models.Model):
    """Someone who books; recognised by email, stored in one form (hygiene.normalise_email).

    The website never changes this record: each booking keeps the name and phone
    typed for it, and Julie decides whether the client's details follow.
    """

    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Stored in lower case; matched whatever case is typed.")
    phone = models.CharField(max_length=30)
    notes = models.TextField(blank=True, help_text="Private: clients never see this.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Every write stores normalise_email()'s form, so the plain column is unique:
            # no database case function (whose idea of case differs from Python's) involved.
            models.UniqueConstraint(
                fields=["email"],
                name="appointments_client_unique_email",
                violation_error_message="A client with this email address already exists.",
            ),
        ]
        # Not view_client: viewing one client in admin is not taking away all they hold.
        permissions = [
            ("export_client_data", "Can export a client's personal data"),
            ("erase_client_data", "Can erase a client's personal data"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    class Source(models.TextChoices):
        WEB = "web", "Online"
        ADMIN = "admin", "By Julie"

    class Cancellation(models.TextChoices):
        # Who cancelled, and how: the status stays "cancelled" for all (the overlap
        # constraint and every free-time query read that one status).
        CLIENT = "client", "By the client"
        CLIENT_LATE = "client_late", "By the client, late"
        UNWELL = "unwell", "Client unwell"
        JULIE = "julie", "By Julie"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    # As given for this booking: another booking with the same email never changes them.
    client_name = models.CharField(
        "name", max_length=100, blank=True, help_text="As given for this session. Empty: the client's name."
    )
    client_phone = models.CharField(
        "phone", max_length=30, blank=True, help_text="As given for this session. Empty: the client's phone."
    )
    service = models.ForeignKey("services.Service", on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    client_note = models.TextField("note from the client", blank=True, max_length=1000)
    source = models.CharField("booked", max_length=5, choices=Source.choices, default=Source.WEB)
    # Sessions Julie booked together as a repeat ("every week for 6 sessions") share this.
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    # Secret behind the client's manage link; random, so not derivable from the id.
    manage_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The booking form's one-time key: a double-clicked submit finds this booking
    # instead of making a second one.
    booking_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # iCalendar SEQUENCE: goes up on every change the client's calendar must see.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancellation_reason = models.TextField(blank=True, max_length=1000)
    cancellation_kind = models.CharField(
        "cancelled",
        max_length=12,
        choices=Cancellation.choices,
        blank=True,
        help_text="Who cancelled. Empty: By Julie. A client's cancellation inside the cut-off is marked late.",
    )
    note_for_client = models.TextField(
        "note for the client",
        blank=True,
        max_length=2000,
        help_text="The client reads this in this session's aftercare email, if written before it goes.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointments_appointment_end_after_start"
            ),
            # The PostgreSQL exclusion constraint against overlaps is added by
            # migration 0002 (PostgreSQL only).
        ]
        indexes = [
            models.Index(fields=["start", "end"], name="appointments_appt_time_idx"),
            # For "overlaps [X, Y)" (start < Y and end > X) from today on: free slots
            # (availability.free_slots), booking's re-check, the admin calendar. The index
            # above reads every past session before Y; this one reads only sessions ending
            # after X, which the booking horizon keeps few however long the history.
            models.Index(fields=["end", "start"], name="appointments_appt_end_idx"),
        ]

    def __str__(self):
        start = timezone.localtime(self.start)
        return f"{self.client_name or self.client.name}, {start:%a %b %-d, %Y %-I:%M %p}"

    @property
    def details_differ(self):
        """Whether this booking was made with another name or phone than the client record's."""
        return (self.client_name, self.client_phone) != (self.client.name, self.client.phone)

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def duration_minutes(self):
        """The booked length (set from the service's duration when booked or moved)."""
        return round((self.end - self.start).total_seconds() / 60)

    @property
    def manage_token(self):
        return signing.Signer(salt=MANAGE_LINK_SALT).sign(self.manage_key.hex)

    def get_manage_url(self):
        return reverse("appointments:manage", kwargs={"token": self.manage_token})

    @property
    def manage_link_expires_at(self):
        """When the manage link stops working: MANAGE_LINK_DAYS_AFTER_SESSION days after the
        session's end, whatever became of it (cancelled sessions too), so an old email in a
        shared or lost inbox does not show a client's details for ever."""
        return self.end + timedelta(days=settings.MANAGE_LINK_DAYS_AFTER_SESSION)

    def manage_link_expired(self, *, now):
        return now >= self.manage_link_expires_at

    def client_can_change(self, *, now, rules):
        """Whether the client may still cancel or move this session online."""
        return self.status == self.Status.BOOKED and rules.can_change_online(self.start, now=now)


def appointment_from_token(token):
    """The appointment a manage link points at, or None for a bad or tampered link."""
    try:
        key = signing.Signer(salt=MANAGE_LINK_SALT).unsign(token)
        manage_key = uuid.UUID(hex=key)
    except (signing.BadSignature, ValueError):
        return None
    return Appointment.objects.select_related("client", "service").filter(manage_key=manage_key).first()


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """Julie's private calendar subscription: whoever has the secret URL sees her sessions."""

    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    regenerated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "private calendar feed"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="appointments_calendarfeed_single_row"),
        ]

    def __str__(self):
        return "Private calendar feed"

    def get_absolute_url(self):
        return reverse("calendar_feed", kwargs={"token": self.token})

    @classmethod
    def load(cls):
        feed, _ = cls.objects.get_or_create(pk=1)
        return feed

    def regenerate(self):
        """A new secret: the old URL stops working at once."""
        self.token = new_feed_token()
        self.save(update_fields=["token", "regenerated_at"])


class OutgoingEmail(models.Model):
    """One email owed for an appointment: recorded with each booking change.

    Unique per (appointment, kind, sequence): a moved session owes a new reminder
    for its new time, but no version of a session is reminded twice.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        REMINDER = "reminder", "Reminder"
        AFTERCARE = "aftercare", "Aftercare"
        CANCELLATION = "cancellation", "Cancellation notice"
        RESCHEDULE = "reschedule", "Reschedule notice"
        THERAPIST_NEW = "therapist_new", "Julie: new booking"
        THERAPIST_CANCELLED = "therapist_cancelled", "Julie: cancelled booking"
        THERAPIST_MOVED = "therapist_moved", "Julie: moved booking"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sequence = models.PositiveIntegerField(help_text="The appointment's sequence this email is about.")
    due_at = models.DateTimeField()
    previous_start = models.DateTimeField(null=True, blank=True, help_text="For move notices: the old time.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "sequence"], name="appointments_outgoingemail_once_per_version"
            ),
        ]
        indexes = [
            # For the sweep that sends what is due (appointments.dispatch.send_due_emails),
            # in its order: due_at, then id, so equal due times need no sort.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="appointments_email_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} email"
