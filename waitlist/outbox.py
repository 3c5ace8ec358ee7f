"""The emails the waitlist owes: "you are on the list" and "a time has come free".

Recorded in the caller's transaction and sent by appointments.dispatch's protocol (read
its docstring): asked of a worker once the change commits, else sent by the every-minute
sweep (waitlist.tasks). An email about an offer that ended, or an entry that left the
list, before it could be sent is marked not needed instead.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from appointments import availability, dispatch
from appointments.models import BusinessDetails

from .models import WaitlistEmail

Kind = WaitlistEmail.Kind


def record(entry, kind, *, now, offer=None):
    email = WaitlistEmail.objects.create(entry=entry, offer=offer, kind=kind, due_at=now)

    def queue():
        from .tasks import send_waitlist_email

        try:
            send_waitlist_email.delay(email.pk)
        except Exception:  # The broker is down: the sweep sends it within a minute.
            dispatch.logger.warning("Could not queue waitlist email %s; the sweep will send it.", email.pk)

    transaction.on_commit(queue)
    return email


def still_wanted(email, *, now):
    if not email.entry.is_waiting(today=availability.business_today(now)):
        return False
    return email.kind != Kind.OFFER or email.offer.is_open(now=now)


def build_message(email):
    entry = email.entry
    context = {
        "entry": entry,
        "offer": email.offer,
        "offer_url": settings.SITE_URL + email.offer.get_absolute_url() if email.offer else "",
        "leave_url": settings.SITE_URL + entry.leave_url(),
        "business": BusinessDetails.load(),
    }
    if email.offer:
        context["start"] = timezone.localtime(email.offer.start)
        context["valid_until"] = timezone.localtime(email.offer.valid_until)
    prefix = f"emails/waitlist_{email.kind}"
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{prefix}-subject.txt", context).split()),
        body=render_to_string(f"{prefix}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[entry.email],
        reply_to=[context["business"].email],
        headers={"List-Unsubscribe": f"<{context['leave_url']}>"},
    )
    message.attach_alternative(render_to_string(f"{prefix}-body.html", context), "text/html")
    return message


def _send(claimed, *, now):
    dispatch.send_claimed_row(
        claimed,
        rows=WaitlistEmail.objects.select_related("entry", "offer"),
        build=build_message,
        still_wanted=lambda email: still_wanted(email, now=now),
        now=now,
    )


def send_waitlist_email(email_id, *, now):
    claimed = dispatch.claim(now=now, email_id=email_id, model=WaitlistEmail)
    if claimed is not None:
        _send(claimed, now=now)


def send_due_waitlist_emails(*, now, limit=100):
    """Send what is due; safe in several workers at once. Returns how many rows were handled."""
    handled = 0
    while handled < limit and (claimed := dispatch.claim(now=now, model=WaitlistEmail)) is not None:
        _send(claimed, now=now)
        handled += 1
    return handled
