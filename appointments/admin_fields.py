"""Julie's time fields in admin: times typed the way she writes them, shown on a 12-hour clock.

"2:30 PM", "2:30pm", "2:30 p.m.", "2 pm", "noon", "midnight" and "14:30" all read as times.
Every time she types, in admin's forms and the one-screen booking form, goes through
TwelveHourTimeField; the formats themselves are posture_booking/formats/en/formats.py.
"""

import re

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.db import models

from .availability import wall_clock_to_utc
from .forms import business_years_only

TIME_INVALID = "Please type a time such as 2:30 PM."
DATE_INVALID = "Please type a date such as 12/08/2026 (month/day/year)."
TIME_HELP = "For example 9:00 AM, 2:30 PM or noon."
# How a time shows in an input: "2:30 PM", no leading zero (read back by "%I:%M %p").
TIME_DISPLAY = "%-I:%M %p"
# A text box, not a native time picker: a phone's picker may show a 24-hour clock.
TIME_ATTRS = {"inputmode": "text", "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}

TIME_WORDS = {"noon": "12:00 PM", "midday": "12:00 PM", "midnight": "12:00 AM"}
# "am", "a.m.", "AM", " p. m." at the end: written as the "AM"/"PM" strptime's %p reads.
MERIDIEM = re.compile(r"\s*([ap])\.?\s*m\.?$", re.IGNORECASE)


def normalise_time_text(text):
    """The typed time in a spelling the TIME_INPUT_FORMATS read: "2:30 p.m." -> "2:30 PM", "noon" -> "12:00 PM"."""
    text = " ".join(text.split())
    if text.lower() in TIME_WORDS:
        return TIME_WORDS[text.lower()]
    return MERIDIEM.sub(lambda match: f" {match.group(1).upper()}M", text)


class TwelveHourTimeField(forms.TimeField):
    """A time of day typed as Julie writes it (see the module's docstring)."""

    widget = forms.TimeInput(format=TIME_DISPLAY, attrs=TIME_ATTRS)
    default_error_messages = {"invalid": TIME_INVALID}

    def __init__(self, **kwargs):
        kwargs["help_text"] = kwargs.get("help_text") or TIME_HELP  # A model field passes "".
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_time_text(value)
        return super().to_python(value)


class TwelveHourAdminTimeWidget(admin_widgets.AdminTimeWidget):
    """Admin's time input (with its clock of Now, Midnight, 6 a.m., Noon), showing "2:30 PM"."""

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs={**TIME_ATTRS, **(attrs or {})}, format=format or TIME_DISPLAY)


class TwelveHourSplitDateTimeWidget(admin_widgets.AdminSplitDateTime):
    """Admin's date and time inputs, the time shown as "2:30 PM".

    Admin writes "Date:" and "Time:" as plain text beside them and names only the pair (its
    legend): each input gets its own name, for screen readers and voice control.
    """

    def __init__(self, attrs=None):
        date_widget = admin_widgets.BaseAdminDateWidget(attrs={"aria-label": "Date"})
        time_widget = admin_widgets.BaseAdminTimeWidget(attrs={**TIME_ATTRS, "aria-label": "Time"}, format=TIME_DISPLAY)
        forms.MultiWidget.__init__(self, [date_widget, time_widget], attrs)


class TwelveHourSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a 12-hour time, read as Connecticut wall-clock time.

    wall_clock_to_utc, as everywhere else: on the night DST repeats an hour, "1:30 AM" is the
    first one; an hour DST skips is read as the same clock time before the change.
    """

    widget = TwelveHourSplitDateTimeWidget
    default_error_messages = {"invalid_date": DATE_INVALID, "invalid_time": TIME_INVALID}

    def __init__(self, **kwargs):
        kwargs["help_text"] = kwargs.get("help_text") or TIME_HELP  # A model field passes "".
        super().__init__(**kwargs)
        time_field = TwelveHourTimeField()
        time_field.required = False  # As MultiValueField sets its fields: required is checked on the pair.
        self.fields = (self.fields[0], time_field)

    def compress(self, data_list):
        if not data_list:
            return None
        day, time_of_day = data_list
        if day in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if time_of_day in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        business_years_only(day)  # Before converting: 9999-12-31 in UTC would overflow.
        return wall_clock_to_utc(day, time_of_day)


class TwelveHourTimesAdmin:
    """For a ModelAdmin (and its inlines): every date-time and time field typed and shown on a 12-hour clock."""

    formfield_overrides = {
        models.DateTimeField: {"form_class": TwelveHourSplitDateTimeField, "widget": TwelveHourSplitDateTimeWidget},
        models.TimeField: {"form_class": TwelveHourTimeField, "widget": TwelveHourAdminTimeWidget},
    }


class HiddenInAdmin(forms.HiddenInput):
    """A hidden field of an admin form: admin still writes a label in the field's (hidden) row,
    and HTML forbids a label pointing at a hidden input, so the label points nowhere."""

    def id_for_label(self, id_):
        return ""
