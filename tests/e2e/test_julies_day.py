"""Julie's working day in admin, as the Therapist group, tap by tap (issue 12's eight tasks).

See today, book a returning client and a new one, book a weekly series, move a session,
block an afternoon over a booked session, mark sessions completed and no-show, find a client
by phone number. The walk counts its taps and page loads (tests/e2e/counting.py);
bench/julies_day.py prints them, and bench/RESULTS.md keeps them.
"""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from appointments.availability import wall_clock_to_utc
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff
from services.models import Service
from tests.e2e.counting import Walk
from tests.e2e.test_admin_journey import PASSWORD, julie  # noqa: F401 (julie is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def next_working_day(today):
    """The first weekday after today: the seeded hours are 9 to 12 and 1 to 5, Monday to Friday."""
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def started_session(client, start, service):
    """A session that began in the past, as booked earlier (the booking rules refuse the past now)."""
    return Appointment.objects.create(
        client=client,
        service=service,
        start=start,
        end=start + service.duration,
    )


def test_julies_day(live_server, page, viewport, screenshot, julie):  # noqa: F811
    from playwright.sync_api import expect

    service = Service.objects.get(slug="craniosacral-therapy")
    now = timezone.now()
    today = timezone.localdate()
    midnight = wall_clock_to_utc(today, time(0))
    # Grace's session began within the last hour (today), Alan's a day earlier.
    grace = Client.objects.create(name="Grace Hopper", email="grace@example.com", phone="+18605550123")
    alan = Client.objects.create(name="Alan Turing", email="alan@example.com", phone="+18605550177")
    grace_today = started_session(
        grace, max(now - timedelta(hours=1), midnight).replace(second=0, microsecond=0), service
    )
    alan_yesterday = started_session(alan, grace_today.start - timedelta(days=1), service)
    ada = Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="+18605550149")
    Client.objects.create(name="Dana Scully", email="dana@example.com", phone="+12035550188")
    day = next_working_day(today)

    walk = Walk(page)
    walk.start("log in")
    page.goto(live_server.url + "/admin/login/")
    walk.fill(page.get_by_label("Username"), "julie")
    walk.fill(page.get_by_label("Password"), PASSWORD)
    walk.tap(page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("link", name="Today's calendar")).to_be_visible()

    walk.start("1. see today")
    walk.tap(page.get_by_role("link", name="Today's calendar"))
    expect(page.get_by_role("heading", name=f"{today:%A, %B %-d, %Y}")).to_be_visible()
    expect(page.locator(f"#appointment-{grace_today.pk}")).to_contain_text("Grace Hopper")
    screenshot("julies-day-1-today")

    walk.start("2. book a returning client, found by phone")
    walk.fill(page.get_by_label("Go to day"), f"{day:%Y-%m-%d}")
    walk.tap(page.get_by_role("button", name="Go", exact=True))
    expect(page.get_by_role("heading", name=f"{day:%A, %B %-d, %Y}")).to_be_visible()
    walk.tap(page.get_by_role("link", name="Book 9:00 AM"))
    walk.fill(page.get_by_label("Find a client"), "860-555-0149")
    walk.tap(page.get_by_role("button", name="Find", exact=True))
    expect(page.get_by_role("radio", name=re.compile("Ada Lovelace"))).to_be_checked()
    walk.tap(page.get_by_role("button", name="Book", exact=True))
    expect(page.locator(".messagelist .success")).to_contain_text("Booked Ada Lovelace on")
    ada_session = Appointment.objects.get(client=ada)
    expect(page.locator(f"#appointment-{ada_session.pk}")).to_have_class(re.compile("highlighted"))
    screenshot("julies-day-2-returning-client")

    walk.start("3. book a new client")
    walk.tap(page.get_by_role("link", name="Book 3:00 PM"))
    walk.fill(page.get_by_label("New client's name"), "Ben Franklin")
    walk.fill(page.get_by_label("New client's email"), "ben@example.com")
    walk.fill(page.get_by_label("New client's phone"), "860 555 0111")
    walk.tap(page.get_by_role("button", name="Book", exact=True))
    expect(page.locator(".messagelist .success")).to_contain_text("Booked Ben Franklin on")
    ben_session = Appointment.objects.get(client__email="ben@example.com")
    assert timezone.localtime(ben_session.start).time() == time(15)

    walk.start("4. book a weekly series")
    walk.tap(page.get_by_role("link", name="Book 10:30 AM"))
    walk.fill(page.get_by_label("Find a client"), "Dana")
    walk.tap(page.get_by_role("button", name="Find", exact=True))
    expect(page.get_by_role("radio", name=re.compile("Dana Scully"))).to_be_checked()
    walk.check(page.get_by_role("radio", name="Every week"))
    walk.fill(page.get_by_label("Sessions in all, when repeating"), "4")
    walk.tap(page.get_by_role("button", name="Check dates"))
    walk.tap(page.get_by_role("button", name="Book", exact=True))
    expect(page.locator(".messagelist .success")).to_contain_text("Booked 4 sessions for Dana Scully")
    series = list(Appointment.objects.filter(client__email="dana@example.com").order_by("start"))
    assert [timezone.localtime(s.start).date() for s in series] == [day + timedelta(weeks=n) for n in range(4)]
    assert len({s.series for s in series}) == 1
    screenshot("julies-day-4-series")

    walk.start("5. block an afternoon over a booked session")
    walk.tap(page.get_by_role("link", name="Book 1:00 PM"))
    walk.tap(page.get_by_role("link", name="Block off this time instead"))
    walk.fill(page.locator("input[name=end_1]"), "5 pm")
    walk.fill(page.get_by_label("Reason"), "Dentist")
    walk.tap(page.get_by_role("button", name="Save", exact=True))
    expect(page.locator(".sessions-in-time-off li")).to_contain_text("Ben Franklin")
    walk.check(page.get_by_label("Cancel them and email the clients"))
    walk.tap(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Cancelled 1 session and emailed the clients.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{day:%A, %B %-d, %Y}")).to_be_visible()
    ben_session.refresh_from_db()
    assert ben_session.status == Appointment.Status.CANCELLED
    assert ben_session.emails.filter(kind=OutgoingEmail.Kind.CANCELLATION).exists()
    block = TimeOff.objects.get()
    assert (timezone.localtime(block.start).time(), timezone.localtime(block.end).time()) == (time(13), time(17))
    screenshot("julies-day-5-afternoon-off")

    walk.start("6. move a session to another day")
    target = next_working_day(day)
    walk.tap(page.get_by_role("link", name="Move Ada Lovelace"))
    walk.fill(page.get_by_label("Another day"), f"{target:%Y-%m-%d}")
    walk.tap(page.get_by_role("button", name="Show its free times"))
    walk.tap(page.get_by_role("button", name="11:00 AM"))
    expect(page.locator(".messagelist .success")).to_contain_text("Moved Ada Lovelace to")
    ada_session.refresh_from_db()
    assert timezone.localtime(ada_session.start) == timezone.localtime(wall_clock_to_utc(target, time(11)))
    assert ada_session.emails.filter(kind=OutgoingEmail.Kind.RESCHEDULE).exists()
    screenshot("julies-day-6-moved")

    walk.start("7. mark completed and no-show")
    walk.tap(page.get_by_role("link", name="Today's calendar"))
    walk.tap(page.get_by_role("button", name="Completed Grace Hopper"))
    expect(page.locator(".messagelist .success")).to_contain_text("Grace Hopper")
    walk.tap(page.get_by_role("link", name="Previous day"))
    walk.tap(page.get_by_role("button", name="No-show Alan Turing"))
    expect(page.locator(".messagelist .success")).to_contain_text("Alan Turing")
    grace_today.refresh_from_db()
    alan_yesterday.refresh_from_db()
    assert (grace_today.status, alan_yesterday.status) == (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW)

    walk.start("8. find a client by phone number")
    walk.tap(page.locator("#user-tools").get_by_role("link", name="Clients"))
    walk.fill(page.locator("#searchbar"), "(860) 555-0149")
    walk.tap(page.get_by_role("button", name="Search"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Ada Lovelace")
    screenshot("julies-day-8-found-by-phone")

    walk.save(viewport[0])
