"""Julie offers a second, 90-minute service: a client on a phone chooses it and books it, and the
choice page and that service's days pass axe-core and the Nu Html Checker."""

import json
import re

import pytest

from appointments.models import Appointment
from services.models import Service

from .test_accessibility import AXE_JS, _require, _serious_axe_findings, _vnu_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.fixture
def long_session(seeded):
    return Service.objects.create(
        name="Long CSMT session",
        slug="long-session",
        description="Ninety unhurried minutes for a migraine that has settled in.",
        duration_minutes=90,
    )


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_client_on_a_phone_books_the_90_minute_session(live_server, page, screenshot, long_session):
    from playwright.sync_api import expect

    page.goto(live_server.url)
    page.get_by_role("link", name="Book a session").first.click()
    expect(page.get_by_role("heading", name="Long CSMT session", level=2)).to_be_visible()
    screenshot("services-1-choice")
    page.get_by_role("link", name="Choose a time for Long CSMT session").click()
    expect(page.get_by_text("Long CSMT session, 90 minutes with Julie")).to_be_visible()
    screenshot("services-2-days")

    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6).click()
    expect(page.get_by_text("Long CSMT session sessions last 90 minutes")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    expect(page.get_by_text("Long CSMT session, 90 minutes")).to_be_visible()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_label("I have read and accept the cancellation policy").check()
    screenshot("services-3-details")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    screenshot("services-4-confirmed")
    appointment = Appointment.objects.get()
    assert appointment.service == long_session
    assert appointment.end - appointment.start == long_session.duration


@pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)
def test_the_choice_and_a_services_days_pass_axe_and_the_html_checker(
    live_server, page, tmp_path, screenshot, long_session, viewport
):
    _require(AXE_JS, "axe-core")
    findings, documents = {}, {}
    for name, path in [("choice", "/book/"), ("long-days", "/book/?service=long-session")]:
        response = page.goto(live_server.url + path)
        assert response.status == 200
        documents[name] = response.text()
        if serious := _serious_axe_findings(page):
            findings[name] = serious
        screenshot(f"services-{name}")
    assert not findings, "axe-core:\n" + json.dumps(findings, indent=2)
    if viewport[0] == "phone":  # the HTML sent is the same on any screen
        errors = _vnu_errors(documents, tmp_path)
        assert not errors, "Nu Html Checker:\n" + "\n".join(errors)
