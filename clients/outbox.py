"""The sign-in emails: recorded with the request, sent by appointments.dispatch's protocol
(read its docstring) on this app's own rows. Each request asks a worker to send what is
due once it commits; if no worker could be asked, the every-minute sweep (clients.tasks)
sends it. A link that expired, or whose client was erased, before it could go is not sent.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from appointments import dispatch
from appointments.models import BusinessDetails
from appointments.privacy import is_erased

from .models import LINK_LIFETIME, SignInLink


def queue_sending():
    """Ask a worker, after commit, to send the sign-in emails that are due."""

    def queue():
        from .tasks import send_due_sign_in_emails

        try:
            send_due_sign_in_emails.delay()
        except Exception:  # The broker is down: the sweep sends it within a minute.
            dispatch.logger.warning("Could not queue sign-in emails; the sweep will send them.")

    transaction.on_commit(queue)


def build_message(link):
    context = {
        "client": link.client,
        "link_url": settings.SITE_URL + reverse("clients:sign_in", kwargs={"token": link.token}),
        "request_url": settings.SITE_URL + reverse("clients:request"),
        "minutes": int(LINK_LIFETIME.total_seconds() // 60),
        "business": BusinessDetails.load(),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/sign_in-subject.txt", context).split()),
        body=render_to_string("emails/sign_in-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[link.client.email],
        reply_to=[context["business"].email],
    )
    message.attach_alternative(render_to_string("emails/sign_in-body.html", context), "text/html")
    return message


def still_wanted(link, *, now):
    return link.is_usable(now=now) and not is_erased(link.client)


def _send(claimed, *, now):
    dispatch.send_claimed_row(
        claimed,
        rows=SignInLink.objects.select_related("client"),
        build=build_message,
        still_wanted=lambda link: still_wanted(link, now=now),
        now=now,
    )


def send_due_sign_in_emails(*, now, limit=100):
    """Send what is due; safe in several workers at once. Returns how many rows were handled."""
    handled = 0
    while handled < limit and (claimed := dispatch.claim(now=now, model=SignInLink)) is not None:
        _send(claimed, now=now)
        handled += 1
    return handled
