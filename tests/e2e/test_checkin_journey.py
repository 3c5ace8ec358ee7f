"""A client answers this week's check-in on a phone, and Julie sees the new point on the client's chart."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def a_client_checking_in(email="ada@example.com"):
    """A client (made if needed) who said yes at intake, with a session held two days ago, five
    answered weeks and this week's check-in open. Returns their links: (page, stop, session questions)."""
    from appointments.models import Appointment, Client
    from checkins import answers, weeks
    from checkins.models import WeeklyCheckin, local_morning
    from intake.models import Intake
    from services.models import Service

    now = timezone.now()
    client, _ = Client.objects.get_or_create(email=email, defaults={"name": "Ada Lovelace", "phone": "+18605550100"})
    Intake.objects.update_or_create(
        client=client, defaults={"submitted_at": now, "weekly_checkins": True, "migraine_days": 8, "headache_days": 10}
    )
    week = weeks.reported_week(now)
    if now < local_morning(week + timedelta(days=7)):  # Before 8 AM on a Monday: last week's is still open.
        week -= timedelta(days=7)
    for n, migraine in enumerate([2, 2, 1, 2, 1], start=1):
        earlier = week - timedelta(weeks=n)
        WeeklyCheckin.objects.get_or_create(
            client=client,
            week=earlier,
            defaults={
                "due_at": local_morning(earlier + timedelta(days=7)),
                "status": "sent",
                "answered_at": now,
                "headache_days": migraine + 1,
                "migraine_days": migraine,
                "medicine_days": 1,
                "worst_pain": "moderate",
            },
        )
    WeeklyCheckin.objects.get_or_create(
        client=client, week=week, defaults={"due_at": local_morning(week + timedelta(days=7)), "status": "sent"}
    )
    start = (now - timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    held = Appointment.objects.create(
        client=client,
        service=Service.objects.get(slug="craniosacral-therapy"),
        start=start,
        end=start + timedelta(hours=1),
        status=Appointment.Status.COMPLETED,
    )
    enrolment = weeks.enrolment_of(client)
    session_url = reverse("checkins:session", kwargs={"token": answers.session_token(held)})
    return enrolment.get_absolute_url(), enrolment.stop_url(), session_url


def test_a_client_answers_on_a_phone_and_julie_sees_the_point(live_server, browser, julie):  # noqa: F811
    from playwright.sync_api import expect

    page_url, _, _ = a_client_checking_in()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False)
    page = phone.new_page()
    page.goto(live_server.url + page_url)
    expect(page.get_by_role("heading", name="Your weekly check-in")).to_be_visible()
    page.get_by_role("group", name="On how many of the last 7 days did you have a headache?").get_by_label("6").check()
    page.get_by_role("group", name="Of those, on how many days was it a migraine?").get_by_label("5").check()
    page.get_by_role("group", name="On how many days did you take medicine for a headache?").get_by_label("3").check()
    page.get_by_role("group", name="How bad was the worst headache?").get_by_label("Severe").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you, your answers are saved.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "checkin-phone-390x844.png"), full_page=True)
    phone.close()

    from checkins.models import WeeklyCheckin

    latest = WeeklyCheckin.objects.order_by("-week").first()
    assert latest.migraine_days == 5

    desk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(desk, live_server)
    desk.goto(live_server.url + reverse("admin:appointments_client_change", args=[latest.client_id]))
    chart = desk.locator("svg.trend-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.migraine").count() == 6  # five earlier weeks and this one
    row = desk.locator("table.trend-table tr", has_text=f"{latest.week:%b} {latest.week.day}, {latest.week.year}")
    expect(row.locator("td").nth(1)).to_have_text("5")
    chart.scroll_into_view_if_needed()
    desk.screenshot(path=str(SCREENSHOTS / "checkin-julie-chart-1280x800.png"), full_page=True)
    desk.context.close()
