from django import template
from django.urls import reverse
from django.utils.html import format_html

from intake.admin import PERMISSION
from intake.intakes import state_at_session

register = template.Library()


@register.simple_tag
def intake_badge(appointment, user):
    """A session's intake state as a badge, for staff who may read intakes; nothing for others
    (that something needs attention is itself health information)."""
    if not appointment.is_active or not user.has_perm(PERMISSION):
        return ""
    state = state_at_session(appointment)
    intake = getattr(appointment.client, "intake", None)
    if intake is None:
        return format_html('<span class="badge badge-intake badge-intake-{}">{}</span>', state.value, state.label)
    # One tap from her calendar to the answers (or to the "ask again" button).
    return format_html(
        '<a class="badge badge-intake badge-intake-{}" href="{}">{}</a>',
        state.value,
        reverse("admin:intake_intake_change", args=[intake.pk]),
        state.label,
    )
