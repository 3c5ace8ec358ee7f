"""A new client books, fills in the intake on a phone halfway, finishes later, and Julie sees the flag on her day."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from intake.models import Intake
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def book_a_session(page, live_server):
    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(2).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("I have read and accept the cancellation policy").check()
    page.get_by_role("button", name="Confirm booking").click()


def test_new_client_fills_the_intake_in_two_sittings_and_julie_sees_the_flag(
    live_server,
    page,
    screenshot,
    browser,
    julie,  # noqa: F811
):
    from playwright.sync_api import expect

    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    book_a_session(page, live_server)
    expect(page.get_by_role("heading", name="Before your session: a short health intake")).to_be_visible()
    page.get_by_role("link", name="Fill in my health intake").click()
    expect(page.get_by_role("heading", name="Before your first session")).to_be_visible()
    intake_url = page.url

    # First sitting: the emergency contact and the migraine counts, one of them impossible.
    page.get_by_label("Name", exact=True).fill("Ada Hopper")
    page.get_by_label("Phone").fill("(203) 555-0142")
    page.get_by_label("On how many days did you have a headache?").fill("8")
    page.get_by_label("Of those, on how many days was it a migraine?").fill("12")
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.locator("#error_1_id_migraine_days")).to_contain_text("can't be more than your 8")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ada Hopper")  # nothing typed is lost
    screenshot("intake-1-halfway-with-a-mistake")
    page.get_by_label("Of those, on how many days was it a migraine?").fill("5")
    page.get_by_label("What seems to bring your migraines on?").fill("Bright screens")
    page.get_by_label("What seems to bring your migraines on?").blur()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()  # the page's script, as she goes
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Saved. You can close this page")).to_be_visible()
    page.context.close()

    # Later, in a new browser session: everything is still there; she finishes and sends it.
    later = browser.new_context(viewport=page.viewport_size, is_mobile=page.viewport_size["width"] < 500)
    phone = later.new_page()
    phone.goto(intake_url)
    expect(phone.get_by_label("Name", exact=True)).to_have_value("Ada Hopper")
    expect(phone.get_by_label("What seems to bring your migraines on?")).to_have_value("Bright screens")
    phone.get_by_role("radio", name="30 to 44").check()
    phone.get_by_role("group", name="How long have you had migraines?").get_by_role(
        "radio", name="1 to 5 years"
    ).check()
    phone.get_by_label("On how many days did you take medicine for a headache?").fill("4")
    phone.get_by_role("group", name="How bad was the worst headache?").get_by_role("radio", name="Moderate").check()
    for group in phone.get_by_role("group", name=re.compile(r"\?$")).all():
        if group.get_by_role("radio", name="No", exact=True).count():
            group.get_by_role("radio", name="No", exact=True).check()
    phone.get_by_role("group", name=re.compile("blood thinners")).get_by_role("radio", name="Yes").check()
    phone.get_by_label("Your full name").fill("Grace Hopper")
    phone.get_by_role("button", name="Send to Julie").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / f"intake-2-sent-{size}.png"), full_page=True)
    later.close()

    intake = Intake.objects.get()
    assert intake.flagged and intake.submitted_at and intake.triggers == "Bright screens"

    # Julie, on her phone or desk: the day of the session shows the flag.
    julies = browser.new_context(viewport=page.viewport_size)
    desk = julies.new_page()
    log_in(desk, live_server)
    day = timezone.localtime(Appointment.objects.get().start).date()
    desk.goto(live_server.url + reverse("admin:appointments_calendar_day") + f"?day={day}")
    expect(desk.get_by_text("Intake: needs your attention")).to_be_visible()
    desk.screenshot(path=str(SCREENSHOTS / f"intake-3-julies-day-{size}.png"), full_page=True)
    desk.goto(live_server.url + reverse("admin:intake_intake_change", args=[intake.pk]))
    expect(desk.get_by_role("heading", name="Needs your attention")).to_be_visible()
    desk.screenshot(path=str(SCREENSHOTS / f"intake-4-julies-intake-page-{size}.png"), full_page=True)
    julies.close()
