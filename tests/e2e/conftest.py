"""Browser tests: Playwright for Python driving Debian's Chromium against live_server.

Playwright's sync API keeps an asyncio event loop running in the test thread,
which makes Django refuse database access there ("async unsafe"); the tests
are synchronous, so that check is switched off for this test run.
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request):
    """Each browser test runs on a phone (390x844) and a desktop (1280x800) screen."""
    return request.param, VIEWPORTS[request.param]


@pytest.fixture
def color_scheme():
    """The device's light or dark setting; a test asks for dark with parametrize("color_scheme", ["dark"])."""
    return "light"


@pytest.fixture
def page(browser, viewport, color_scheme):
    """A browser tab in Connecticut (the business time zone), on the viewport's screen."""
    from django.conf import settings

    name, size = viewport
    context = browser.new_context(
        viewport=size,
        color_scheme=color_scheme,
        timezone_id=settings.TIME_ZONE,
        is_mobile=name == "phone",
        has_touch=name == "phone",
        device_scale_factor=2 if name == "phone" else 1,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, viewport):
    """screenshot("home") saves test-artifacts/screenshots/home-phone-390x844.png (whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name, size = viewport

    def take(label):
        path = SCREENSHOTS / f"{label}-{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
