"""Julie's "Cancel and notify the client" in admin, as the client and Julie see it afterwards."""

import pytest
from django.urls import reverse

from appointments.models import Appointment, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db


def test_julies_cancel_action_records_no_reason_and_tells_only_the_client(julie_in_admin, book, clock_at_now):
    appointment = book(business_time(2026, 12, 2, 10))
    response = julie_in_admin.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "cancel_and_notify", "_selected_action": [appointment.pk]},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancellation_reason == ""
    kinds = set(appointment.emails.filter(sequence=appointment.sequence).values_list("kind", flat=True))
    assert kinds == {OutgoingEmail.Kind.CANCELLATION}
