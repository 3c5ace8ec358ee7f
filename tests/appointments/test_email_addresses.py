"""Addresses the site keeps are addresses mail can reach."""

import pytest
from django.core.exceptions import ValidationError

from appointments.hygiene import EMAIL_INVALID, normalise_email


def test_an_international_domain_is_kept_as_typed():
    assert normalise_email("Anna@Bücher.Example") == "anna@bücher.example"


def test_a_domain_too_long_for_dns_once_in_ascii_form_is_refused_kindly():
    # Each label is short as typed, but "bücher" x 10 becomes a punycode label over 63 characters.
    with pytest.raises(ValidationError) as refused:
        normalise_email("anna@" + "bücher" * 10 + ".example")
    assert refused.value.messages == [EMAIL_INVALID]
