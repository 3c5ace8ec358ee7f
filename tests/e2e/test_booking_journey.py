"""A first-time client books by what the pages show (phone and desktop), then cancels from the manage link."""

import re

import pytest

from appointments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def test_client_books_then_cancels_through_the_manage_link(live_server, page, screenshot):
    from playwright.sync_api import expect

    page.goto(live_server.url)
    page.get_by_role("link", name="Book a session").first.click()
    expect(page.get_by_role("heading", name="Book a session", level=1)).to_be_visible()
    screenshot("booking-1-days")

    # A day a week or more away, so the booking can still be cancelled online.
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()

    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("A note for Julie (optional)").fill("Migraines on Mondays.")
    page.get_by_label("I have read and accept the cancellation policy").check()
    screenshot("booking-2-details")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_role("link", name="Download calendar file (.ics)")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Add to Google Calendar"))).to_be_visible()
    screenshot("booking-3-confirmed")
    appointment = Appointment.objects.get()
    assert appointment.client.email == "grace@example.com"
    assert appointment.client_note == "Migraines on Mondays."

    page.locator("a.manage-url").click()
    page.get_by_role("link", name="Cancel this session").click()
    page.get_by_label("Reason (optional)").fill("Feeling better")
    page.get_by_role("button", name="Yes, cancel my session").click()
    expect(page.get_by_text("Your session is cancelled")).to_be_visible()
    screenshot("booking-4-cancelled")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_booking_form_errors_are_announced_and_keep_what_was_typed(live_server, page, screenshot):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).first.click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("I have read and accept the cancellation policy").check()
    page.get_by_role("button", name="Confirm booking").click()

    summary = page.get_by_role("alert").filter(has_text="Please check the form")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.get_by_label("Your name")).to_have_value("Grace Hopper")
    phone_field = page.get_by_label("Phone")
    expect(phone_field).to_have_attribute("aria-invalid", "true")
    screenshot("booking-error")
    assert not Appointment.objects.exists()
