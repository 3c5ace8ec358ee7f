"""A client books a six-week course on a phone: one date is taken, so they choose another time that week."""

import re

import pytest

from appointments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def _taken_three_weeks_later(start):
    """Someone else has the course's fourth date."""
    from django.utils import timezone

    from appointments.booking import ClientDetails, book_appointment, series_starts
    from appointments.forms import parse_slot_start
    from services.models import Service

    fourth = series_starts(parse_slot_start(start), every_weeks=1, count=4)[3]
    book_appointment(
        start=fourth,
        client_details=ClientDetails(name="Busy Client", email="busy@example.com", phone="+18605550188"),
        service=Service.objects.get(slug="craniosacral-therapy"),
        now=timezone.now(),
    )
    return fourth


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_client_books_a_six_week_course_replacing_a_taken_date(live_server, page, screenshot):
    from playwright.sync_api import expect

    from appointments.forms import slot_value

    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(2).click()
    page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first.click()
    taken = _taken_three_weeks_later(page.locator("input[name=start]").input_value())

    page.get_by_label("Every week").check()
    page.get_by_label("Number of sessions").select_option("6")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("860 555 0123")
    page.get_by_role("button", name="Check dates").click()

    dates = page.locator("ol.course-dates > li")
    expect(dates).to_have_count(6)
    expect(dates.nth(3)).to_contain_text("is not free")
    expect(page.get_by_label("Your name")).to_have_value("Grace Hopper")
    screenshot("course-1-check")
    choice = dates.nth(3).get_by_role("radio").first
    instead = choice.get_attribute("value")
    choice.check()
    page.get_by_label("I have read and accept the cancellation policy").check()
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_role("heading", name="Your course")).to_be_visible()
    screenshot("course-2-confirmed")
    sessions = list(Appointment.objects.filter(client__email="grace@example.com").order_by("start"))
    assert len(sessions) == 6 and len({session.series for session in sessions}) == 1
    assert taken not in [session.start for session in sessions]
    assert slot_value(sessions[3].start) == instead
