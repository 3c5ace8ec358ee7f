"""Julie's lists on her phone: when, who, status and emails within the screen, filters before the rows,
everything big enough to tap, and a phone number found however it is typed."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.availability import horizon_slots
from appointments.booking import ClientDetails, book_appointment
from services.models import Service
from tests.e2e.test_admin_booking_form import page_findings
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

# The controls of a list a finger taps: its links, buttons, tick boxes and menus.
TAPPABLE = (
    "#changelist a:visible, #changelist button:visible, #changelist input[type=checkbox]:visible, "
    "#changelist select:visible, #changelist input[type=submit]:visible"
)


def sessions_booked(count):
    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    # Two days ahead at least, whatever the hour the tests run: each session then owes a reminder.
    slots = [
        s
        for s in horizon_slots(now=now, length=service.duration)
        if s.local_start.time() == time(14, 30) and s.start >= now + timedelta(days=2)
    ]
    people = [
        ("Philippa Quennell-Montgomery", "philippa.quennell-montgomery@example.org"),
        ("Ada Lovelace", "ada@example.com"),
    ]
    for index, slot in enumerate(slots[:count]):
        name, email = people[index % len(people)]
        details = ClientDetails(name=name, email=email, phone=f"+1860555{index:04d}")
        book_appointment(start=slot.start, client_details=details, service=service, now=now)
    return slots[0]


def small_targets(page):
    """Tappable controls smaller than 44x44 CSS pixels, described."""
    small = []
    for control in page.locator(TAPPABLE).all():
        box = control.bounding_box()
        if box and (box["width"] < 44 or box["height"] < 44):
            small.append(f"{control.evaluate('e => e.outerHTML')[:80]} {box['width']:.0f}x{box['height']:.0f}")
    return small


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_appointments_list_fits_a_phone_with_filters_first(live_server, page, screenshot, viewport, julie):  # noqa: F811
    from playwright.sync_api import expect

    first = sessions_booked(6)
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_appointment_changelist"))
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text(f"{first.local_start:%a %b %-d}, 2:30 PM")
    expect(row).to_contain_text("Philippa Quennell-Montgomery")
    expect(row).to_contain_text("Booked")
    # The confirmation, Julie's notice, the reminder and the aftercare.
    expect(row.locator(".field-email_status")).to_have_text("4 to come")
    expect(row.get_by_role("link", name="(860) 555-0000")).to_have_attribute("href", "tel:+1-860-555-0000")
    expect(row.get_by_role("link", name=re.compile("philippa"))).to_have_attribute(
        "href", "mailto:philippa.quennell-montgomery@example.org"
    )
    screenshot("admin-list-appointments")

    width = viewport[1]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    for cell in ("field-when", "field-who", "field-status_shown", "field-email_status"):
        box = row.locator(f".{cell}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, cell
    filters, rows = page.locator("#changelist-filter").bounding_box(), page.locator("#result_list").bounding_box()
    assert filters["y"] + filters["height"] <= rows["y"], "the filters come before the rows"
    assert small_targets(page) == []
    assert page_findings(page) == []


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("model", ["client", "outgoingemail"])
def test_the_clients_and_emails_lists_fit_a_phone(live_server, page, screenshot, viewport, julie, model):  # noqa: F811
    sessions_booked(3)
    log_in(page, live_server)
    page.goto(live_server.url + reverse(f"admin:appointments_{model}_changelist"))
    screenshot(f"admin-list-{model}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[1]["width"]
    assert small_targets(page) == []
    assert page_findings(page) == []


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("typed", ["860-555-0001", "8605550001", "(860) 555-0001", "+1 860 555 0001"])
def test_a_phone_search_finds_the_session_however_it_is_punctuated(live_server, page, julie, typed):  # noqa: F811
    from playwright.sync_api import expect

    sessions_booked(3)
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_appointment_changelist"))
    page.locator("#searchbar").fill(typed)
    page.locator("#searchbar").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("(860) 555-0001")


def test_the_lists_on_a_desktop_keep_their_sidebar(live_server, page, screenshot, viewport, julie):  # noqa: F811
    sessions_booked(4)
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_appointment_changelist"))
    screenshot("admin-list-appointments-both")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[1]["width"]
    if viewport[0] == "desktop":
        filters, rows = page.locator("#changelist-filter").bounding_box(), page.locator("#result_list").bounding_box()
        assert filters["x"] > rows["x"] + rows["width"] - 1, "the filters stay at the side"
