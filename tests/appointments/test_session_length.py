"""One session length: the service's duration, wherever a session's length matters."""

import email as email_parser
import re
from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from appointments import emails
from appointments.admin import AppointmentAdminForm
from appointments.booking import reschedule_appointment
from appointments.forms import slot_value
from appointments.models import Appointment, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY = business_time(2026, 12, 2)


@pytest.fixture
def ninety_minutes(service):
    service.duration_minutes = 90
    service.save()
    return service


def offered_times(client, day="2026-12-02"):
    html = client.get(reverse("appointments:day", kwargs={"day": day})).content.decode()
    return [f"{hour}:{minute}" for hour, minute in re.findall(r"start=[^\"&]*T(\d\d)%3A(\d\d)", html)]


def test_the_times_page_offers_only_slots_the_services_length_fits(client, ninety_minutes):
    # Seeded hours 9-12 and 13-17: a 90-minute session must end by 12:00 and 17:00.
    with time_machine.travel(NOW, tick=False):
        times = offered_times(client)
    assert times == ["09:00", "09:30", "10:00", "10:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30"]


def test_a_booking_lasts_the_services_length(book, ninety_minutes):
    appointment = book(WEDNESDAY.replace(hour=10))
    assert appointment.end - appointment.start == timedelta(minutes=90)


def test_the_buffer_after_a_long_session_counts_from_its_real_end(client, book, ninety_minutes):
    book(WEDNESDAY.replace(hour=9))  # 9:00-10:30, plus the 15-minute buffer
    with time_machine.travel(NOW, tick=False):
        times = offered_times(client)
    assert times[0] == "13:00"  # 10:45 is off the grid and 11:00 + 90 min passes noon


def test_a_moved_session_keeps_the_services_length(book, ninety_minutes):
    appointment = book(WEDNESDAY.replace(hour=9))
    moved = reschedule_appointment(appointment=appointment, new_start=WEDNESDAY.replace(hour=14), now=NOW)
    assert moved.end - moved.start == timedelta(minutes=90)


def test_julies_admin_form_ends_the_session_after_the_services_length(ninety_minutes):
    client = Client.objects.create(name="Grace", email="grace@example.com", phone="(860) 555-0101")
    start = timezone.localtime(WEDNESDAY.replace(hour=9))
    form = AppointmentAdminForm(
        data={
            "client": client.pk,
            "service": ninety_minutes.pk,
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "status": Appointment.Status.BOOKED,
        }
    )
    assert form.is_valid(), form.errors
    assert form.instance.end - form.instance.start == timedelta(minutes=90)


def test_emails_and_the_calendar_file_give_the_booked_length(book, ninety_minutes):
    appointment = book(WEDNESDAY.replace(hour=9))
    message = emails.build_message(appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION))
    assert "90 minutes" in message.body
    parsed = email_parser.message_from_bytes(message.message().as_bytes())
    ics = next(part for part in parsed.walk() if part.get_content_type() == "text/calendar")
    event = icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)
    assert "90-minute session" in str(event.get("description"))


def test_the_details_page_shows_the_services_end_time(client, ninety_minutes):
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY.replace(hour=9))})
    assert "10:30" in html.content.decode()
