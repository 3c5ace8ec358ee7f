"""Julie runs her week from her phone in admin: sees it, books a phone client, blocks an afternoon, cancels."""

import io
import re
from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from appointments.availability import horizon_slots, wall_clock_to_utc
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff
from services.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

PASSWORD = "a-known-password-for-julie"


@pytest.fixture
def julie(seeded):
    from django.contrib.auth import get_user_model

    call_command("create_therapist", "julie", "--email", "julie@example.com", stdout=io.StringIO())
    user = get_user_model().objects.get(username="julie")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Therapist").exists()
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def log_in(page, live_server):
    """Julie logs in to admin (the julie fixture set her password)."""
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("julie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))


def free_cell_label(day, hour, minute=0):
    """The aria-label of the week view's free cell at this business wall-clock time."""
    start = timezone.localtime(wall_clock_to_utc(day, time(hour, minute)))
    return f"Free from {start:%A, %B %-d, %-I:%M %p}"


def show_week_of(page, day):
    """The week view opens on today and the next six days; day is within them."""
    from playwright.sync_api import expect

    today = timezone.localdate()
    assert today <= day < today + timedelta(days=7)
    expect(page.get_by_role("heading", name=re.compile(rf"^{today:%a %b %-d} to "))).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_julie_runs_her_week_from_her_phone(live_server, page, screenshot, julie):
    from playwright.sync_api import expect

    now = timezone.now()
    today = timezone.localdate()
    service = Service.objects.get(slug="craniosacral-therapy")

    # A client booked on the website earlier: a weekday at 9:00 within the coming days, not today.
    slot = next(
        s
        for s in horizon_slots(now=now, length=timedelta(hours=1))
        if s.local_start.date() > today and s.local_start.weekday() < 5 and s.local_start.time() == time(9)
    )
    day = slot.local_start.date()
    web_booking = book_appointment(
        start=slot.start,
        client_details=ClientDetails(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0123"),
        service=service,
        now=now,
    )
    # A regular who phoned Julie; she books her herself.
    Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0199")

    # Log in as Julie.
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("julie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # 1. The index shows today and the coming days; the week view shows Grace's session.
    expect(page.get_by_role("heading", name=f"Today, {today:%A, %B %-d}")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"9:00 AM · Grace Hopper"))).to_be_visible()
    week_link = page.get_by_role("link", name="Week view", exact=True)
    expect(week_link).to_be_visible()
    screenshot("admin-0-index")
    week_link.click()
    show_week_of(page, day)
    session_cell = page.locator("td.cell-session").filter(has_text="Grace Hopper")
    expect(session_cell).to_be_visible()
    expect(session_cell).to_contain_text("9:00")
    # The grid is wider than a phone: Julie swipes sideways to the day.
    session_cell.scroll_into_view_if_needed()
    expect(session_cell).to_be_in_viewport()
    screenshot("admin-1-week")

    # 2. Tap a free time, book Ada there: one form, back to the week with her session highlighted.
    page.get_by_role("link", name=free_cell_label(day, 10, 30), exact=True).click()
    expect(page.get_by_role("heading", name=f"Book {day:%A, %B %-d} at 10:30 AM")).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value(f"{day:%Y-%m-%d}")
    expect(page.get_by_label("Time")).to_have_value("10:30 AM")
    screenshot("admin-2a-slot-choice")
    page.get_by_label("Find a client").fill("8605550199")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_role("radio", name=re.compile("Ada Lovelace"))).to_be_checked()
    expect(page.get_by_label("Service")).to_have_value(str(service.pk))
    screenshot("admin-2b-appointment-form")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Booked Ada Lovelace on")
    expect(page).to_have_url(re.compile(r"highlight=\d+#appointment-\d+$"))
    screenshot("admin-2-booked")

    phone_booking = Appointment.objects.get(client__email="ada@example.com")
    assert phone_booking.source == Appointment.Source.ADMIN
    assert phone_booking.status == Appointment.Status.BOOKED
    assert timezone.localtime(phone_booking.start).time() == time(10, 30)
    assert phone_booking.end - phone_booking.start == timedelta(minutes=service.duration_minutes)
    assert OutgoingEmail.objects.filter(appointment=phone_booking, kind=OutgoingEmail.Kind.CONFIRMATION).exists()

    # 3. Block the afternoon off: from 1 PM, to 5 PM (booking came back to the calendar, on that day's week).
    expect(page.locator("td.cell-session").filter(has_text="Ada Lovelace")).to_contain_text("10:30")
    page.get_by_role("link", name=free_cell_label(day, 13), exact=True).click()
    page.get_by_role("link", name="Block off this time instead").click()
    expect(page.get_by_role("heading", name="Add time off")).to_be_visible()
    expect(page.locator("#id_start_1")).to_have_value("1:00 PM")
    expect(page.locator("#id_end_1")).to_have_value("2:00 PM")
    page.locator("#id_end_1").fill("5 pm")
    page.get_by_label("Reason").fill("Dentist")
    screenshot("admin-3a-time-off-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    block = TimeOff.objects.get()
    assert timezone.localtime(block.start).time() == time(13)
    assert timezone.localtime(block.end).time() == time(17)

    # Saving lands on the time off list, which has no way back to the calendar but Home.
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Week view", exact=True).click()
    show_week_of(page, day)
    time_off_cell = page.locator("td.cell-off")
    expect(time_off_cell).to_have_count(1)
    expect(time_off_cell).to_contain_text("Time off")
    expect(page.get_by_role("link", name=free_cell_label(day, 14), exact=True)).to_have_count(0)
    time_off_cell.scroll_into_view_if_needed()
    expect(time_off_cell).to_be_in_viewport()
    screenshot("admin-3-time-off")

    # 4. Grace can't come after all: cancel her session from the list, and tell her.
    page.get_by_role("link", name="List", exact=True).click()
    row = page.locator("#result_list tbody tr").filter(has_text="Grace Hopper")
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Cancel and notify the client")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Cancelled. The clients will get an email")
    status = page.locator("#result_list tbody tr").filter(has_text="Grace Hopper").locator("td.field-status_shown")
    expect(status).to_have_text("Cancelled")
    status.scroll_into_view_if_needed()  # The status column is off to the right on a phone.
    screenshot("admin-4-cancelled")

    web_booking.refresh_from_db()
    assert web_booking.status == Appointment.Status.CANCELLED
    assert OutgoingEmail.objects.filter(
        appointment=web_booking, kind=OutgoingEmail.Kind.CANCELLATION, status=OutgoingEmail.Status.PENDING
    ).exists()
    phone_booking.refresh_from_db()
    assert phone_booking.status == Appointment.Status.BOOKED


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_julie_turns_on_two_step_login_on_her_phone_without_javascript(live_server, browser, viewport, julie, settings):
    """With ADMIN_REQUIRE_2FA on: password, set up the app (typing the key, as the QR code
    cannot be scanned by the phone showing it), recovery codes; next time a recovery code."""
    from base64 import b32decode

    from django_otp.oath import totp
    from playwright.sync_api import expect

    from tests.e2e.conftest import SCREENSHOTS

    settings.ADMIN_REQUIRE_2FA = True
    name, size = viewport
    context = browser.new_context(
        viewport=size, is_mobile=True, has_touch=True, device_scale_factor=2, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def log_in():
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("Username").fill("julie")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

    log_in()
    expect(page.get_by_role("heading", name="Set up two-step login")).to_be_visible()
    qr_code = page.locator(".two-factor-qr svg")
    expect(qr_code).to_be_visible()
    assert qr_code.bounding_box()["width"] <= size["width"]
    page.screenshot(
        path=str(SCREENSHOTS / f"admin-2fa-1-set-up-{name}-{size['width']}x{size['height']}.png"), full_page=True
    )

    key = b32decode(page.locator(".two-factor-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".two-factor-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(
        path=str(SCREENSHOTS / f"admin-2fa-2-codes-{name}-{size['width']}x{size['height']}.png"), full_page=True
    )
    page.get_by_role("link", name="Continue to admin").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()

    # Next time, without the phone: a recovery code.
    page.get_by_role("button", name="Log out").click()
    log_in()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.screenshot(
        path=str(SCREENSHOTS / f"admin-2fa-3-code-{name}-{size['width']}x{size['height']}.png"), full_page=True
    )
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    context.close()
