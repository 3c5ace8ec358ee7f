"""Sending check-in emails and Julie's notices with appointments.dispatch's protocol and functions.

Each row is claimed by dispatch.claim (lease, attempt counted, committed), then sent in a
transaction that locks it again and re-checks the claim, and marked sent, or failed or due
again by dispatch.record_failure. So a dead worker, Redis or an SMTP outage delays an
email (the every-minute sweep retries it) but never loses it; a duplicate is possible only
if a worker dies between the SMTP server's acceptance and the commit, and the stable
Message-ID lets mail clients fold it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from appointments import dispatch
from appointments.models import BusinessDetails

from . import weeks
from .models import SessionFeedback, WeeklyCheckin

Status = WeeklyCheckin.Status


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _render(prefix, context, **kwargs):
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{prefix}-subject.txt", context).split()),
        body=render_to_string(f"{prefix}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        **kwargs,
    )
    message.attach_alternative(render_to_string(f"{prefix}-body.html", context), "text/html")
    return message


def checkin_message(checkin):
    """The week's check-in: the same words every week, a link to answer and a one-click stop."""
    client = checkin.client
    enrolment = weeks.enrolment_of(client)
    stop_url = settings.SITE_URL + enrolment.stop_url()
    context = {
        "client": client,
        "checkin": checkin,
        "answer_url": settings.SITE_URL + enrolment.get_absolute_url(),
        "stop_url": stop_url,
    }
    return _render(
        "emails/checkin",
        context,
        to=[client.email],
        reply_to=[BusinessDetails.load().email],  # the address clients are shown
        headers={
            "Message-ID": f"<checkin-{client.pk}-{checkin.week:%Y%m%d}@{_host()}>",
            # RFC 8058 one-click stop: mail apps POST to the link; the page's own GET only asks.
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notice_message(feedback):
    """To Julie: a client's answer after a session wants a look. No name and no health detail."""
    client_id = feedback.appointment.client_id
    context = {
        "admin_url": settings.SITE_URL + reverse("admin:appointments_client_change", args=[client_id]),
    }
    return _render(
        "emails/checkin_notice",
        context,
        to=[settings.THERAPIST_EMAIL],
        headers={"Message-ID": f"<checkin-notice-{feedback.pk}@{_host()}>"},
    )


def _send_claimed(model, claimed, *, now, build, why_not, to_julie):
    with transaction.atomic():
        row = (
            model.objects.select_for_update(of=("self",))
            .filter(pk=claimed.pk, status=Status.PENDING, attempts=claimed.attempts)
            .first()
        )
        if row is None:
            return  # Stopped meanwhile, or our lease ended and another worker claimed it.
        if why_not(row, now=now):
            row.status = Status.SKIPPED
            row.save(update_fields=["status"])
            return
        try:
            build(row).send()
        except Exception as exc:
            dispatch.record_failure(row, exc, now=now, to_julie=to_julie)
            return
        row.status, row.sent_at, row.last_error = Status.SENT, now, ""
        row.save(update_fields=["status", "sent_at", "last_error"])


def _notice_not_wanted(feedback, *, now):
    return None if feedback.notable else "The answer was changed since."


OUTBOXES = [
    (WeeklyCheckin, {"build": checkin_message, "why_not": weeks.why_not_wanted, "to_julie": False}),
    (SessionFeedback, {"build": notice_message, "why_not": _notice_not_wanted, "to_julie": True}),
]


def send_one(model, row_id, *, now):
    """Send this row now if it is still pending and due; a no-op otherwise."""
    for each, how in OUTBOXES:
        if each is model and (claimed := dispatch.claim(now=now, email_id=row_id, model=model)):
            _send_claimed(model, claimed, now=now, **how)


def send_due(*, now, limit=200):
    """Send every due check-in and notice; safe in several workers at once. Returns how many were handled."""
    handled = 0
    for model, how in OUTBOXES:
        while handled < limit and (claimed := dispatch.claim(now=now, model=model)) is not None:
            _send_claimed(model, claimed, now=now, **how)
            handled += 1
    return handled


def queue_notice(feedback_id):
    """Ask a worker to tell Julie now; if the broker is down, the every-minute sweep does."""
    from .tasks import send_notice

    try:
        send_notice.delay(feedback_id)
    except Exception:
        dispatch.logger.warning("Could not queue check-in notice %s; the sweep will send it.", feedback_id)
