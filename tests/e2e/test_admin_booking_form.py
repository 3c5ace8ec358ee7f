"""Julie books a new client's weekly series on the page of a free time: dates checked, a clash seen and avoided.

axe-core runs on each state of the form; the one finding it reports on every admin page
(link-in-text-block on the breadcrumbs) is Django admin's own styling, not this page's.
"""

import re
from datetime import time, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.availability import horizon_slots, wall_clock_to_utc
from appointments.booking import ClientDetails, book_appointment
from appointments.forms import slot_value
from appointments.models import Appointment, Client, OutgoingEmail
from services.models import Service
from tests.e2e.test_accessibility import _serious_axe_findings
from tests.e2e.test_admin_journey import PASSWORD, julie  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

# Django admin's own: its breadcrumb links are told apart from the text by colour only.
ADMIN_OWN_FINDINGS = re.compile(r"^link-in-text-block \(serious\): .* at \.breadcrumbs ")


def page_findings(page):
    return [finding for finding in _serious_axe_findings(page) if not ADMIN_OWN_FINDINGS.match(finding)]


def test_julie_books_a_weekly_series_for_a_new_client_around_a_clash(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    first = next(
        s.local_start
        for s in horizon_slots(now=now, length=service.duration)
        if s.local_start.date() > timezone.localdate() and s.local_start.time() == time(10)
    )
    # Someone booked online a week after the first date, at the same time.
    taken = wall_clock_to_utc(first.date() + timedelta(weeks=1), time(10))
    book_appointment(
        start=taken,
        client_details=ClientDetails(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0123"),
        service=service,
        now=now,
    )

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("julie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    slot_page = reverse("admin:appointments_calendar_slot") + "?" + urlencode({"start": slot_value(first)})
    page.goto(live_server.url + slot_page)
    expect(page.get_by_role("heading", name=f"Book {first:%A, %B %-d} at 10:00 AM")).to_be_visible()
    findings = {"open": page_findings(page)}

    # Nobody by that phone number yet: she types the new client in the same form.
    page.get_by_label("Find a client").fill("203 555 0142")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_text("No client found for")).to_be_visible()
    page.get_by_label("New client's name").fill("Rosalind Franklin")
    page.get_by_label("New client's email").fill("Rosalind@Example.com")
    page.get_by_label("New client's phone").fill("203 555 0142")
    page.get_by_label("Every week").check()
    page.get_by_label("Sessions in all, when repeating").fill("3")
    page.get_by_role("button", name="Check dates").click()
    dates = page.locator(".booking-dates li")
    expect(dates).to_have_count(3)
    expect(dates.nth(1)).to_contain_text("clashes with Grace Hopper, 10:00 AM to 11:00 AM")
    expect(dates.nth(2)).to_contain_text("free")
    findings["checked"] = page_findings(page)
    screenshot("admin-booking-series-checked")

    # Booking anyway is refused, nothing saved, everything kept.
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Nothing was booked:")).to_be_visible()
    expect(page.get_by_label("New client's name")).to_have_value("Rosalind Franklin")
    assert not Client.objects.filter(email="rosalind@example.com").exists()

    # Every 2 weeks misses the clash.
    page.get_by_label("Every 2 weeks").check()
    page.get_by_role("button", name="Check dates").click()
    expect(page.locator(".booking-dates .date-free")).to_have_count(3)
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Booked 3 sessions for Rosalind Franklin")
    expect(page).to_have_url(re.compile(r"highlight=\d+#appointment-\d+$"))
    screenshot("admin-booking-series-booked")

    sessions = list(Appointment.objects.filter(client__email="rosalind@example.com").order_by("start"))
    assert [timezone.localtime(s.start).date() for s in sessions] == [
        first.date() + timedelta(weeks=2 * n) for n in range(3)
    ]
    assert all(timezone.localtime(s.start).time() == time(10) for s in sessions)
    assert len({s.series for s in sessions}) == 1
    assert OutgoingEmail.objects.filter(appointment__in=sessions, kind=OutgoingEmail.Kind.CONFIRMATION).count() == 1
    assert not {name: found for name, found in findings.items() if found}, findings
