"""A client asks for a link to their sessions, opens it from the email, and sees them; then from a manage link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from appointments import availability, booking
from appointments.booking import ClientDetails
from clients.outbox import send_due_sign_in_emails
from services.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def ada_books_a_session_and_a_course():
    now = timezone.now()
    service = Service.objects.get(slug="craniosacral-therapy")
    slots = [
        s for s in availability.horizon_slots(now=now, length=service.duration) if s.start > now + timedelta(days=2)
    ]
    details = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="+18605550199")
    single = booking.book_appointment(start=slots[0].start, client_details=details, service=service, now=now)
    course_start = next(s.start for s in slots if s.start > now + timedelta(days=9))
    starts = booking.series_starts(course_start, every_weeks=1, count=3)
    booking.book_series(starts=starts, service=service, now=now, client=single.client)
    return single


def test_a_link_by_email_then_all_sessions(live_server, page, screenshot):
    from playwright.sync_api import expect

    single = ada_books_a_session_and_a_course()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Your sessions").click()
    expect(page.get_by_role("heading", name="Get a link to your sessions")).to_be_visible()
    page.get_by_label("Your email").fill("Ada@Example.com")
    screenshot("client-page-1-request")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot("client-page-2-sent")

    send_due_sign_in_emails(now=timezone.now())
    (email,) = mail.outbox
    link = re.search(r"http\S+/your-sessions/link/\S+/", email.body).group(0)
    page.goto(live_server.url + urlsplit(link).path)  # the email's link, on the test server
    screenshot("client-page-3-sign-in")
    page.get_by_role("button", name="Show my sessions").click()
    expect(page.get_by_role("heading", name="Your sessions", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Your course from"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Change or cancel")).first).to_be_visible()
    screenshot("client-page-4-sessions")

    page.goto(live_server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", name="This link has been used or has expired")).to_be_visible()

    page.goto(live_server.url + single.get_manage_url())
    page.get_by_role("link", name="All your sessions").click()
    expect(page.get_by_role("heading", name="Your sessions", exact=True)).to_be_visible()
