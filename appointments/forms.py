import copy
import functools
import re
import secrets
from datetime import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from crispy_forms.utils import render_crispy_form
from django import forms
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html

from .availability import BUSINESS_YEARS
from .booking import ClientDetails
from .hygiene import EMAIL_INVALID, display_phone, normalise_email, normalise_phone, refuse_control_characters

DATE_OUTSIDE_BUSINESS_YEARS = f"Please enter a date from {BUSINESS_YEARS[0]} to {BUSINESS_YEARS[-1]}."
START_INVALID = "That time could not be read. Please choose a time from the list."
CHOOSE_A_TIME = "Please choose one of the times."
# Added to a time inside the change cut-off wherever times are offered as a choice.
NOT_CHANGEABLE_ONLINE = "can’t be changed online"
HONEYPOT_FILLED = "Please leave this field empty."
POLICY_REQUIRED = "Please confirm you have read the cancellation policy."
BOOKING_KEY_INVALID = (
    "Something went wrong with this form, so nothing was booked yet. "
    "Please check the time and your details, then press Confirm booking again."
)
# The random part of the booking form's one-time key, as new_booking_key() makes it.
BOOKING_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
# The key is signed, so a key copied from nowhere (or made up) is not one of ours.
BOOKING_KEY_SALT = "appointments.booking-key"


def new_booking_key():
    """A fresh one-time key for the booking form: random, signed by the site."""
    return signing.Signer(salt=BOOKING_KEY_SALT).sign(secrets.token_urlsafe(24))


def booking_key_made_here(key):
    """The random part of a key new_booking_key() made (what a booking stores), or None."""
    try:
        value = signing.Signer(salt=BOOKING_KEY_SALT).unsign(key)
    except signing.BadSignature:
        return None
    return value if BOOKING_KEY_PATTERN.fullmatch(value) else None


def business_years_only(value):
    """Julie's date fields take the same years as the site's own parsers (BUSINESS_YEARS):
    the length of a session added to 9999-12-31 would overflow."""
    if value is not None and value.year not in BUSINESS_YEARS:
        raise forms.ValidationError(DATE_OUTSIDE_BUSINESS_YEARS, code="date_out_of_range")


def parse_slot_start(value):
    """An aware datetime from a slot's ISO text ('2026-12-01T09:00-05:00'), or None
    (also for a year outside BUSINESS_YEARS, where arithmetic on it could overflow)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        # A '+' in an offset arrives as a space when the query string was not encoded.
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    if timezone.is_naive(parsed) or parsed.year not in BUSINESS_YEARS:
        return None
    return parsed


def slot_value(slot_start):
    """The text a form or link carries for a slot: business wall time with its offset."""
    return timezone.localtime(slot_start).isoformat(timespec="minutes")


def slot_label(slot):
    """A slot as a choice reads: its day and time, and whether it could be changed online once booked."""
    label = f"{slot.local_start:%a %b %-d, %-I:%M %p}"
    return label if slot.changeable_online else f"{label} ({NOT_CHANGEABLE_ONLINE})"


def slot_radios(slots):
    """Radio buttons for a choice of slots, labelled by slot_label."""
    return forms.RadioSelect(choices=[(slot_value(slot.start), slot_label(slot)) for slot in slots])


class SlotStartField(forms.Field):
    """A slot's start time carried by the form as ISO text with a UTC offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"required": START_INVALID})
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_slot_start(value)
        if parsed is None:
            raise forms.ValidationError(START_INVALID, code="invalid")
        return parsed

    def prepare_value(self, value):
        return slot_value(value) if isinstance(value, datetime) else value


class TextField(forms.CharField):
    """Text a client types: control characters are refused (before any stripping, so none
    slips through unseen); newlines and tabs only where it is multi-line (a Textarea)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = refuse_control_characters(value, multiline=isinstance(self.widget, forms.Textarea))
        return super().to_python(value)


class EmailAddressField(forms.EmailField):
    """An email address, checked for control characters, then stored and matched normalised."""

    default_error_messages = {"invalid": EMAIL_INVALID}

    def to_python(self, value):
        if isinstance(value, str):
            value = refuse_control_characters(value)
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        return normalise_email(value) if value else value


class PhoneNumberField(TextField):
    """A phone number: stored in hygiene.normalise_phone's one form, shown as (860) 555-0149."""

    def prepare_value(self, value):
        # A stored number (E.164, "+1...") shows as Julie dials it; what someone typed stays as typed.
        return display_phone(value) if isinstance(value, str) and value.startswith("+") else value

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else value


class PublicForm(forms.Form):
    """A form clients fill in: rendered by crispy inside the page's own <form>, with a honeypot.

    Every text field is a TextField or EmailAddressField, so no control character gets in.
    """

    # Hidden from people by CSS; bots that fill every field give themselves away.
    website = TextField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # The template has the token.

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(HONEYPOT_FILLED)
        return ""


class BookingForm(PublicForm):
    start = SlotStartField(widget=forms.HiddenInput)
    booking_key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = TextField(label="Your name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = EmailAddressField(
        label="Email",
        max_length=254,
        help_text="Your confirmation and the link to change your booking go here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneNumberField(
        label="Phone",
        max_length=30,
        help_text="In case Julie needs to reach you about your session.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    note = TextField(
        label="A note for Julie (optional)",
        required=False,
        max_length=1000,
        help_text="For example how your migraines have been lately. Only Julie sees this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_policy = forms.BooleanField(
        label="I have read and accept the cancellation policy",
        error_messages={"required": POLICY_REQUIRED},
    )

    field_order = ["name", "email", "phone", "note", "accept_policy", "website", "start", "booking_key"]

    def __init__(self, data=None, *args, alternatives=(), **kwargs):
        # A key that is not one we made (tampered, truncated) is replaced by a fresh one,
        # and the client asked to confirm again: the form must not stay stuck on it.
        self.key_replaced = False
        if data is not None and data.get("booking_key") and booking_key_made_here(data["booking_key"]) is None:
            data = data.copy()
            data["booking_key"] = new_booking_key()
            self.key_replaced = True
        super().__init__(data, *args, **kwargs)
        self.fields["accept_policy"].help_text = format_html(
            'Read the <a href="{}">cancellation policy</a>.', reverse_lazy("services:policies")
        )
        if alternatives:
            # The chosen time was lost: offer the others right in the form, so what the client
            # typed stays where it is. The lost time rides along, so that pressing Confirm
            # without choosing offers the same times again (views._other_times_page).
            self.fields["start"].widget = slot_radios(alternatives)
            self.fields["start"].label = "Choose another time"
            self.fields["start"].error_messages["required"] = CHOOSE_A_TIME
            self.fields["lost"] = SlotStartField(widget=forms.HiddenInput, required=False)
            self.order_fields(["start", *self.field_order])

    def clean_name(self):
        # Runs of spaces become one. A name of only spaces never gets here: the field strips
        # it (str.strip() and str.split() agree on what a space is) and refuses it as required.
        return " ".join(self.cleaned_data["name"].split())

    def clean_booking_key(self):
        key = self.cleaned_data["booking_key"]
        return key and booking_key_made_here(key)

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean(self):
        cleaned = super().clean()
        if self.key_replaced:
            raise forms.ValidationError(BOOKING_KEY_INVALID, code="booking_key")
        return cleaned

    def client_details(self):
        data = self.cleaned_data
        return ClientDetails(name=data["name"], email=data["email"], phone=data["phone"])


COURSE_COUNT_REQUIRED = "Please choose how many sessions."
CHOOSE_COURSE_TIME = "Please choose a time for this date."
COURSE_SIZES = range(2, 9)


class CourseForm(forms.Form):
    """A course of sessions from the chosen time: how often and how many, and, for a date that
    is not free, the time chosen instead (course: booking.check_course's dates)."""

    repeat = forms.TypedChoiceField(
        label="How often",
        choices=[("", "Just this session"), ("1", "Every week"), ("2", "Every two weeks")],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    count = forms.TypedChoiceField(
        label="Number of sessions",
        choices=[(str(size), str(size)) for size in COURSE_SIZES],
        coerce=int,
        empty_value=None,
        required=False,
        initial="6",
        help_text="From 2 to 8, on the same weekday and time.",
    )
    # The course (repeat and count) whose dates the client has seen: a changed one is checked again.
    checked = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    # A time to choose instead is needed only for the course shown: a client who goes back to
    # one session must not be stopped by the browser (the server asks when it is needed).
    use_required_attribute = False

    def __init__(self, *args, course=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        for number, date in enumerate(course, start=1):
            if not date.is_free:
                field = SlotStartField(label="Choose a time instead", widget=slot_radios(date.alternatives))
                field.error_messages["required"] = CHOOSE_COURSE_TIME
                self.fields[f"date_{number}"] = field

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat") and not cleaned.get("count"):
            self.add_error("count", COURSE_COUNT_REQUIRED)
        for number, date in enumerate(self.course, start=1):
            chosen = cleaned.get(f"date_{number}")
            if chosen and chosen not in [free.start for free in date.alternatives]:
                self.add_error(f"date_{number}", CHOOSE_COURSE_TIME)
        return cleaned

    def asked(self):
        """What the client asked for, as the `checked` field carries it once they have seen its dates."""
        return f"{self.cleaned_data['repeat']}x{self.cleaned_data['count']}"

    def rows(self):
        """Each date of the course with its field to choose another time (None when it is free)."""
        return [
            (date, None if date.is_free else self[f"date_{number}"]) for number, date in enumerate(self.course, start=1)
        ]

    def starts(self):
        """The course's starts: each date's own time when free, else the time chosen instead."""
        return [
            date.start if date.is_free else self.cleaned_data[f"date_{number}"]
            for number, date in enumerate(self.course, start=1)
        ]


@functools.cache
def blank_details_fields():
    """The details page's blank fields (the course choice and the booking form) as _course.html
    and crispy render them, but for the hidden start and booking_key, which each visitor gets
    their own values of (details.html adds them). Rendering these was most of the cost of every
    client's first view of the page, and they are the same for everyone, so each process renders
    them once: their labels, help texts and choices come from this module, never from the database.
    """
    form = BookingForm()
    helper = copy.copy(form.helper)
    helper.layout = Layout(*(name for name, field in form.fields.items() if not field.widget.is_hidden))
    course = render_to_string("appointments/_course.html", {"course_form": CourseForm()})
    return course + render_crispy_form(form, helper)


def hidden_details_fields(start, booking_key):
    """The booking form's hidden start (slot_value) and booking_key as their widgets write them (a test
    holds them to it), beside blank_details_fields(): rendering the two widgets cost a fifth of the page."""
    return format_html(
        '<input type="hidden" name="start" value="{}" id="id_start">'
        '<input type="hidden" name="booking_key" value="{}" id="id_booking_key">',
        start,
        booking_key,
    )


class CancelForm(PublicForm):
    reason = TextField(
        label="Reason (optional)",
        required=False,
        max_length=1000,
        help_text="Only Julie sees this.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RescheduleForm(PublicForm):
    start = SlotStartField(label="New time")

    def __init__(self, *args, alternatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].widget = slot_radios(alternatives)
