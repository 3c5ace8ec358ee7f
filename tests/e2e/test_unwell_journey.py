"""A client wakes with a migraine on the morning of her session: on her phone she cancels under
Julie's illness rule, inside the cut-off, and books a new time with one tap."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from appointments.availability import horizon_slots
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, WorkingHours
from services.models import Service

from .conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def session_this_morning():
    """A session starting in about three hours, booked two days ago (hours round the clock)."""
    WorkingHours.objects.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(weekday=day, start_time=time(0), end_time=time(23, 59)) for day in range(7)
    )
    now, booked_at = timezone.now(), timezone.now() - timedelta(days=2)
    service = Service.objects.get(slug="craniosacral-therapy")
    slot = next(
        slot for slot in horizon_slots(now=booked_at, length=service.duration) if slot.start > now + timedelta(hours=3)
    )
    return book_appointment(
        start=slot.start,
        client_details=ClientDetails(name="Grace Hopper", email="grace@example.com", phone="+18605550123"),
        service=service,
        now=booked_at,
    )


@pytest.mark.parametrize("viewport", [("phone", VIEWPORTS["phone"])])
def test_unwell_on_the_morning_cancels_and_rebooks_in_one_tap(live_server, page, screenshot):
    from playwright.sync_api import expect

    session = session_this_morning()
    page.goto(live_server.url + session.get_manage_url())
    expect(page.get_by_text("it can no longer be changed online")).to_be_visible()
    screenshot("unwell-1-manage")

    page.get_by_role("link", name="I have a migraine today").click()
    expect(page.get_by_role("heading", name="Cancel because you are unwell?")).to_be_visible()
    screenshot("unwell-2-confirm")
    page.get_by_role("button", name="Yes, cancel: I’m unwell").click()

    expect(page.get_by_text("Your session is cancelled. Rest well")).to_be_visible()
    first_time = page.get_by_role("button", name=re.compile("^Book ")).first
    expect(first_time).to_be_visible()
    screenshot("unwell-3-rebook")
    first_time.click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    screenshot("unwell-4-rebooked")
    session.refresh_from_db()
    assert (session.status, session.cancellation_kind) == ("cancelled", "unwell")
    rebooked = Appointment.objects.get(status=Appointment.Status.BOOKED)
    assert rebooked.client == session.client
    assert rebooked.start > timezone.now()
