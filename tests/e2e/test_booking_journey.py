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
    expect(page.get_by_role("link", name=re.compile("^Apple Calendar"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Google Calendar"))).to_be_visible()
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


@pytest.fixture
def open_all_day(seeded):
    """Hours round the clock, so that whatever the time the test runs, some offered times
    start 12 to 24 hours from now: bookable (12 hours' notice) but inside the 24-hour cut-off."""
    from datetime import time

    from appointments.models import BookingRules, BusinessDetails, WorkingHours

    WorkingHours.objects.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(weekday=day, start_time=time(0), end_time=time(23, 59)) for day in range(7)
    )
    business = BusinessDetails.load()
    business.phone = "(860) 555-0142"
    business.save()
    return BookingRules.load()


def test_a_time_inside_the_cutoff_is_marked_and_told_before_confirming(live_server, page, screenshot, open_all_day):
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/book/")
    soonest = page.get_by_role("link", name=re.compile(r"at \d{1,2}:\d\d [AP]M can’t be changed online$")).first
    expect(soonest).to_be_visible()
    expect(page.get_by_text("are less than 24 hours away: once booked")).to_be_visible()
    screenshot("cutoff-1-days")
    soonest.click()

    warning = page.get_by_role("note").filter(has_text="This time is less than 24 hours away")
    expect(warning).to_contain_text("once booked it can’t be changed or cancelled online")
    expect(warning.get_by_role("link", name="(860) 555-0142")).to_have_attribute("href", "tel:+1-860-555-0142")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("I have read and accept the cancellation policy").check()
    screenshot("cutoff-2-details")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(
        page.get_by_text("This session is less than 24 hours away, so it can no longer be changed online.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="See your booking")).to_be_visible()
    manage_url = live_server.url + Appointment.objects.get().get_manage_url()
    expect(page.get_by_label(re.compile("Your booking link"))).to_have_value(manage_url)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == manage_url
    screenshot("cutoff-3-confirmed")


def test_the_confirmation_offers_a_button_a_link_to_copy_and_three_calendars(live_server, page, screenshot):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    expect(page.get_by_role("note")).to_have_count(0)  # a week away: nothing to warn of
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("I have read and accept the cancellation policy").check()
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_text(re.compile(r"You can cancel or move it online until \w+day, \w+ \d+ at"))).to_be_visible()
    button = page.get_by_role("link", name="Change or cancel your session")
    expect(button).to_have_class(re.compile(r"\bbtn\b"))
    expect(page.get_by_label(re.compile("Your booking link"))).to_have_js_property("readOnly", True)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    calendars = page.get_by_role("region", name="Add it to your calendar")
    expect(calendars.get_by_role("link", name=re.compile("^Google Calendar"))).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE&")
    )
    expect(calendars.get_by_role("link", name=re.compile("^Apple Calendar"))).to_have_attribute(
        "href", re.compile(r"/calendar\.ics$")
    )
    expect(calendars.get_by_role("link", name=re.compile("^Outlook"))).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/0/deeplink/compose\?")
    )
    screenshot("confirmed-keep")
    button.click()
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()


def test_two_clients_one_time_the_second_is_told_calmly_and_keeps_what_they_typed(
    live_server, page, browser, screenshot
):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("A note for Julie (optional)").fill("Migraines on Mondays.")
    page.get_by_label("I have read and accept the cancellation policy").check()

    # Meanwhile another client, on the same time, confirms first.
    other = browser.new_context()
    quicker = other.new_page()
    quicker.goto(page.url)
    quicker.get_by_label("Your name").fill("Ada Lovelace")
    quicker.get_by_label("Email").fill("ada@example.com")
    quicker.get_by_label("Phone").fill("860 555 0100")
    quicker.get_by_label("I have read and accept the cancellation policy").check()
    quicker.get_by_role("button", name="Confirm booking").click()
    expect(quicker.get_by_role("heading", name="You're booked")).to_be_visible()
    other.close()

    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("status").filter(has_text="that time was just taken")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)  # no error summary, nothing in red
    expect(page.get_by_label("Your name")).to_have_value("Grace Hopper")
    expect(page.get_by_label("A note for Julie (optional)")).to_have_value("Migraines on Mondays.")
    expect(page.get_by_label("I have read and accept the cancellation policy")).to_be_checked()
    screenshot("booking-time-lost")

    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert sorted(Appointment.objects.values_list("client__email", flat=True)) == [
        "ada@example.com",
        "grace@example.com",
    ]
