"""{{ number|display_phone }}: a phone number as Julie dials it, (860) 555-0149;
{{ number|tel_href }}: as a tel: link target. Both from appointments.hygiene, the one place for phone numbers."""

from django import template

from appointments.hygiene import display_phone, tel_href

register = template.Library()
register.filter("display_phone", display_phone)
register.filter("tel_href", tel_href)
