from django import forms

from appointments.forms import EmailAddressField, PublicForm


class RequestLinkForm(PublicForm):
    email = EmailAddressField(
        label="Your email",
        max_length=254,
        help_text="The address you booked with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ["email", "website"]
