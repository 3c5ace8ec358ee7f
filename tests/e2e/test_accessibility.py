"""axe-core and the Nu Html Checker on every public page, reached the way a client reaches it.

Every page is checked in the light and the dark display, whether the device's setting or
the client's own choice (the theme cookie, set against the device's) picked it.

The walk books a session, gets a form error, loses its time to another client,
chooses another (the confirmation with its link to copy), reschedules and cancels, so the
checked pages are the ones the server really sends at each step (including the
error, confirmation and manage pages), not templates rendered on their own.
Both tools come from npm (package.json); the Nu Html Checker runs on the
machine's Java.
"""

import json
import re
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string

from tests.conftest import BASE_DIR, service_missing
from tests.e2e.test_checkin_journey import a_client_checking_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING_IMPACTS = {"serious", "critical"}
# Not a page of the site's: the browser is handed the 500 template, which a live server cannot be made to send.
SERVER_ERROR_URL = "/__server-error__/"


def _require(path, what):
    if not path.exists():
        service_missing(f"needs {what} at {path.relative_to(BASE_DIR)}: run `npm ci` (make test does)")
    return path


def _follow(page, locator):
    """Click a link or button and return the response of the page it leads to (after redirects)."""
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def _someone_else_books(start):
    """Another client takes this time (the form's value) while the page is open."""
    from django.utils import timezone

    from appointments.booking import ClientDetails, book_appointment
    from appointments.forms import parse_slot_start
    from services.models import Service

    book_appointment(
        start=parse_slot_start(start),
        client_details=ClientDetails(name="Quicker Client", email="quicker@example.com", phone="+18605550188"),
        service=Service.objects.get(slug="craniosacral-therapy"),
        now=timezone.now(),
    )


def _a_week_later(start):
    """The form's value of the time a week after this one (same wall-clock time)."""
    from appointments.booking import series_starts
    from appointments.forms import parse_slot_start, slot_value

    return slot_value(series_starts(parse_slot_start(start), every_weeks=1, count=2)[1])


def _booked_next_week():
    """Ada's session a week ahead, booked as the website does."""
    from datetime import timedelta

    from django.utils import timezone

    from appointments.availability import horizon_slots
    from appointments.booking import ClientDetails, book_appointment
    from services.models import Service

    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    slot = next(
        slot for slot in horizon_slots(now=now, length=service.duration) if slot.start > now + timedelta(days=7)
    )
    return book_appointment(
        start=slot.start,
        client_details=ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="+18605550199"),
        service=service,
        now=now,
    )


def _open_round_the_clock():
    """Working hours round the clock, so that whenever the walk runs some offered times are
    inside the change cut-off (12 hours' notice, 24 hours' cut-off) and marked."""
    from datetime import time

    from appointments.models import WorkingHours

    WorkingHours.objects.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(weekday=day, start_time=time(0), end_time=time(23, 59)) for day in range(7)
    )


def _emailed_sign_in_link():
    """Send the sign-in email owed and return its link's path."""
    from urllib.parse import urlsplit

    from django.core import mail
    from django.utils import timezone

    from clients.outbox import send_due_sign_in_emails

    send_due_sign_in_emails(now=timezone.now())
    return urlsplit(re.search(r"http\S+/your-sessions/link/\S+/", mail.outbox[-1].body).group(0)).path


def visit_public_pages(page, base_url):
    """Walk every public page as a client would; yield (name, response) with the browser on that page."""
    _open_round_the_clock()
    yield "home", page.goto(base_url + "/")
    yield "service", _follow(page, page.get_by_role("link", name="About the therapy").first)
    yield "policies", page.goto(base_url + "/policies/")
    yield "theme", _follow(page, page.get_by_role("link", name="Light or dark display"))
    yield "days", _follow(page, page.get_by_role("link", name="Book a session").first)
    # The soonest times start less than 24 hours away (hours round the clock): marked as such.
    yield (
        "details-inside-cutoff",
        _follow(page, page.get_by_role("link", name=re.compile("can’t be changed online")).first),
    )
    yield "times-inside-cutoff", _follow(page, page.get_by_role("link", name="Change time"))
    page.goto(base_url + "/book/")
    # A day a week or more away, so the booking can still be changed online.
    yield "times", _follow(page, page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6))
    times_url = page.url
    yield "details", _follow(page, page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first)

    # A course: every date shown before booking; one taken a week later offers times instead.
    _someone_else_books(_a_week_later(page.locator("input[name=start]").input_value()))
    page.get_by_label("Every week").check()
    page.get_by_label("Number of sessions").select_option("6")
    yield "details-course-check", _follow(page, page.get_by_role("button", name="Check dates"))
    page.get_by_label("Just this session").check()

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("I have read and accept the cancellation policy").check()
    yield "details-with-errors", _follow(page, page.get_by_role("button", name="Confirm booking"))

    page.get_by_label("Phone").fill("860 555 0199")
    _someone_else_books(page.locator("input[name=start]").input_value())
    yield "details-time-lost", _follow(page, page.get_by_role("button", name="Confirm booking"))

    page.get_by_role("radio").first.check()
    yield "confirmed", _follow(page, page.get_by_role("button", name="Confirm booking"))
    confirmed_url = page.url

    yield "intake", _follow(page, page.get_by_role("link", name="Fill in my health intake"))
    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_label("On how many days did you have a headache?").fill("40")
    yield "intake-with-errors", _follow(page, page.get_by_role("button", name="Send to Julie"))
    page.get_by_label("On how many days did you have a headache?").fill("4")
    yield "intake-saved", _follow(page, page.get_by_role("button", name="Save and finish later"))
    yield "intake-bad-link", page.goto(base_url + "/intake/not-a-real-link/")

    checkin_url, stop_url, session_url = a_client_checking_in()
    yield "checkin", page.goto(base_url + checkin_url)
    page.get_by_role("group", name=re.compile("have a headache")).get_by_label("1", exact=True).check()
    page.get_by_role("group", name=re.compile("was it a migraine")).get_by_label("2", exact=True).check()
    yield "checkin-with-errors", _follow(page, page.get_by_role("button", name="Send my answers"))
    page.get_by_role("group", name=re.compile("was it a migraine")).get_by_label("1", exact=True).check()
    page.get_by_role("group", name=re.compile("medicine")).get_by_label("0", exact=True).check()
    page.get_by_role("group", name=re.compile("worst headache")).get_by_label("Mild").check()
    yield "checkin-saved", _follow(page, page.get_by_role("button", name="Send my answers"))
    yield "checkin-session", page.goto(base_url + session_url + "?after_effect=soreness")
    yield "checkin-session-sent", _follow(page, page.get_by_role("button", name="Send"))
    yield "checkin-stop", page.goto(base_url + stop_url)
    yield "checkin-stopped", _follow(page, page.get_by_role("button", name="Yes, stop asking me"))
    yield "checkin-bad-link", page.goto(base_url + "/checkins/not-a-real-link/")

    page.goto(confirmed_url)
    yield "manage", _follow(page, page.locator("a.manage-url"))

    yield "reschedule-days", _follow(page, page.get_by_role("link", name="Reschedule"))
    yield "reschedule-times", _follow(page, page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(3))
    page.get_by_role("radio").first.check()
    yield "manage-after-move", _follow(page, page.get_by_role("button", name="Move my session"))

    yield "cancel", _follow(page, page.get_by_role("link", name="Cancel this session"))
    yield "manage-after-cancel", _follow(page, page.get_by_role("button", name="Yes, cancel my session"))

    page.goto(times_url)
    yield "waitlist-join", _follow(page, page.get_by_role("link", name="Join the waitlist for this day"))
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("12")
    yield "waitlist-join-with-errors", _follow(page, page.get_by_role("button", name="Join the waitlist"))
    page.get_by_label("Phone").fill("860 555 0199")
    # The day has free times: a calm note pointing to them, not an entry.
    yield "waitlist-free-time-fits", _follow(page, page.get_by_role("button", name="Join the waitlist"))
    yield "waitlist-bad-link", page.goto(base_url + "/waitlist/offer/not-a-real-link/")

    # A migraine: cancelled under Julie's illness rule, then a new time in one tap.
    page.goto(base_url + _booked_next_week().get_manage_url())
    yield "unwell", _follow(page, page.get_by_role("link", name="I have a migraine today"))
    yield "manage-after-unwell", _follow(page, page.get_by_role("button", name="Yes, cancel: I’m unwell"))
    yield "rebooked", _follow(page, page.get_by_role("button", name=re.compile("^Book ")).first)

    # Ada's own page: from her booking, then by a one-time link asked for by email.
    _follow(page, page.locator("a.manage-url"))
    yield "client-page", _follow(page, page.get_by_role("link", name="All your sessions"))
    yield "client-request", _follow(page, page.get_by_role("link", name="ask for a new link"))
    page.get_by_label("Your email").fill("ada@example")  # the browser lets it through; the site explains
    yield "client-request-with-errors", _follow(page, page.get_by_role("button", name="Email me a link"))
    page.get_by_label("Your email").fill("ada@example.com")
    yield "client-request-sent", _follow(page, page.get_by_role("button", name="Email me a link"))
    sign_in_url = _emailed_sign_in_link()
    yield "client-sign-in", page.goto(base_url + sign_in_url)
    yield "client-page-by-email", _follow(page, page.get_by_role("button", name="Show my sessions"))
    yield "client-link-used", page.goto(base_url + sign_in_url)
    yield "client-bad-link", page.goto(base_url + "/your-sessions/not-a-real-link/")

    yield "bad-link", page.goto(base_url + "/book/manage/not-a-real-link/")
    yield "not-found", page.goto(base_url + "/no-such-page/")
    page.route(
        base_url + SERVER_ERROR_URL,
        lambda route: route.fulfill(
            status=500, content_type="text/html; charset=utf-8", body=render_to_string("500.html")
        ),
    )
    yield "server-error", page.goto(base_url + SERVER_ERROR_URL)


EXPECTED_STATUS = {
    "bad-link": 404,
    "waitlist-bad-link": 404,
    "not-found": 404,
    "server-error": 500,
    "intake-with-errors": 400,
    "intake-bad-link": 404,
    "checkin-with-errors": 400,
    "checkin-bad-link": 404,
    "client-link-used": 410,
    "client-bad-link": 404,
}


def _serious_axe_findings(page):
    # evaluate() runs through the DevTools protocol, so the site's strict CSP (no inline script) stays on.
    page.evaluate(AXE_JS.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(f"{' '.join(node['target'])} {node['failureSummary']}" for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


# (screen, the device's setting, the client's choice on the site if any)
DISPLAYS = [
    ("phone", "light", None),
    ("desktop", "light", None),
    ("phone", "dark", None),
    ("desktop", "light", "dark"),
    ("phone", "dark", "light"),
]


@pytest.mark.parametrize(("viewport", "color_scheme", "chosen"), DISPLAYS, indirect=["viewport"])
def test_axe_finds_nothing_serious_on_any_public_page(live_server, page, viewport, color_scheme, chosen):
    _require(AXE_JS, "axe-core")
    if chosen:
        page.context.add_cookies([{"name": "theme", "value": chosen, "url": live_server.url}])
    findings = {}
    for name, response in visit_public_pages(page, live_server.url):
        assert response.status == EXPECTED_STATUS.get(name, 200), (name, response.status, page.url)
        if serious := _serious_axe_findings(page):
            findings[name] = serious
    display = f"{viewport[0]} screen, device {color_scheme}, chosen {chosen or 'nothing'}"
    assert not findings, f"axe-core, {display}:\n" + json.dumps(findings, indent=2)


def _vnu_errors(documents, tmp_path):
    """Run the Nu Html Checker once over every document; return its errors as 'name:line: message'."""
    if shutil.which("java") is None:
        service_missing("needs Java for the Nu Html Checker (Debian package default-jre-headless)")
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    checked = subprocess.run(
        ["java", "-jar", str(_require(VNU_JAR, "vnu-jar")), "--format", "json", "--exit-zero-always", *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine', '?')}: {message['message']}"
        for message in messages
        if message["type"] in {"error", "non-document-error"}
    ]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)  # the HTML sent is the same on any screen
def test_nu_html_checker_finds_no_error_on_any_public_page(live_server, page, tmp_path):
    documents = {}
    for name, response in visit_public_pages(page, live_server.url):
        assert response.status == EXPECTED_STATUS.get(name, 200), (name, response.status, page.url)
        documents[name] = response.text()  # the HTML the server sent, before any script ran
    assert "Ada Lovelace" in documents["details-with-errors"], "the form kept what was typed"

    errors = _vnu_errors(documents, tmp_path)
    assert not errors, "Nu Html Checker:\n" + "\n".join(errors)
