"""A client's own page without a password: links by email or from a booking, and what the page shows."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail, signing
from django.urls import reverse

from appointments import booking, privacy
from appointments.booking import ClientDetails
from appointments.models import Client
from checkins.models import Enrolment
from clients import links
from clients.models import SignInLink
from clients.outbox import send_due_sign_in_emails
from intake import intakes
from waitlist import offers
from waitlist.models import Part

from .conftest import business_time

pytestmark = pytest.mark.django_db

REQUEST = reverse("clients:request")
ADA = "ada@example.com"


def ask(client, email=ADA, **extra):
    return client.post(REQUEST, {"email": email, "website": "", **extra})


def emailed_link(now):
    """Send what is owed and return the path of the one link in the last email."""
    send_due_sign_in_emails(now=now)
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/your-sessions/link/\S+/)", body).group(1)


def open_page(client, link):
    """Press the emailed link's button: the client's page (followed)."""
    return client.post(link, follow=True)


@pytest.fixture
def ada(first_booking):
    return first_booking.client


# --- asking for a link --------------------------------------------------------------


def test_known_and_unknown_addresses_get_the_same_page_and_only_the_known_an_email(client, ada, clock_at_now, now):
    known = ask(client, " Ada@Example.COM ")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("clients:sent")
    assert SignInLink.objects.get().client == ada
    assert send_due_sign_in_emails(now=now) == 1
    assert [m.to for m in mail.outbox] == [[ADA]]
    page = client.get(known["Location"]).content.decode()
    assert "If that address is the one you booked with" in page


def test_asking_sends_nothing_on_get_and_at_most_one_email_per_request(client, ada, clock_at_now, now):
    client.get(REQUEST)
    assert not SignInLink.objects.exists()
    ask(client)
    assert SignInLink.objects.count() == 1
    send_due_sign_in_emails(now=now)
    send_due_sign_in_emails(now=now)  # run twice: still one email
    assert len(mail.outbox) == 1


def test_an_address_gets_a_few_links_at_most_while_they_last(client, ada, clock_at_now, now):
    for _ in range(links.LINKS_PER_ADDRESS + 2):
        assert ask(client)["Location"] == reverse("clients:sent")
    assert SignInLink.objects.count() == links.LINKS_PER_ADDRESS
    links.request_link(email=ADA, now=now + links.LINK_LIFETIME + timedelta(seconds=1))
    assert SignInLink.objects.count() == links.LINKS_PER_ADDRESS + 1


def test_a_bad_address_is_told_kindly_and_kept(client, clock_at_now):
    response = client.post(REQUEST, {"email": "not an address", "website": ""})
    assert response.status_code == 200
    assert "valid email" in unescape(response.content.decode())
    assert 'value="not an address"' in response.content.decode()


def test_asking_is_rate_limited_like_booking(client, ada, clock_at_now, settings):
    settings.FORM_RATE_LIMIT = "2/h"
    assert ask(client).status_code == 302
    assert ask(client, "nobody@example.com").status_code == 302
    response = ask(client, "third@example.com")
    assert response.status_code == 429
    assert 'value="third@example.com"' in response.content.decode()
    assert SignInLink.objects.count() == 1


def test_the_honeypot_sends_nothing(client, ada, clock_at_now):
    assert ask(client, website="spam").status_code == 200
    assert not SignInLink.objects.exists()


# --- the emailed link -------------------------------------------------------------------


def test_the_link_shows_a_button_on_get_and_works_once(client, ada, clock_at_now, now):
    ask(client)
    link = emailed_link(now)
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200  # a mail scanner opening it uses nothing up
    page = open_page(client, link)
    assert page.status_code == 200
    assert "Your sessions" in page.content.decode() and "Wednesday, December 2, 2026" in page.content.decode()
    again = client.post(link)
    assert again.status_code == 410
    assert "has been used or has expired" in again.content.decode()


def test_the_link_expires(client, ada, clock_at_now, now, time_machine):
    ask(client)
    link = emailed_link(now)
    time_machine.move_to(now + links.LINK_LIFETIME, tick=False)
    assert client.get(link).status_code == 410
    assert client.post(link).status_code == 410


def test_an_expired_link_is_not_emailed(client, ada, clock_at_now, now):
    ask(client)
    assert send_due_sign_in_emails(now=now + links.LINK_LIFETIME) == 1
    assert not mail.outbox
    assert SignInLink.objects.get().status == SignInLink.Status.SKIPPED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        lambda token: token.replace(token.split(":")[0], "eyJjIjoxfQ"),
        lambda token: signing.Signer(salt="clients.page").sign_object(
            signing.Signer(salt=links.LINK_SALT).unsign_object(token)
        ),
        lambda token: "not-a-real-link",
    ],
)
def test_a_tampered_link_gets_the_kind_page(client, ada, clock_at_now, now, tamper):
    links.request_link(email=ADA, now=now)
    token = SignInLink.objects.get().token
    url = reverse("clients:sign_in", kwargs={"token": tamper(token)})
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert SignInLink.objects.get().used_at is None


def test_a_link_cannot_be_moved_to_another_client(client, ada, caller, clock_at_now, now):
    links.request_link(email=ADA, now=now)
    key = SignInLink.objects.get().key.hex
    forged = signing.Signer(salt=links.LINK_SALT).sign_object({"c": caller.pk, "k": key})
    assert client.post(reverse("clients:sign_in", kwargs={"token": forged})).status_code == 404


def test_an_erased_client_is_refused_everywhere(client, ada, first_booking, clock_at_now, now):
    ask(client)
    link = emailed_link(now)
    page_url = reverse("clients:page", kwargs={"token": links.page_token(ada, now=now)})
    ask(client)  # owed, not sent yet
    privacy.erase_client(client=ada, now=now)
    assert not SignInLink.objects.exists()
    assert client.post(link).status_code == 404
    assert client.get(page_url).status_code == 404
    from_booking = reverse("clients:from_booking", kwargs={"token": first_booking.manage_token})
    assert client.get(from_booking).status_code == 404
    erased = Client.objects.get(pk=ada.pk)
    links.request_link(email=erased.email, now=now)
    assert not SignInLink.objects.exists()


# --- from a manage link, and the page itself --------------------------------------------


def test_the_manage_page_leads_to_all_sessions(client, first_booking, clock_at_now):
    manage = client.get(first_booking.get_manage_url()).content.decode()
    url = reverse("clients:from_booking", kwargs={"token": first_booking.manage_token})
    assert f'href="{url}"' in manage
    page = client.get(url, follow=True)
    assert page.status_code == 200
    assert "Wednesday, December 2, 2026" in page.content.decode()


def test_an_expired_manage_link_leads_nowhere(client, first_booking, clock_at_now, now, settings, time_machine):
    time_machine.move_to(first_booking.manage_link_expires_at, tick=False)
    url = reverse("clients:from_booking", kwargs={"token": first_booking.manage_token})
    assert client.get(url).status_code == 404


def test_the_page_link_expires_and_is_never_cached_nor_indexed(client, ada, clock_at_now, now, time_machine):
    url = reverse("clients:page", kwargs={"token": links.page_token(ada, now=now)})
    response = client.get(url)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    time_machine.move_to(now + links.PAGE_LIFETIME, tick=False)
    assert client.get(url).status_code == 404


def page_of(client, someone, now):
    return client.get(reverse("clients:page", kwargs={"token": links.page_token(someone, now=now)})).content.decode()


def test_the_page_lists_upcoming_and_past_sessions_with_manage_links_while_they_work(
    client, ada, first_booking, service, clock_at_now, now
):
    def by_julie(start):  # as Julie books by phone: any time, past ones too
        return booking.book_series(starts=[start], service=service, now=now, client=ada)[0]

    past = by_julie(business_time(2026, 11, 10, 10))
    old = by_julie(business_time(2026, 9, 1, 10))
    soon = by_julie(business_time(2026, 12, 1, 15))
    page = page_of(client, ada, now)
    upcoming, past_part = page.split('id="past-heading"')
    assert "Wednesday, December 2, 2026" in upcoming and "Tuesday, November 10, 2026" in past_part
    assert "Tuesday, December 1, 2026" in upcoming
    assert first_booking.get_manage_url() in upcoming and "Change or cancel" in upcoming
    assert soon.get_manage_url() in upcoming  # inside the cut-off: a link to see it, not to change it
    assert upcoming.count("Change or cancel") == 1
    assert past.get_manage_url() in past_part
    assert old.get_manage_url() not in page  # its link has expired
    assert "Tuesday, September 1, 2026" in past_part


def test_a_course_is_grouped(client, ada, service, clock_at_now, now):
    starts = booking.series_starts(business_time(2026, 12, 9, 10), every_weeks=1, count=3)
    booking.book_series(starts=starts, service=service, now=now, client=ada)
    page = page_of(client, ada, now)
    course = page.split('id="course-heading-1"')[1].split("</section>")[0]
    assert "3 sessions, 3 still to come" in course
    for day in ("December 9", "December 16", "December 23"):
        assert day in course
    assert "December 9" not in page.split('id="upcoming-heading"')[1].split("</section>")[0]


def test_waitlist_intake_and_checkins(client, ada, clock_at_now, now):
    details = ClientDetails(name="Ada Lovelace", email=ADA, phone="(860) 555-0100")
    entry = offers.join(day=business_time(2026, 12, 10).date(), part=Part.MORNING, client_details=details, now=now)
    page = page_of(client, ada, now)
    assert "Thursday, December 10, 2026" in page and entry.entry.leave_url() in page
    intake = intakes.intake_of(ada)
    assert "Fill in your intake" in page and intake.get_absolute_url() in page
    assert "check-ins" not in page
    intake.submitted_at = now
    intake.save()
    enrolment = Enrolment.objects.create(client=ada)
    page = page_of(client, ada, now)
    assert "Sent on December 1, 2026" in page and "Update your intake" in page
    assert enrolment.get_absolute_url() in page
    intakes.reopen(intake=intake)
    assert "Review your intake" in page_of(client, ada, now)


def test_the_page_shows_only_that_clients_data(client, ada, caller, book, service, clock_at_now, now):
    other = book(business_time(2026, 12, 3, 10), email="someone@example.com")
    details = ClientDetails(name="Someone", email="someone@example.com", phone="(860) 555-0199")
    offers.join(day=business_time(2026, 12, 11).date(), part=Part.ANY, client_details=details, now=now)
    Enrolment.objects.create(client=other.client)
    page = page_of(client, ada, now)
    assert other.get_manage_url() not in page
    assert "December 3" not in page and "December 11" not in page
    assert intakes.intake_of(other.client).get_absolute_url() not in page
    assert "check-ins" not in page
