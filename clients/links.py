"""Who may see a client's own page: links instead of passwords.

Three ways in, each a signed token with its own salt that carries the client's id:
- a sign-in link emailed on request (request_link): usable once (SignInLink.used_at),
  for LINK_LIFETIME; asking never tells whether the address is known;
- any of their booking's manage links (client_from_manage_token), for as long as it works;
- the page's own address (page_token), which either of those leads to: it works for
  PAGE_LIFETIME, so a link left in a browser's history soon stops showing their sessions.
An erased client (appointments.privacy.erase_client) gets in by none of them.
"""

from datetime import timedelta

from django.core import signing
from django.db import transaction

from appointments.models import Client, appointment_from_token
from appointments.privacy import is_erased

from . import outbox
from .models import LINK_LIFETIME, LINK_SALT, SignInLink

PAGE_SALT = "clients.page"
PAGE_LIFETIME = timedelta(hours=2)
# Per address and LINK_LIFETIME: someone typing another's address cannot fill their inbox.
LINKS_PER_ADDRESS = 3

# Why a sign-in link was refused: not one of ours (or its client erased), or used or too old.
BAD = "bad"
SPENT = "spent"


def request_link(*, email, now):
    """Email a one-time link to the client with this normalised address, if there is one.

    Returns nothing, so no caller can tell a known address from an unknown one. Both ask
    a worker to send what is due (the same broker call), so they take about the same time.
    """
    with transaction.atomic():
        client = Client.objects.filter(email=email).first()
        if client is not None and not is_erased(client):
            recent = client.sign_in_links.filter(created_at__gt=now - LINK_LIFETIME).count()
            if recent < LINKS_PER_ADDRESS:
                SignInLink.objects.create(client=client, created_at=now, due_at=now)
        outbox.queue_sending()


def read_link(token, *, now):
    """(link, None) for a usable sign-in link, else (None, BAD or SPENT). Uses nothing up."""
    try:
        data = signing.Signer(salt=LINK_SALT).unsign_object(token)
        link = SignInLink.objects.select_related("client").filter(key=data["k"], client_id=data["c"]).first()
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None, BAD
    if link is None or is_erased(link.client):
        return None, BAD
    return (link, None) if link.is_usable(now=now) else (None, SPENT)


def use_link(token, *, now):
    """(client, None) and the link used up, else (None, BAD or SPENT): of two uses at once, one wins."""
    link, refusal = read_link(token, now=now)
    if refusal:
        return None, refusal
    used = SignInLink.objects.filter(pk=link.pk, used_at=None).update(used_at=now)
    return (link.client, None) if used else (None, SPENT)


def client_from_manage_token(token, *, now):
    """The client behind one of their manage links, while it works; None otherwise."""
    appointment = appointment_from_token(token)
    if appointment is None or appointment.manage_link_expired(now=now) or is_erased(appointment.client):
        return None
    return appointment.client


def page_token(client, *, now):
    until = int((now + PAGE_LIFETIME).timestamp())
    return signing.Signer(salt=PAGE_SALT).sign_object({"c": client.pk, "u": until})


def client_from_page_token(token, *, now):
    """The client whose page this is, or None: a bad or tampered token, too old, or erased."""
    try:
        data = signing.Signer(salt=PAGE_SALT).unsign_object(token)
        if now.timestamp() >= data["u"]:
            return None
        client = Client.objects.filter(pk=data["c"]).first()
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None
    return None if client is None or is_erased(client) else client
