"""Julie types a time off on her phone the way she writes times; every date and time input is named."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import TimeOff
from tests.e2e.test_admin_booking_form import page_findings
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_julie_blocks_an_afternoon_typing_2pm_to_5_30_p_m(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    day = timezone.localdate() + timedelta(days=3)
    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:appointments_timeoff_add"))
    assert page_findings(page) == []  # each date and time input has its own name
    page.locator("#id_start_0").fill(f"{day:%m/%d/%Y}")
    page.locator("#id_start_1").fill("2pm")
    page.locator("#id_end_0").fill(f"{day:%m/%d/%Y}")
    page.locator("#id_end_1").fill("5:30 p.m.")
    screenshot("admin-time-off-typed")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text(f"{day:%a %b %-d, %Y}, 2:00 PM")
    block = TimeOff.objects.get()
    assert (timezone.localtime(block.start).time(), timezone.localtime(block.end).time()) == (time(14), time(17, 30))
