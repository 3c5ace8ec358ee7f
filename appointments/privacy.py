"""A client's right to their data: export all of it, or erase it while Julie keeps her books.

What is personal is named in the lists below, once: a new field that holds something
a client told us (a note, a name as typed for one booking) is one line in
CLIENT_FIELDS or APPOINTMENT_PERSONAL_FIELDS, and both the export and the erase
follow. tests/appointments/test_privacy.py searches every text column of every
table after an erase, so a personal field left out of these lists fails there.
"""

import contextlib
import json
import re
from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from checkins import privacy as checkin_privacy
from clients.models import SignInLink
from intake import privacy as intake_privacy
from posture_booking import mail
from waitlist.models import Entry as WaitlistEntry

from . import booking, emails
from .models import Appointment, Client, OutgoingEmail

ERASED_NAME = "Erased client"
ERASED_LOG_MESSAGE = "Erased personal data"
LOG_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}

# The client row: exported; erased to the placeholders of erased_value().
CLIENT_FIELDS = ["name", "email", "phone", "notes"]
WAITLIST_FIELDS = ["part", "name", "email", "phone", "status"]
# Each session's personal text: exported; blanked on erase.
APPOINTMENT_PERSONAL_FIELDS = ["client_name", "client_phone", "client_note", "note_for_client", "cancellation_reason"]
# Each session's record: exported; kept on erase, for Julie's books.
APPOINTMENT_RECORD_FIELDS = [
    "start",
    "end",
    "status",
    "cancellation_kind",
    "source",
    "created_at",
    "updated_at",
    "cancelled_at",
]
# Each email owed for a session: exported; kept on erase (its error text names no address:
# appointments.dispatch keeps the SMTP code and plain words, never the server's text).
EMAIL_FIELDS = ["kind", "status", "due_at", "sent_at", "attempts", "last_error"]


def erased_value(client, field):
    """What replaces a personal field of the client row: the email stays unique and undeliverable."""
    return {"name": ERASED_NAME, "email": f"erased-{client.pk}@invalid.example"}.get(field, "")


def is_erased(client):
    """Whether erase_client has run for this client: every page by link then refuses them."""
    return client.email == erased_value(client, "email")


def _plain(value):
    """JSON-ready; times in the business time zone, as every page and email shows them."""
    return timezone.localtime(value).isoformat() if isinstance(value, datetime) else value


def _fields(obj, names):
    return {name: _plain(getattr(obj, name)) for name in names}


def future_sessions(client, *, now):
    """Booked sessions still to come: erasing cancels them (selector)."""
    return client.appointments.filter(status=Appointment.Status.BOOKED, start__gt=now).order_by("start")


def admin_history(client):
    """Admin's log entries about the client, their sessions and their emails (selector)."""
    appointment_ids = list(client.appointments.values_list("pk", flat=True))
    email_ids = list(OutgoingEmail.objects.filter(appointment__client=client).values_list("pk", flat=True))
    types = ContentType.objects.get_for_models(Client, Appointment, OutgoingEmail)
    about = (
        Q(content_type=types[Client], object_id=str(client.pk))
        | Q(content_type=types[Appointment], object_id__in=[str(pk) for pk in appointment_ids])
        | Q(content_type=types[OutgoingEmail], object_id__in=[str(pk) for pk in email_ids])
    )
    return LogEntry.objects.filter(about).order_by("action_time", "pk")


def export_client(client, *, viewer=None, now=None):
    """Everything held about a client, as JSON-ready data; with their health intake when a
    viewer who may read it exports (intake.privacy.export_intake records that they did)."""
    appointments = client.appointments.select_related("service").prefetch_related("emails").order_by("start")
    intake = intake_privacy.export_intake(client, viewer=viewer, now=now) if viewer is not None else None
    checkins = checkin_privacy.export_checkins(client, viewer=viewer, now=now) if viewer is not None else None
    return {
        **({"health_intake": intake} if intake is not None else {}),
        **({"weekly_checkins": checkins} if checkins is not None else {}),
        **_fields(client, CLIENT_FIELDS),
        "created_at": _plain(client.created_at),
        "appointments": [
            {
                "service": appointment.service.name,
                **_fields(appointment, APPOINTMENT_RECORD_FIELDS),
                **_fields(appointment, APPOINTMENT_PERSONAL_FIELDS),
                "emails": [_fields(email, EMAIL_FIELDS) for email in appointment.emails.all()],
            }
            for appointment in appointments
        ],
        # Waitlist entries are kept by email: the client may have joined before ever booking.
        "waitlist": [
            {"day": entry.day.isoformat(), **_fields(entry, WAITLIST_FIELDS)}
            for entry in WaitlistEntry.objects.filter(email=client.email).order_by("day", "pk")
        ],
        "admin_history": [
            {
                "when": _plain(entry.action_time),
                "what": entry.object_repr,
                "action": LOG_ACTIONS.get(entry.action_flag, "other"),
                "details": entry.get_change_message(),
            }
            for entry in admin_history(client)
        ],
    }


def erase_client(*, client, now):
    """Remove all a client told us, everywhere it is kept; sessions stay, anonymised, for Julie's books.

    Their future sessions are cancelled without an email (there is no address left to
    write to). Saved copies of emails (the embedded default's var/mail) go too.
    """
    with transaction.atomic():
        # Every booking takes this lock too: one for this email either ends before (and its session
        # is cancelled here) or starts after, finds no client with the address, and makes a new one.
        # Never in between, writing the name and phone back onto the erased row.
        booking.lock_calendar()
        client = Client.objects.select_for_update().get(pk=client.pk)
        address = client.email
        for appointment in future_sessions(client, now=now):
            booking.cancel_appointment(appointment=appointment, now=now, by_client=False, tell_client=False)
        client.appointments.update(**dict.fromkeys(APPOINTMENT_PERSONAL_FIELDS, ""))
        intake_privacy.erase_intake(client)
        checkin_privacy.erase_checkins(client)
        WaitlistEntry.objects.filter(email=address).delete()  # with their offers and the emails owed
        SignInLink.objects.filter(client=client).delete()  # their links to their own page, and the emails owed
        owed = OutgoingEmail.objects.filter(appointment__client=client)
        # Waits for a worker sending one of these right now, so its saved copy exists before the search below.
        owed.filter(status=OutgoingEmail.Status.PENDING).update(status=OutgoingEmail.Status.SKIPPED)
        for field in CLIENT_FIELDS:
            setattr(client, field, erased_value(client, field))
        client.save(update_fields=CLIENT_FIELDS)
        _anonymise_admin_history(client)
    _remove_saved_emails(address=address, appointment_ids=client.appointments.values_list("pk", flat=True))
    return client


def _anonymise_admin_history(client):
    """Log entries keep what was done and when; their names are redrawn from the erased rows."""
    reprs = {(ContentType.objects.get_for_model(client).pk, str(client.pk)): str(client)}
    appointment_type = ContentType.objects.get_for_model(Appointment)
    for appointment in client.appointments.select_related("client"):
        reprs[(appointment_type.pk, str(appointment.pk))] = str(appointment)
    entries = list(admin_history(client))
    for entry in entries:
        entry.object_repr = reprs.get((entry.content_type_id, entry.object_id), entry.object_repr)
        entry.change_message = _anonymised_change_message(entry.change_message)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"])


def _anonymised_change_message(message):
    """Admin's messages name the changed fields, and an inline row by its title: keep the former, and
    put ERASED_NAME for the title (admin's history page needs one to show the message at all).

    Anything but admin's own structured message (free text) cannot be vetted, so it goes.
    """
    if message == ERASED_LOG_MESSAGE:
        return message
    try:
        parts = json.loads(message)
    except ValueError:
        return ""
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        return ""
    for part in parts:
        for detail in part.values():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = ERASED_NAME
    return json.dumps(parts)


def _remove_saved_emails(*, address, appointment_ids):
    """Delete saved copies of messages to or from the client's address, or about their sessions.

    Both are in each message's headers (To or Reply-To, Message-ID), so a file that
    mentions neither holds nothing about them.
    """
    # As typed, and as headers carry it (an international domain in its ASCII form).
    forms = {address}
    with contextlib.suppress(ValueError):  # Not an address anything could be sent to: the typed form will do.
        forms.add(sanitize_address(address, "utf-8"))
    addresses = b"|".join(re.escape(form.encode()) for form in forms)
    # Whole addresses only: erasing ada@example.com keeps the copies for lada@example.com.
    alternatives = [rb"(?<![\w.+-])(?:" + addresses + rb")(?![\w-]|\.\w)"]
    alternatives += [re.escape(emails.message_id_prefix(pk).encode()) for pk in appointment_ids]
    mentions = re.compile(b"|".join(alternatives), re.IGNORECASE)
    for path in mail.saved_copies():
        if mentions.search(path.read_bytes()):
            path.unlink(missing_ok=True)
