"""Chromium walks the public pages under the production content security policy and reports no violation."""

import pytest

from .test_accessibility import EXPECTED_STATUS, visit_public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

# Added to every document before its own scripts run (through DevTools, so the CSP does not block it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.blockedURI || "inline";
  window.__cspViolations.push(`${event.violatedDirective} blocked ${where} at line ${event.lineNumber}`);
});
"""


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)  # the same documents on any screen
def test_public_pages_break_no_rule_of_the_content_security_policy(live_server, page):
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations, policies = {}, {}
    for name, response in visit_public_pages(page, live_server.url):
        assert response.status == EXPECTED_STATUS.get(name, 200), (name, response.status, page.url)
        # The headers as sent: Playwright's response.headers may leave security headers out (its
        # docs say so), and on CI it once did.
        policies[name] = response.header_value("content-security-policy") or ""
        page.wait_for_load_state("load")
        if found := page.evaluate("window.__cspViolations"):
            violations[name] = found
    # The server-error page is a template handed to the browser, with no header; every other one has it.
    del policies["server-error"]
    assert not [name for name, policy in policies.items() if "style-src 'self';" not in policy]
    assert not [name for name, policy in policies.items() if "unsafe-inline" in policy]
    assert not violations
    assert not [text for text in console if "Content Security Policy" in text]
