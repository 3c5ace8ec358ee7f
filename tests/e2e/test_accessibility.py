"""axe-core and the Nu Html Checker on every public page, reached the way a client reaches it.

The walk books a session, gets a form error, reschedules and cancels, so the
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


def visit_public_pages(page, base_url):
    """Walk every public page as a client would; yield (name, response) with the browser on that page."""
    yield "home", page.goto(base_url + "/")
    yield "service", _follow(page, page.get_by_role("link", name="About the therapy").first)
    yield "policies", page.goto(base_url + "/policies/")
    yield "days", _follow(page, page.get_by_role("link", name="Book a session").first)
    # A day a week or more away, so the booking can still be changed online.
    yield "times", _follow(page, page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(6))
    yield "details", _follow(page, page.get_by_role("link", name=re.compile(r"^\d{1,2}:\d\d [AP]M")).first)

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("I have read and accept the cancellation policy").check()
    yield "details-with-errors", _follow(page, page.get_by_role("button", name="Confirm booking"))

    page.get_by_label("Phone").fill("860 555 0199")
    yield "confirmed", _follow(page, page.get_by_role("button", name="Confirm booking"))
    confirmed_url = page.url

    yield "intake", _follow(page, page.get_by_role("link", name="Fill in my health intake"))
    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_label("On how many days did you have a headache?").fill("40")
    yield "intake-with-errors", _follow(page, page.get_by_role("button", name="Send to Julie"))
    page.get_by_label("On how many days did you have a headache?").fill("4")
    yield "intake-saved", _follow(page, page.get_by_role("button", name="Save and finish later"))
    yield "intake-bad-link", page.goto(base_url + "/intake/not-a-real-link/")

    page.goto(confirmed_url)
    yield "manage", _follow(page, page.locator("a.manage-url"))

    yield "reschedule-days", _follow(page, page.get_by_role("link", name="Reschedule"))
    yield "reschedule-times", _follow(page, page.get_by_role("link", name=re.compile(r"\d+ free times?")).nth(3))
    page.get_by_role("radio").first.check()
    yield "manage-after-move", _follow(page, page.get_by_role("button", name="Move my session"))

    yield "cancel", _follow(page, page.get_by_role("link", name="Cancel this session"))
    yield "manage-after-cancel", _follow(page, page.get_by_role("button", name="Yes, cancel my session"))

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
    "not-found": 404,
    "server-error": 500,
    "intake-with-errors": 400,
    "intake-bad-link": 404,
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


def test_axe_finds_nothing_serious_on_any_public_page(live_server, page, viewport):
    _require(AXE_JS, "axe-core")
    findings = {}
    for name, response in visit_public_pages(page, live_server.url):
        assert response.status == EXPECTED_STATUS.get(name, 200), (name, response.status, page.url)
        if serious := _serious_axe_findings(page):
            findings[name] = serious
    assert not findings, f"axe-core, {viewport[0]} screen:\n" + json.dumps(findings, indent=2)


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
