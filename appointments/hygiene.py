"""What a client types, made safe to keep and to send: one email form, one phone number form,
no hidden control characters."""

import re
import unicodedata
from functools import reduce
from operator import or_

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.db.models.lookups import Contains

EMAIL_MAX_LENGTH = 254  # Client.email's column
EMAIL_INVALID = "Please enter a valid email address, for example name@example.com."
PHONE_MAX_LENGTH = 30  # Client.phone's and Appointment.client_phone's columns
PHONE_INVALID = "Please enter a phone number Julie can call, for example (860) 555-0123."
PHONE_REGION = "US"  # A number typed without +country code is a US one.
# Shortest run of digits searched for in phone numbers: fewer would match nearly everyone.
PHONE_SEARCH_MIN_DIGITS = 4
# Searched text that is only digits and the punctuation people put in phone numbers.
PHONE_LIKE = re.compile(r"[\d\s().+/-]+")
CONTROL_CHARACTERS = (
    "This contains a hidden special character (it can come along with copied text). "
    "Please retype it without that character."
)

# Control (Cc), format (Cf: zero-width spaces, right-to-left overrides...), line and
# paragraph separators (Zl, Zp): invisible, they can disguise text or break the headers
# and calendar files that carry it. The joiners U+200C and U+200D are format characters
# that names in Persian or Indic scripts, and emoji, need: those stay.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
ALLOWED_FORMAT = {"\u200c", "\u200d"}
MULTILINE_ALLOWED = {"\n", "\t"}


def refuse_control_characters(value, *, multiline=False):
    """The text with CRLF and CR as plain newlines; ValidationError if it hides control characters.

    Newlines and tabs are fine only in multi-line text (a note, a reason).
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    allowed = ALLOWED_FORMAT | (MULTILINE_ALLOWED if multiline else set())
    for char in value:
        if char not in allowed and unicodedata.category(char) in REFUSED_CATEGORIES:
            raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
    return value


def fold_email(value):
    """NFKC then case folding: the look-alikes a keyboard or phone may type become one address.

    KELVIN SIGN and fullwidth letters become ASCII, any case becomes one. Python does both,
    not the database: its lower() disagrees with Python's on such characters.
    """
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def normalise_email(value):
    """The one form of an email address that is stored and matched; ValidationError if it is not valid.

    Checked again after folding: NFKC can make an address invalid (a fullwidth @ becomes a
    second @). The part before the @ must then be plain ASCII: mail servers do not fold
    letters such as a dotless i, and a client would never get our emails.
    """
    folded = fold_email(value)
    refuse_control_characters(folded)
    try:
        validate_email(folded)
    except ValidationError:
        raise ValidationError(EMAIL_INVALID, code="invalid") from None
    # NFKC can also lengthen it (a ligature becomes two or three letters) past what is stored.
    local, _, domain = folded.rpartition("@")
    if len(folded) > EMAIL_MAX_LENGTH or not local.isascii() or not _sendable_domain(domain):
        raise ValidationError(EMAIL_INVALID, code="invalid")
    return folded


def _sendable_domain(domain):
    """Whether mail can be addressed to this domain: an international one must have an ASCII
    (punycode) form whose labels fit DNS's 63 characters, or no email could ever reach it."""
    try:
        domain.encode("idna")
    except UnicodeError:
        return False
    return True


def _phone_number(text):
    """phonenumbers' reading of a number Julie can call (with its area code), or None."""
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    possible = phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    return number if possible else None


def normalise_phone(value):
    """The one stored form of a phone number, E.164 ("+18605550149", " ext. 12" kept if typed);
    ValidationError if it is not a number Julie can call back. Shown by display_phone."""
    number = _phone_number(value)
    if number is None:
        raise ValidationError(PHONE_INVALID, code="invalid")
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        stored += f" ext. {number.extension}"
    if len(stored) > PHONE_MAX_LENGTH:
        raise ValidationError(PHONE_INVALID, code="invalid")
    return stored


def display_phone(value):
    """A phone number the way Julie reads and dials it: (860) 555-0149 in the US, with its
    +country code abroad; an old value that is no number shows as it was typed."""
    number = _phone_number(value) if value else None
    if number is None:
        return value
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_href(value):
    """A phone number as a tel: link target (tel:+1-860-555-0149): a URL allows no spaces or brackets."""
    number = _phone_number(value)
    if number is None:
        return "tel:" + "".join(char for char in value if char.isdigit() or char == "+")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


def phone_search_digits(text):
    """The digits to look for when a search is (part of) a phone number, else None.

    "(860) 555-0149", "860.555.0149" and "+1 860 555 0149" all look for 8605550149: a US
    number's leading 1 is dropped, as not every stored number carries it.
    """
    if not PHONE_LIKE.fullmatch(text.strip()):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= PHONE_SEARCH_MIN_DIGITS else None


def _digits_of(field):
    """The field's text without phone punctuation, in the database: old numbers kept as typed
    ("(860) 555-0149") match as well as stored ones ("+18605550149")."""
    expression = field
    for character in " -().+/":
        expression = Replace(expression, Value(character), Value(""))
    return expression


def phone_matches(text, *fields):
    """A filter for rows whose phone fields hold the number searched for, whatever its
    punctuation; None when the search is not a phone number."""
    digits = phone_search_digits(text)
    if digits is None:
        return None
    return reduce(or_, (Q(Contains(_digits_of(field), Value(digits))) for field in fields))


def stored_phone(value):
    """An older row's phone in the one stored form (migration 0016); what is no number Julie
    can call ("", "ask at desk", a number without its area code) stays as it was, not lost."""
    try:
        return normalise_phone(value)
    except ValidationError:
        return value
