"""Julie on her phone and desktop: copying her calendar feed's link, and time off laid over a booked session."""

from datetime import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from appointments.availability import horizon_slots
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, CalendarFeed, OutgoingEmail
from services.models import Service
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def test_julie_copies_her_calendar_feeds_link(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_calendarfeed_changelist"))
    url = settings.SITE_URL + CalendarFeed.load().get_absolute_url()
    link = page.get_by_label("Your calendar's secret link")
    expect(link).to_have_value(url)
    expect(page.get_by_role("link", name="Subscribe on this phone or computer")).to_have_attribute(
        "href", "webcal://" + url.split("://", 1)[1]
    )
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Copied. Now paste it in your calendar app.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot("admin-calendar-feed")


def test_without_javascript_the_link_is_there_to_copy_by_hand(live_server, browser, julie):  # noqa: F811
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_calendarfeed_changelist"))
    expect(page.get_by_label("Your calendar's secret link")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    context.close()


def test_time_off_over_a_booked_session_asks_and_cancels_it_with_an_email(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    start = next(
        s.local_start
        for s in horizon_slots(now=now, length=service.duration)
        if s.local_start.date() > timezone.localdate() and s.local_start.time() == time(10)
    )
    session = book_appointment(
        start=start,
        client_details=ClientDetails(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0123"),
        service=service,
        now=now,
    )
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_timeoff_add"))
    page.locator("input[name=start_0]").fill(f"{start:%Y-%m-%d}")
    page.locator("input[name=start_1]").fill("09:00")
    page.locator("input[name=end_0]").fill(f"{start:%Y-%m-%d}")
    page.locator("input[name=end_1]").fill("17:00")
    page.get_by_label("Reason").fill("Flu")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("This time off has 1 session booked")).to_be_visible()
    expect(page.locator(".sessions-in-time-off li")).to_have_text(f"Grace Hopper, {start:%a %b %-d, %Y} 10:00 AM")
    screenshot("admin-time-off-over-a-session")
    page.get_by_label("Cancel them and email the clients").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Cancelled 1 session and emailed the clients.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert session.emails.filter(kind=OutgoingEmail.Kind.CANCELLATION).exists()
    screenshot("admin-time-off-saved")
