"""Error pages in a real browser, on a phone: the site's layout, nothing scrolls sideways,
and a booking sent after its cookie expired keeps what was typed."""

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string

from appointments.models import Appointment

from .test_accessibility import AXE_JS, SERVER_ERROR_URL, _require, _serious_axe_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.fixture(autouse=True)
def _axe_core():
    _require(AXE_JS, "axe-core")


def assert_fits_the_screen(page):
    from playwright.sync_api import expect

    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("footer.site-footer")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert not _serious_axe_findings(page)


def open_booking_form(page, base_url):
    page.goto(base_url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    page.get_by_label("Your name").fill("Zoë Lovelace")
    page.get_by_label("Email").fill("zoe@example.com")
    page.get_by_label("Phone").fill("860 555 0199")
    page.get_by_label("I have read and accept the cancellation policy").check()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_booking_sent_after_the_cookie_expired_comes_back_as_typed(live_server, page, screenshot):
    from playwright.sync_api import expect

    open_booking_form(page, live_server.url)
    page.context.clear_cookies()  # the cookie expired while the page was open
    page.get_by_role("button", name="Confirm booking").click()
    expect(
        page.get_by_text("This page was open for a while, so please press Confirm booking once more.")
    ).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Zoë Lovelace")
    assert_fits_the_screen(page)
    screenshot("error-403-stale-booking-form")
    assert not Appointment.objects.exists()

    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert Appointment.objects.get().client.name == "Zoë Lovelace"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_form_sent_in_another_charset_gets_the_400_page(live_server, page, screenshot):
    from playwright.sync_api import expect

    open_booking_form(page, live_server.url)
    # An old browser or a bot sending Latin-1: "ë" arrives as a byte that is not UTF-8.
    page.evaluate("document.querySelector('form.booking-form').acceptCharset = 'windows-1252'")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="Sorry, we couldn’t read that")).to_be_visible()
    assert_fits_the_screen(page)
    screenshot("error-400-unreadable-form")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_other_error_pages_fit_a_phone(live_server, page, screenshot):
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", name="We couldn’t find that page")).to_be_visible()
    assert_fits_the_screen(page)
    screenshot("error-404")

    page.route(
        live_server.url + SERVER_ERROR_URL,
        lambda route: route.fulfill(status=500, content_type="text/html", body=render_to_string("500.html")),
    )
    page.goto(live_server.url + SERVER_ERROR_URL)
    assert_fits_the_screen(page)
    screenshot("error-500")

    booked = _past_booking()
    page.goto(live_server.url + booked.get_manage_url())
    expect(page.get_by_role("heading", name="This booking link has expired")).to_be_visible()
    assert_fits_the_screen(page)
    screenshot("error-410-expired-link")

    get_user_model().objects.create_user("julie", password="the-right-password-123", is_staff=True)
    page.goto(live_server.url + "/admin/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("julie")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Signing in is paused for now")).to_be_visible()
    assert_fits_the_screen(page)
    screenshot("error-429-admin-lockout")


def _past_booking():
    """A session two months ago: its manage link has expired (default 30 days)."""
    from django.utils import timezone

    from appointments.models import Client
    from services.models import Service

    start = timezone.now() - timedelta(days=60)
    return Appointment.objects.create(
        client=Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100"),
        service=Service.objects.get(slug="craniosacral-therapy"),
        start=start,
        end=start + timedelta(hours=1),
    )
