"""The add-to-calendar links of a booking: Google, Apple (.ics) and Outlook.com, built in one place."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from appointments.calendar import calendar_links

from .conftest import business_time

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def session(book):
    # 10:00 in Connecticut on December 2 is 15:00 UTC (EST, UTC-5).
    appointment = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    appointment.client_note = "Aura before every migraine"
    return appointment


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_three_calendars_are_offered(session):
    links = calendar_links(session, location="12 Elm Street, Hartford")
    assert [link.label for link in links] == ["Google Calendar", "Apple Calendar", "Outlook.com"]
    assert [link.elsewhere for link in links] == [True, False, True]


def test_google_gets_the_time_in_utc_and_the_details(session, settings):
    google = calendar_links(session, location="12 Elm Street, Hartford")[0].url
    assert google.startswith("https://calendar.google.com/calendar/render?")
    query = query_of(google)
    assert query["action"] == "TEMPLATE"
    assert query["text"] == f"{session.service.name} with Julie"
    assert query["dates"] == "20261202T150000Z/20261202T160000Z"
    assert query["location"] == "12 Elm Street, Hartford"
    assert f"{settings.SITE_URL}{session.get_manage_url()}" in query["details"]


def test_apple_gets_the_ics_download(session):
    assert calendar_links(session, location="")[1].url == reverse(
        "appointments:ics", kwargs={"token": session.manage_token}
    )


def test_outlook_gets_a_compose_link_with_subject_and_utc_times(session):
    outlook = calendar_links(session, location="12 Elm Street, Hartford")[2].url
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    query = query_of(outlook)
    assert query["rru"] == "addevent"
    assert query["subject"] == f"{session.service.name} with Julie"
    assert query["startdt"] == "2026-12-02T15:00:00Z"
    assert query["enddt"] == "2026-12-02T16:00:00Z"
    assert query["location"] == "12 Elm Street, Hartford"


def test_no_link_carries_the_clients_name_email_phone_or_note(session):
    for link in calendar_links(session, location=""):
        text = str(query_of(link.url))
        for private in ["Someone", "ada@example.com", "555", "Aura", "migraine"]:
            assert private not in text, (link.label, private)


@pytest.mark.parametrize("page", ["confirmed", "manage"])
def test_the_confirmation_and_manage_pages_offer_all_three(client, session, page):
    html = client.get(reverse(f"appointments:{page}", kwargs={"token": session.manage_token})).content.decode()
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html
    assert f'href="{reverse("appointments:ics", kwargs={"token": session.manage_token})}"' in html


def test_the_confirmation_gives_a_button_and_the_link_to_copy(client, session):
    html = client.get(reverse("appointments:confirmed", kwargs={"token": session.manage_token})).content.decode()
    manage_url = f"http://testserver{session.get_manage_url()}"
    assert f'<a href="{manage_url}" class="btn btn-primary manage-url">Change or cancel your session</a>' in html
    assert '<label for="manage-link" class="form-label">Your booking link' in html
    assert f'<input id="manage-link" class="form-control" type="text" value="{manage_url}" readonly>' in html
    # The copy button only shows where copy.js runs; without JavaScript the box is copied by hand.
    assert 'data-copy="manage-link"' in html
    assert re.search(r'<button type="button"[^>]*data-copy="manage-link"[^>]*hidden>Copy link</button>', html)
    assert "/static/js/copy.js" in html
