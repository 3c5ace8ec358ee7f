"""What a client types, made safe to keep and to send: one email form, no hidden control characters."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

EMAIL_MAX_LENGTH = 254  # Client.email's column
EMAIL_INVALID = "Please enter a valid email address, for example name@example.com."
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
