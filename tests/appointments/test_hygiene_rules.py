"""What a client types, as the forms keep it: line breaks only where text has lines,
control characters refused, and one stored form of each email address."""

import pytest

from appointments.forms import BookingForm, CancelForm
from appointments.hygiene import CONTROL_CHARACTERS

from .conftest import booking_data


def booking_form(**overrides):
    return BookingForm(booking_data(**{"note": "", **overrides}))


@pytest.mark.parametrize("email", ["ada@example.com\n", "ada@example.com\r\n", "\tada@example.com"])
def test_an_email_address_with_a_line_break_or_tab_is_refused_as_hidden_characters(email):
    # An address is one line: a break in it is never trimmed away unseen.
    form = booking_form(email=email)
    assert not form.is_valid()
    assert form.errors["email"] == [CONTROL_CHARACTERS]


def test_old_style_line_breaks_in_a_note_are_kept_as_plain_newlines():
    form = booking_form(note="Mornings\rworst on Mondays\r\nbetter by noon")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "Mornings\nworst on Mondays\nbetter by noon"


def test_old_style_line_breaks_in_a_cancel_reason_are_kept_as_plain_newlines():
    form = CancelForm({"reason": "Sick.\rWill book again.", "website": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reason"] == "Sick.\nWill book again."


def test_an_email_address_of_the_longest_length_stored_is_accepted_and_one_longer_is_not():
    longest = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    assert len(longest) == 254
    form = booking_form(email=longest)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == longest
    assert not booking_form(email="e" + longest).is_valid()
