"""On a phone: join the waitlist of a full day, a cancellation frees a time, the offer is accepted."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS

from appointments import availability, booking
from appointments.booking import ClientDetails
from appointments.models import Appointment
from services.models import Service
from tests.e2e.conftest import VIEWPORTS
from waitlist.outbox import send_due_waitlist_emails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.fixture
def viewport():
    return "phone", VIEWPORTS["phone"]


def fill_a_weekday():
    """Book every free time of a weekday a week or more away; returns the day and its sessions."""
    now = timezone.now()
    day = availability.business_today(now) + timezone.timedelta(days=7)
    while day.weekday() > 4:
        day += timezone.timedelta(days=1)
    service = Service.objects.get(slug="craniosacral-therapy")
    details = ClientDetails(name="Booked Client", email="booked@example.com", phone="+18605550100")
    sessions = []
    while slots := availability.free_slots_on(day, now=now, length=service.duration):
        session = booking.book_appointment(start=slots[0].start, client_details=details, service=service, now=now)
        sessions.append(session)
    return day, sessions


def test_join_a_full_days_waitlist_then_book_the_time_a_cancellation_frees(live_server, page, screenshot):
    from playwright.sync_api import expect

    day, sessions = fill_a_weekday()
    page.goto(live_server.url + "/book/")
    label = f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month]} {day.day}: no free times, join its waitlist"
    page.get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", name=re.compile("^Waitlist for"))).to_be_visible()
    page.get_by_label("Any time of day").check()
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    screenshot("waitlist-1-join")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", name="You are on the waitlist")).to_be_visible()
    screenshot("waitlist-2-joined")

    freed = sessions[1]
    booking.cancel_appointment(appointment=freed, now=timezone.now(), by_client=False)
    send_due_waitlist_emails(now=timezone.now())
    offer_email = next(m for m in mail.outbox if "has come free" in m.subject)
    offer_url = re.search(r"http\S+/waitlist/offer/\S+/", offer_email.body).group(0)
    page.goto(live_server.url + urlsplit(offer_url).path)  # the email's link, on the test server
    expect(page.get_by_role("heading", name="A time has come free")).to_be_visible()
    page.get_by_label("I have read and accept the cancellation policy").check()
    screenshot("waitlist-3-offer")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name=re.compile("booked", re.I)).first).to_be_visible()
    screenshot("waitlist-4-booked")
    taken = Appointment.objects.get(start=freed.start, status=Appointment.Status.BOOKED)
    assert taken.client.email == "ada@example.com"
