"""The public site's content security policy allows no inline style; only admin keeps it."""

from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from appointments.forms import slot_value
from tests.appointments.conftest import business_time
from tests.appointments.test_views import booking_data

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def directive(response, name):
    policy = response["Content-Security-Policy"]
    return next(part.split() for part in policy.split(";") if part.split()[:1] == [name])


class InlineStyleFinder(HTMLParser):
    """Collects every <style> element and style="" attribute of a document."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self.found.append("<style>")
        self.found += [f'<{tag} style="{value}">' for name, value in attrs if name == "style"]


def inline_styles(html):
    finder = InlineStyleFinder()
    finder.feed(html)
    return finder.found


def public_pages(client):
    """Every public page as the server sends it, reached the way a client reaches it."""
    yield "home", client.get("/")
    yield "service", client.get(reverse("services:detail", kwargs={"slug": "craniosacral-therapy"}))
    yield "policies", client.get(reverse("services:policies"))
    yield "days", client.get(reverse("appointments:days"))
    yield "times", client.get(reverse("appointments:day", kwargs={"day": "2026-12-02"}))
    yield "details", client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)})
    yield "details-with-errors", client.post(reverse("appointments:details"), booking_data(phone="12"))
    confirmed = client.post(reverse("appointments:details"), booking_data(), follow=True)
    yield "confirmed", confirmed
    token = confirmed.resolver_match.kwargs["token"]
    yield "manage", client.get(reverse("appointments:manage", kwargs={"token": token}))
    yield "reschedule", client.get(reverse("appointments:reschedule", kwargs={"token": token}), {"day": "2026-12-03"})
    yield "cancel", client.get(reverse("appointments:cancel", kwargs={"token": token}))
    yield "bad-link", client.get(reverse("appointments:manage", kwargs={"token": "not-a-real-link"}))
    yield "not-found", client.get("/no-such-page/")


def test_public_pages_allow_styles_from_the_site_only(client):
    for name, response in public_pages(client):
        assert directive(response, "style-src") == ["style-src", "'self'"], name


def test_admin_alone_allows_inline_style(client):
    response = client.get(reverse("admin:login"))
    assert settings.ADMIN_URL in response.request["PATH_INFO"]
    assert directive(response, "style-src") == ["style-src", "'self'", "'unsafe-inline'"]
    assert directive(response, "script-src") == ["script-src", "'self'"]


def test_no_public_page_carries_an_inline_style(client):
    found = {name: inline_styles(response.content.decode()) for name, response in public_pages(client)}
    found["server-error"] = inline_styles(render_to_string("500.html"))
    assert not {name: styles for name, styles in found.items() if styles}


def test_the_style_finder_sees_attributes_and_elements():
    assert inline_styles('<p style="color: red">x</p><style>p{}</style>') == ['<p style="color: red">', "<style>"]
