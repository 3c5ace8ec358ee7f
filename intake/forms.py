"""The intake form: every field optional while the client saves as they go, all needed to send.

A half-finished form is saved with what is valid; what is not comes back with its message
and as typed. Sending checks that everything is there.
"""

from django import forms

from appointments.hygiene import normalise_phone, refuse_control_characters

from . import baseline, screen
from .models import AgeRange, MigraineSince, Pain, YesNo

ANSWER_REQUIRED = "Please answer this question."
CONSENT_REQUIRED = "Please type your full name to give your consent."
CONSENT_CHANGED = (
    "Julie updated her consent text since this page was opened. Please read it again below, "
    "then type your name once more."
)
TEXT_TOO_LONG = "Please keep this under %(limit_value)d characters (it has %(show_value)d)."


class DaysField(forms.IntegerField):
    """A number of days in the last 4 weeks: from 0 to 28, typed on a phone's number pad."""

    def __init__(self, **kwargs):
        message = baseline.DAYS_OUT_OF_RANGE.format(days=baseline.INTAKE_DAYS)
        super().__init__(
            min_value=0,
            max_value=baseline.INTAKE_DAYS,
            required=False,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days-input"}),
            **kwargs,
        )


def radios(choices, label, **kwargs):
    return forms.ChoiceField(choices=choices, label=label, widget=forms.RadioSelect, required=False, **kwargs)


def text(label, limit, *, multiline=True, **kwargs):
    widget = forms.Textarea(attrs={"rows": 2}) if multiline else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=limit,
        required=False,
        widget=widget,
        error_messages={"max_length": TEXT_TOO_LONG},
        **kwargs,
    )


class IntakeForm(forms.Form):
    emergency_name = text("Name", 100, multiline=False, help_text="Someone Julie can call if you feel unwell.")
    emergency_phone = text("Phone", 30, multiline=False)
    age_range = radios(
        AgeRange.choices, "Your age", help_text="A range is enough: Julie does not need your date of birth."
    )
    migraine_since = radios(MigraineSince.choices, "How long have you had migraines?")
    headache_days = DaysField(label="On how many days did you have a headache?")
    migraine_days = DaysField(label="Of those, on how many days was it a migraine?")
    medicine_days = DaysField(label="On how many days did you take medicine for a headache?")
    worst_pain = radios(Pain.choices, "How bad was the worst headache?")
    preventive_medicines = text("Medicines you take every day to prevent migraines", 1000)
    acute_medicines = text("Medicines you take when a migraine starts", 1000)
    triggers = text("What seems to bring your migraines on?", 1000)
    other_headaches = text("Other kinds of headache a doctor has diagnosed", 1000)
    screen_details = text(
        "Anything you would like Julie to know about these answers",
        2000,
        help_text="For example when, and what your doctor said.",
    )
    consent_name = text("Your full name", 100, multiline=False)
    weekly_checkins = forms.BooleanField(
        label="Yes, email me a weekly check-in (four quick questions) while I see Julie",
        required=False,
        help_text="Off unless you tick it. Every email has a link to stop at once.",
    )
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Needed to send; the medicine, trigger and detail texts may stay empty.
    REQUIRED = [
        "emergency_name",
        "emergency_phone",
        "age_range",
        "migraine_since",
        "headache_days",
        "migraine_days",
        "medicine_days",
        "worst_pain",
        *screen.FIELDS,
    ]
    BASELINE = ["headache_days", "migraine_days", "medicine_days", "worst_pain"]
    MIGRAINE = ["migraine_since", *BASELINE, "preventive_medicines", "acute_medicines", "triggers", "other_headaches"]
    ANSWERS = [
        "emergency_name",
        "emergency_phone",
        "age_range",
        *MIGRAINE,
        *screen.FIELDS,
        "screen_details",
        "weekly_checkins",
    ]

    def __init__(self, *args, consent_text, sending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent_text
        self.sending = sending
        self.fields["consent_version"].initial = consent_text.version if consent_text else None
        for name, question in screen.QUESTIONS:
            self.fields[name] = radios(YesNo.choices, question)
        # Keep the screen's questions before their "anything else" box.
        self.order_fields(self.ANSWERS + ["consent_name", "consent_version"])

    def clean_emergency_phone(self):
        phone = self.cleaned_data["emergency_phone"].strip()
        return normalise_phone(phone) if phone else ""

    def _clean_text(self, name):
        return refuse_control_characters(self.cleaned_data[name].strip(), multiline=True)

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and name in data:
                try:
                    data[name] = self._clean_text(name)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        for name, message in baseline.day_count_errors(
            headache_days=data.get("headache_days"),
            migraine_days=data.get("migraine_days"),
            worst_pain=data.get("worst_pain"),
        ).items():
            if name in data:
                self.add_error(name, message)
        if self.sending:
            self._check_complete(data)
        return data

    def _check_complete(self, data):
        for name in self.REQUIRED:
            if name in data and data[name] in (None, ""):
                self.add_error(name, ANSWER_REQUIRED)
        if not data.get("consent_name"):
            self.add_error("consent_name", CONSENT_REQUIRED)
        if self.consent_text and data.get("consent_version") != self.consent_text.version:
            self.add_error("consent_name", CONSENT_CHANGED)

    def valid_answers(self):
        """What can be saved now: every answer that passed its checks (call after is_valid())."""
        return {name: self.cleaned_data[name] for name in self.ANSWERS if name in self.cleaned_data}
