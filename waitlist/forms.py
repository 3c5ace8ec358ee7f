from django import forms

from appointments.booking import ClientDetails
from appointments.forms import POLICY_REQUIRED, EmailAddressField, PhoneNumberField, PublicForm, TextField

from .models import Part

PART_REQUIRED = "Please choose a part of the day."


class JoinForm(PublicForm):
    """A day's waitlist: the booking form's fields and checks for who is waiting."""

    part = forms.ChoiceField(
        label="When on this day could you come?",
        choices=Part.choices,
        initial=Part.ANY,
        widget=forms.RadioSelect,
        error_messages={"required": PART_REQUIRED, "invalid_choice": PART_REQUIRED},
    )
    name = TextField(label="Your name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = EmailAddressField(
        label="Email",
        max_length=254,
        help_text="If a time comes free, the offer comes here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneNumberField(
        label="Phone",
        max_length=30,
        help_text="In case Julie needs to reach you about your session.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    field_order = ["part", "name", "email", "phone", "website"]

    def client_details(self):
        data = self.cleaned_data
        return ClientDetails(name=data["name"], email=data["email"], phone=data["phone"])


class AcceptForm(PublicForm):
    accept_policy = forms.BooleanField(
        label="I have read and accept the cancellation policy",
        error_messages={"required": POLICY_REQUIRED},
    )
