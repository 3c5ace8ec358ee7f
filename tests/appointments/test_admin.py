import pytest
from django.urls import reverse

from appointments.models import Appointment, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def julie(admin_client):
    return admin_client


@pytest.fixture
def caller(db):
    return Client.objects.create(name="Phone Caller", email="caller@example.com", phone="(860) 555-0111")


def admin_booking(caller, service, day, time):
    return {
        "client": caller.pk,
        "service": service.pk,
        "start_0": day,
        "start_1": time,
        "status": "booked",
        "client_note": "",
        "cancellation_reason": "",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
    }


def test_julie_books_a_phone_client_outside_working_hours(julie, caller, service):
    response = julie.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "2026-12-02", "19:00")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get()
    assert appointment.source == Appointment.Source.ADMIN
    assert appointment.start == business_time(2026, 12, 2, 19)
    assert appointment.end == business_time(2026, 12, 2, 20)
    assert appointment.emails.filter(kind=OutgoingEmail.Kind.CONFIRMATION).exists()


def test_julie_cannot_book_on_top_of_another_session(julie, caller, service, book):
    book(business_time(2026, 12, 2, 10))
    response = julie.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "2026-12-02", "10:30")
    )
    assert response.status_code == 200
    assert "This overlaps another session" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_failed_email_shows_in_admin_and_can_be_sent_again(julie, book):
    appointment = book(business_time(2026, 12, 2, 10))
    failed = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status="failed", last_error="SMTP said no", attempts=9)
    changelist = julie.get(reverse("admin:appointments_outgoingemail_changelist") + "?status__exact=failed")
    assert "SMTP said no" in changelist.content.decode()
    assert "1 failed" in julie.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    julie.post(
        reverse("admin:appointments_outgoingemail_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.PENDING
    assert failed.attempts == 0
