from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def plain_duration(delta):
    """A timedelta in words, as "1 hour" or "2 days, 3 hours" (the two largest units)."""
    now = timezone.now()
    return timesince(now - delta, now)
