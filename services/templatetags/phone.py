"""{{ number|tel_href }}: a phone number as a tel: link target, whatever way it was typed."""

import phonenumbers
from django import template

register = template.Library()


@register.filter
def tel_href(number):
    """Turn (860) 555-0142 into tel:+1-860-555-0142: spaces and brackets are not allowed in a URL."""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return "tel:" + "".join(char for char in number if char.isdigit() or char == "+")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966)
