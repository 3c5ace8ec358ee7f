import io

import icalendar
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from appointments.booking import cancel_appointment
from appointments.models import CalendarFeed, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db


def test_feed_lists_sessions_with_client_details_and_cancellations(client, book, now, clock_at_now):
    kept = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    gone = cancel_appointment(appointment=book(business_time(2026, 12, 3, 10), email="bob@example.com"), now=now)
    TimeOff.objects.create(start=business_time(2026, 12, 24), end=business_time(2026, 12, 27), reason="Holidays")
    response = client.get(CalendarFeed.load().get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert len(events) == 3
    kept_event = next(e for e in events.values() if "ada@example.com" in str(e["DESCRIPTION"]))
    assert kept_event["STATUS"] == "CONFIRMED"
    assert "(860) 555-0199" in str(kept_event["DESCRIPTION"])
    assert kept_event.decoded("DTSTART") == kept.start
    gone_event = next(e for e in events.values() if "bob@example.com" in str(e["DESCRIPTION"]))
    assert gone_event["STATUS"] == "CANCELLED"
    assert gone_event["SEQUENCE"] == gone.sequence == 1
    assert any(str(e["SUMMARY"]) == "Time off: Holidays" for e in events.values())


def test_feed_needs_the_current_secret(client):
    feed = CalendarFeed.load()
    old_url = feed.get_absolute_url()
    assert client.get(reverse("calendar_feed", kwargs={"token": "guess"})).status_code == 404
    feed.regenerate()
    assert client.get(old_url).status_code == 404
    assert client.get(feed.get_absolute_url()).status_code == 200


def test_feed_token_is_not_on_public_pages(client, book, clock_at_now):
    token = CalendarFeed.load().token
    appointment = book(business_time(2026, 12, 2, 10))
    for url in ["/", "/services/craniosacral-therapy/", "/policies/", "/book/", appointment.get_manage_url()]:
        assert token not in client.get(url).content.decode()


def test_julie_is_staff_in_the_therapist_group_not_superuser(client, django_user_model):
    call_command("create_therapist", "julie", email="julie@example.com", stdout=io.StringIO())
    julie = django_user_model.objects.get(username="julie")
    assert julie.is_staff and not julie.is_superuser
    assert julie.groups.filter(name="Therapist").exists()
    assert julie.has_perm("appointments.add_appointment")
    assert julie.has_perm("appointments.change_timeoff")
    assert not julie.has_perm("auth.change_user")
    client.force_login(julie)
    assert client.get(reverse("admin:appointments_appointment_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert julie.has_perm("appointments.change_businessdetails")
    # 29, 5 for health intakes, 5 for the waitlist and 2 for her business details
    assert Group.objects.get(name="Therapist").permissions.count() == 41
    assert julie.has_perm("appointments.export_client_data") and julie.has_perm("appointments.erase_client_data")


def test_feed_shows_each_bookings_own_name_and_phone(client, service, now, clock_at_now):
    from appointments.booking import ClientDetails, book_appointment

    ada = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    book_appointment(start=business_time(2026, 12, 2, 10), client_details=ada, service=service, now=now)
    other = ClientDetails(name="Mallory Smith", email="ADA@example.com", phone="(203) 555-0666")
    book_appointment(start=business_time(2026, 12, 3, 10), client_details=other, service=service, now=now)
    response = client.get(CalendarFeed.load().get_absolute_url())
    events = sorted(icalendar.Calendar.from_ical(response.content).walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["SUMMARY"]) for e in events] == ["Ada Lovelace", "Mallory Smith"]
    assert "(860) 555-0100" in str(events[0]["DESCRIPTION"])
    assert "(203) 555-0666" in str(events[1]["DESCRIPTION"])
    assert "(860) 555-0100" not in str(events[1]["DESCRIPTION"])
