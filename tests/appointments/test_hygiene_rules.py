"""What a client types, as the forms keep it: line breaks only where text has lines,
control characters refused, and one stored form of each email address."""

import pytest
from django.core.exceptions import ValidationError

from appointments.forms import BookingForm, CancelForm
from appointments.hygiene import (
    CONTROL_CHARACTERS,
    PHONE_MAX_LENGTH,
    normalise_phone,
    phone_search_digits,
    tel_href,
)

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


# --- invisible characters: the joiners names and emoji need stay, the rest are refused ---


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u0647\u200c\u0633\u0627",  # a Persian name, with its zero-width non-joiner
        "Ada \U0001f469\u200d\U0001f52c",  # an emoji sequence joined by a zero-width joiner
    ],
)
def test_the_joiners_that_names_and_emoji_need_are_kept(name):
    form = booking_form(name=name)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == name


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2028", "\x00"])  # zero-width space, RTL override, ...
def test_other_invisible_characters_in_a_name_are_refused(hidden):
    form = booking_form(name=f"Ada{hidden}Lovelace")
    assert not form.is_valid()
    assert form.errors["name"] == [CONTROL_CHARACTERS]


# --- phone numbers: what fits the column, what a search looks for, what a link dials ---


def test_a_number_whose_stored_form_fills_its_30_characters_is_kept_and_a_longer_one_refused():
    assert normalise_phone("+49 222222222222 x999999999") == "+49222222222222 ext. 999999999"
    assert len(normalise_phone("+49 222222222222 x999999999")) == PHONE_MAX_LENGTH
    with pytest.raises(ValidationError):
        normalise_phone("+49 2222222222222 x999999999")


def test_a_leading_1_is_dropped_from_a_search_only_as_a_us_country_code():
    assert phone_search_digits("1-860-555-0149") == "8605550149"
    assert phone_search_digits("100-0149") == "1000149"


@pytest.mark.parametrize(
    ("kept", "href"),
    [("555-0149", "tel:5550149"), ("+1 555 0149", "tel:+15550149"), ("ask at the desk", "tel:")],
)
def test_an_old_value_that_is_no_number_links_to_its_digits_as_typed(kept, href):
    assert tel_href(kept) == href
