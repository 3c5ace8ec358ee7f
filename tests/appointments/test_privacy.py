import json

import pytest
from django.urls import reverse

from appointments.models import Appointment, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db


def test_julie_exports_a_clients_data(admin_client, book):
    appointment = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    response = admin_client.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "export_data", "_selected_action": [appointment.client_id]},
    )
    data = json.loads(response.content)
    assert data[0]["email"] == "ada@example.com"
    assert data[0]["appointments"][0]["start"] == appointment.start.isoformat()


def test_erasing_a_client_keeps_anonymised_sessions(admin_client, book, time_machine):
    time_machine.move_to(business_time(2026, 12, 1, 8))
    appointment = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    Client.objects.filter(pk=appointment.client_id).update(notes="Private note")
    admin_client.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "erase_personal_data", "_selected_action": [appointment.client_id]},
    )
    client = Client.objects.get(pk=appointment.client_id)
    assert client.name == "Erased client"
    assert "ada" not in client.email
    assert client.phone == "" and client.notes == ""
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert not appointment.emails.filter(status=OutgoingEmail.Status.PENDING).exists()
    assert Appointment.objects.filter(client=client).count() == 1
