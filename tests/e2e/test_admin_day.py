"""Julie opens her day on her phone, calls a client, and moves the session to another day's free time;
she marks a session that started an hour ago a no-show from the same day.

axe-core runs on the day, move, week and month pages, in the light and the dark theme,
on a phone and a desktop screen.
"""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from appointments.availability import horizon_slots
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, Client, OutgoingEmail
from services.models import Service
from tests.e2e.test_admin_booking_form import page_findings
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def book_ann():
    """Ann Smith, booked online on a weekday at 10:00 after today, with a note for Julie."""
    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    slot = next(
        s
        for s in horizon_slots(now=now, length=service.duration)
        if s.local_start.date() > timezone.localdate() and s.local_start.weekday() < 5
        if s.local_start.time() == time(10)
    )
    return book_appointment(
        start=slot.start,
        client_details=ClientDetails(name="Ann Smith", email="ann@example.com", phone="(860) 555-0142"),
        service=service,
        now=now,
        note="Migraine since Sunday.",
    )


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_julie_moves_a_session_from_her_day_on_the_phone(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    ann = book_ann()
    day = timezone.localtime(ann.start).date()
    log_in(page, live_server)

    # The header's calendar link opens today; the date picker opens Ann's day.
    page.get_by_role("link", name="Today's calendar").click()
    expect(page.get_by_role("heading", name=f"{timezone.localdate():%A, %B %-d, %Y}")).to_be_visible()
    page.get_by_label("Go to day").fill(f"{day:%Y-%m-%d}")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.get_by_role("heading", name=f"{day:%A, %B %-d, %Y}")).to_be_visible()
    session = page.locator(f"#appointment-{ann.pk}")
    expect(session).to_contain_text("10:00 AM – 11:00 AM")
    expect(session).to_contain_text("Booked")
    expect(session).to_contain_text("Note")
    expect(session.get_by_role("link", name="Call (860) 555-0142")).to_have_attribute("href", "tel:+1-860-555-0142")
    expect(page.locator(".day-closed")).to_contain_text("Closed")  # lunch
    assert page_findings(page) == []
    screenshot("admin-day")

    # Move: the next day's free times, one button each; 2:30 PM.
    session.get_by_role("link", name="Move Ann Smith").click()
    expect(page.get_by_role("heading", name="Move Ann Smith's session")).to_be_visible()
    page.get_by_role("link", name="Next day").click()
    target = day + timedelta(days=1)
    expect(page.get_by_role("heading", name=f"Free times on {target:%A, %B %-d}")).to_be_visible()
    assert page_findings(page) == []
    screenshot("admin-move")
    if not page.get_by_role("button", name="2:30 PM").count():  # a Saturday: mornings only
        page.get_by_role("link", name="Next day").click()
        target += timedelta(days=1)
        page.get_by_role("link", name="Next day").click()
        target += timedelta(days=1)
    page.get_by_role("button", name="2:30 PM").click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Moved Ann Smith to {target:%a %b %-d}, 2:30 PM; they will get an email about the new time."
    )
    expect(page).to_have_url(re.compile(rf"day={target:%Y-%m-%d}&highlight={ann.pk}#appointment-{ann.pk}$"))
    expect(page.locator(f"#appointment-{ann.pk}.highlighted")).to_contain_text("2:30 PM – 3:30 PM")
    screenshot("admin-day-moved")

    ann = Appointment.objects.get(pk=ann.pk)
    assert timezone.localtime(ann.start).time() == time(14, 30)
    assert ann.emails.filter(kind=OutgoingEmail.Kind.RESCHEDULE).exists()
    reminder = ann.emails.get(kind=OutgoingEmail.Kind.REMINDER, status=OutgoingEmail.Status.PENDING)
    assert reminder.due_at == ann.start - timedelta(hours=24)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_julie_marks_a_no_show_from_her_day_on_the_phone(live_server, page, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    # Made directly: an hour ago may be outside her working hours, which booking would refuse.
    service = Service.objects.get(slug="craniosacral-therapy")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    client = Client.objects.create(name="Ann Smith", email="ann@example.com", phone="(860) 555-0142")
    ann = Appointment.objects.create(client=client, service=service, start=start, end=start + service.duration)
    local = timezone.localtime(start)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/appointments/appointment/calendar/day/?day={local:%Y-%m-%d}")

    session = page.locator(f"#appointment-{ann.pk}")
    expect(session.get_by_role("link", name="Move Ann Smith")).to_have_count(0)  # under way
    for name in ["Completed Ann Smith", "No-show Ann Smith"]:
        box = session.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
    assert page_findings(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("admin-day-started")

    session.get_by_role("button", name="No-show Ann Smith").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Marked Ann Smith's {local:%-I:%M %p} session as a no-show."
    )
    expect(page).to_have_url(re.compile(rf"day={local:%Y-%m-%d}&highlight={ann.pk}#appointment-{ann.pk}$"))
    session = page.locator(f"#appointment-{ann.pk}.highlighted")
    expect(session.locator(".badge-status")).to_have_text("No-show")
    expect(session.get_by_role("button")).to_have_count(0)  # marked: the badge only
    assert page_findings(page) == []
    screenshot("admin-day-no-show")
    assert Appointment.objects.get(pk=ann.pk).status == Appointment.Status.NO_SHOW


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_calendar_pages_pass_axe_in_both_themes(live_server, page, screenshot, julie, scheme):  # noqa: F811
    from playwright.sync_api import expect

    ann = book_ann()
    day = timezone.localtime(ann.start).date()
    page.emulate_media(color_scheme=scheme)
    log_in(page, live_server)
    findings = {}
    for name, path in [
        ("day", f"calendar/day/?day={day:%Y-%m-%d}&cancelled=1"),
        ("week", f"calendar/week/?day={day:%Y-%m-%d}"),
        ("month", "calendar/month/"),
        ("move", f"calendar/move/{ann.pk}/"),
    ]:
        page.goto(f"{live_server.url}/admin/appointments/appointment/{path}")
        expect(page.locator("#content")).to_be_visible()
        findings[name] = page_findings(page)
        # Only the week's grid scrolls sideways, inside its box; the page itself never does.
        if page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]:
            findings[name].append("the page scrolls sideways")
        screenshot(f"admin-calendar-{name}-{scheme}")
    assert findings == {name: [] for name in findings}
