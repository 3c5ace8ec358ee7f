"""Manage links: private (never cached) and working until a set time after the session."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from appointments.booking import cancel_appointment

from .conftest import business_time
from .test_views import text_of

pytestmark = pytest.mark.django_db

WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


def link_pages(appointment):
    token = appointment.manage_token
    return {
        name: reverse(f"appointments:{name}", kwargs={"token": token})
        for name in ["confirmed", "manage", "ics", "cancel", "reschedule"]
    }


# --- the rule ------------------------------------------------------------------------------


def test_a_manage_link_works_until_exactly_the_set_days_after_the_session_ends(booked, settings):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 30
    limit = booked.end + timedelta(days=30)
    assert booked.manage_link_expires_at == limit
    assert not booked.manage_link_expired(now=booked.start)
    assert not booked.manage_link_expired(now=limit - timedelta(microseconds=1))
    assert booked.manage_link_expired(now=limit)


def test_the_limit_follows_the_setting(booked, settings):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 2
    assert not booked.manage_link_expired(now=booked.end + timedelta(days=2) - timedelta(seconds=1))
    assert booked.manage_link_expired(now=booked.end + timedelta(days=2))


def test_a_cancelled_sessions_link_expires_the_same_way(booked, settings, now):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 30
    cancel_appointment(appointment=booked, reason="", now=now)
    assert not booked.manage_link_expired(now=booked.end + timedelta(days=30) - timedelta(seconds=1))
    assert booked.manage_link_expired(now=booked.end + timedelta(days=30))


# --- the pages -----------------------------------------------------------------------------


def test_every_page_of_an_expired_link_is_a_kind_page_offering_to_book_again(client, booked, settings):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 30
    with time_machine.travel(booked.end + timedelta(days=30), tick=False):
        for name, url in link_pages(booked).items():
            response = client.get(url)
            assert response.status_code == 410, name
            page = text_of(response)
            assert "This booking link has expired" in page, name
            assert "Ada" not in page and "Wednesday, December 2" not in page, "no detail of the booking is shown"
            assert reverse("appointments:days") in response.content.decode()
            assert "no-store" in response["Cache-Control"], name
        assert client.post(link_pages(booked)["cancel"], {"reason": ""}).status_code == 410
    booked.refresh_from_db()
    assert booked.status == booked.Status.BOOKED


def test_the_day_before_it_expires_the_link_still_shows_the_booking(client, booked, settings):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 30
    with time_machine.travel(booked.end + timedelta(days=29), tick=False):
        response = client.get(booked.get_manage_url())
    assert response.status_code == 200
    assert "Wednesday, December 2, 2026" in text_of(response)


def test_an_expired_link_is_told_apart_from_a_tampered_one(client, booked, settings):
    settings.MANAGE_LINK_DAYS_AFTER_SESSION = 30
    with time_machine.travel(booked.end + timedelta(days=31), tick=False):
        tampered = client.get(reverse("appointments:manage", kwargs={"token": booked.manage_token + "x"}))
    assert tampered.status_code == 404
    assert "couldn't find that booking" in text_of(tampered)
    assert "expired" not in text_of(tampered)


def test_personal_pages_are_never_stored_by_a_cache(client, booked, now):
    with time_machine.travel(now, tick=False):
        responses = {name: client.get(url) for name, url in link_pages(booked).items()}
        responses["bad-link"] = client.get(reverse("appointments:manage", kwargs={"token": "not-a-real-link"}))
        responses["details"] = client.post(reverse("appointments:details"), {"name": "Ada"})
    for name, response in responses.items():
        assert "no-store" in response.get("Cache-Control", ""), name
        assert "private" in response["Cache-Control"], name
