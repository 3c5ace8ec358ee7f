"""Home and service pages in a real browser, on a phone and a desktop screen."""

import pytest
from django.urls import reverse

pytestmark = [
    pytest.mark.browser,
    # live_server makes the test transactional, and an earlier transactional test
    # may have flushed the migrations' seed: "seeded" puts it back.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

PAGES = {
    "home": ("/", "Gentle craniosacral therapy for migraines"),
    "service": ("/services/craniosacral-therapy/", "Craniosacral"),
}


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_public_page_shows_heading_and_booking_link(live_server, page, viewport, screenshot, page_name):
    path, heading_text = PAGES[page_name]
    outside_requests, script_errors = [], []

    def on_request(request):
        if not request.url.startswith((live_server.url, "data:")):
            outside_requests.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))

    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, response and response.status
    page.wait_for_load_state("load")
    screenshot(page_name)

    heading = page.get_by_role("heading", level=1)
    assert heading.count() == 1, "a page has exactly one main heading"
    assert heading.is_visible()
    assert heading_text.lower() in heading.inner_text().lower()

    book_links = page.get_by_role("link", name="Book a session", exact=True)
    visible = [link for link in book_links.all() if link.is_visible()]
    assert visible, f"no visible 'Book a session' link on {path}"
    booking_url = reverse("appointments:days")
    assert all(link.get_attribute("href") == booking_url for link in visible)
    # A clear call to action: one is on the first screen, without scrolling.
    first_screen = viewport[1]["height"]
    assert any(link.bounding_box()["y"] < first_screen for link in visible), "'Book a session' is below the fold"

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert not outside_requests, f"assets from outside the site (no CDN allowed): {outside_requests}"
    assert not script_errors, script_errors


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)  # the head is the same on any screen
def test_home_page_data_and_icons_load_under_the_content_security_policy(live_server, page):
    console = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(live_server.url + "/")
    page.wait_for_load_state("load")

    # The JSON-LD block is data: the policy (no inline script) lets the page carry it, and reports nothing.
    assert page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)['@type']"
    ) == ("HealthAndBeautyBusiness")
    assert not [text for text in console if "Content Security Policy" in text], console
    links = page.eval_on_selector_all(
        "link[rel~=icon], link[rel=apple-touch-icon], link[rel=manifest]", "links => links.map(link => link.href)"
    )
    manifest = page.request.get(live_server.url + "/site.webmanifest").json()
    for url in links + [live_server.url + icon["src"] for icon in manifest["icons"]]:
        assert page.request.get(url).status == 200, url
