"""A client's right to their data: export it, or erase it while Julie keeps her books."""

from django.db import transaction

from . import page_cache
from .models import Appointment, OutgoingEmail

ERASED_NAME = "Erased client"


def export_client(client):
    """Everything stored about a client, as JSON-ready data."""
    return {
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "notes": client.notes,
        "created_at": client.created_at.isoformat(),
        "appointments": [
            {
                "service": appointment.service.name,
                "start": appointment.start.isoformat(),
                "end": appointment.end.isoformat(),
                "status": appointment.status,
                "note": appointment.client_note,
                "cancellation_reason": appointment.cancellation_reason,
                "created_at": appointment.created_at.isoformat(),
            }
            for appointment in client.appointments.select_related("service").order_by("start")
        ],
    }


def erase_client(*, client, now):
    """Remove a client's contact details and notes; sessions stay, anonymised, for Julie's books.

    Future sessions are cancelled and no further email goes to them.
    """
    with transaction.atomic():
        client.appointments.filter(status=Appointment.Status.BOOKED, start__gt=now).update(
            status=Appointment.Status.CANCELLED, cancelled_at=now
        )
        client.appointments.update(client_note="", cancellation_reason="")
        OutgoingEmail.objects.filter(appointment__client=client, status=OutgoingEmail.Status.PENDING).update(
            status=OutgoingEmail.Status.SKIPPED
        )
        client.name = ERASED_NAME
        client.email = f"erased-{client.pk}@invalid.example"
        client.phone = ""
        client.notes = ""
        client.save(update_fields=["name", "email", "phone", "notes"])
        page_cache.availability_changed()  # the bulk update above cancelled sessions without signals
    return client
