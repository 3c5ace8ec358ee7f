"""The public pages: home, the service page, policies, and the error pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from appointments.models import BookingRules, BusinessDetails
from services.models import Section, Service

CSMT_SLUG = "craniosacral-therapy"
PUBLIC_PAGES = ["services:home", "services:policies", "csmt"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def csmt():
    return Service.objects.get(slug=CSMT_SLUG)


def url_of(name):
    if name == "csmt":
        return reverse("services:detail", kwargs={"slug": CSMT_SLUG})
    return reverse(name)


def book_link():
    return f'href="{reverse("appointments:days")}"'


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders_with_a_book_a_session_link(client, name):
    response = client.get(url_of(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert book_link() in html
    assert "Book a session" in html


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_page_shares_the_layout_with_skip_link_main_and_footer(client, settings, name):
    html = client.get(url_of(name)).content.decode()

    assert '<html lang="en" data-theme="auto">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<meta name="description" content="' in html
    assert f'href="mailto:{BusinessDetails.load().email}"' in html
    assert f'href="{reverse("services:policies")}"' in html


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_pages_are_ready_for_a_strict_content_security_policy(client, name):
    html = client.get(url_of(name)).content.decode()

    assert " style=" not in html
    # A JSON-LD block is data: the browser runs nothing, so the policy has nothing to allow.
    inline = r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>'
    assert re.search(inline, html) is None, "inline <script>"
    assert re.search(r"\son[a-z]+=", html) is None, "inline event handler"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_pages_load_every_asset_from_the_site_itself(client, settings, name):
    html = client.get(url_of(name)).content.decode()

    absolute = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html)
    assert all(url.startswith(settings.SITE_URL + "/") for url in absolute), "an external asset or link"
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(path), f"missing static file {path}"


@pytest.mark.parametrize(
    ("name", "label"),
    [("services:home", "Home"), ("services:policies", "Policies"), ("csmt", "Craniosacral therapy")],
)
def test_navigation_marks_the_current_page(client, name, label):
    html = client.get(url_of(name)).content.decode()

    assert re.search(rf'aria-current="page">{label}</a>', html)
    assert html.count('aria-current="page"') == 1


def test_navigation_link_to_the_therapy_reaches_the_seeded_service(client):
    html = client.get(reverse("services:home")).content.decode()
    href = re.search(r'href="([^"]+)">Craniosacral therapy</a>', html).group(1)

    assert client.get(href).status_code == 200


def test_home_introduces_julie_and_the_session(client, csmt):
    response = client.get(reverse("services:home"))

    html = response.content.decode()
    assert "Julie" in html
    assert "One hour" in html
    assert "fully clothed" in html
    assert csmt.description in html
    assert f'href="{csmt.get_absolute_url()}"' in html


def test_home_still_renders_when_no_service_is_active(client):
    Service.objects.update(is_active=False)

    response = client.get(reverse("services:home"))

    assert response.status_code == 200
    assert book_link() in response.content.decode()


def test_service_page_shows_each_term_in_bold_before_its_text(client, csmt):
    response = client.get(csmt.get_absolute_url())

    assert (
        "<strong>Reduced Pain</strong>: Most patients report a reduction in headache intensity and frequency."
        in response.content.decode()
    )


def test_service_page_links_each_section_from_the_table_of_contents(client, csmt):
    html = client.get(csmt.get_absolute_url()).content.decode()

    for section in csmt.sections.all():
        assert f'<a href="#{section.slug}">' in html
        assert f'id="{section.slug}"' in html


def test_unknown_service_is_a_404_in_the_site_style(client):
    response = client.get(reverse("services:detail", kwargs={"slug": "no-such-therapy"}))

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert "Posture Massage" in html
    assert book_link() in html


def test_unknown_address_is_a_404_in_the_site_style(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_inactive_service_is_a_404(client, csmt):
    csmt.is_active = False
    csmt.save()

    response = client.get(csmt.get_absolute_url())

    assert response.status_code == 404


def test_an_edit_in_admin_shows_on_the_site(client, csmt):
    admin_user = get_user_model().objects.create_superuser("julie", "julie@example.com", "a-long-password")
    client.force_login(admin_user)
    sections = list(csmt.sections.all())
    data = {
        "name": csmt.name,
        "slug": csmt.slug,
        "description": "Julie rewrote her opening paragraph.",
        "duration_minutes": csmt.duration_minutes,
        "is_active": "on",
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-service": csmt.pk,
            f"sections-{i}-position": section.position,
            f"sections-{i}-heading": section.heading,
            f"sections-{i}-slug": section.slug,
            f"sections-{i}-intro": section.intro,
            f"sections-{i}-points": section.points,
        }
    data["sections-3-points"] += "\nAftercare: Drink some water and rest for the evening."

    response = client.post(reverse("admin:services_service_change", args=[csmt.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = client.get(csmt.get_absolute_url()).content.decode()
    assert "Julie rewrote her opening paragraph." in html
    assert "<strong>Aftercare</strong>: Drink some water and rest for the evening." in html


def test_a_section_edited_on_the_model_shows_on_the_site(client, csmt):
    Section.objects.filter(service=csmt, slug="what-to-expect").update(heading="What a session is like")

    html = client.get(csmt.get_absolute_url()).content.decode()

    assert "What a session is like" in html
    assert "What to Expect:" not in html


def test_policies_page_states_the_cancellation_cutoff_and_contacts(client, settings):
    rules = BookingRules.load()
    rules.cancellation_cutoff_hours = 48
    rules.save()
    business = BusinessDetails.load()
    business.phone = "(860) 555-0142"
    business.save()

    html = client.get(reverse("services:policies")).content.decode()

    assert "until <strong>48 hours before it starts</strong>" in html
    assert "Less than 48 hours before your session" in html
    assert 'href="tel:+1-860-555-0142"' in html
    assert "(860) 555-0142" in html
    assert f'href="mailto:{business.email}"' in html
    assert f"up to {rules.horizon_days} days ahead" in html


def test_policies_page_without_a_phone_number_offers_email_only(client):
    html = client.get(reverse("services:policies")).content.decode()

    assert "until <strong>24 hours before it starts</strong>" in html
    assert "tel:" not in html


def test_policies_page_with_no_cutoff_allows_changes_until_the_session(client):
    rules = BookingRules.load()
    rules.cancellation_cutoff_hours = 0
    rules.save()

    html = client.get(reverse("services:policies")).content.decode()

    assert "yourself until it starts" in html
    assert "Less than" not in html


def test_server_error_page_renders_without_a_request_context():
    html = get_template("500.html").render()

    assert "Sorry, something went wrong on our side" in html
    assert "/static/css/site.css" in html


def test_server_error_view_uses_the_site_style():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Posture Massage" in response.content.decode()


def test_messages_are_announced_politely_and_errors_as_alerts():
    html = render_to_string(
        "includes/messages.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Your session is booked."),
                Message(constants.ERROR, "That time was just taken."),
            ]
        },
    )

    assert 'class="alert alert-success" role="status"' in html
    assert 'class="alert alert-danger" role="alert"' in html
    assert "Your session is booked." in html
    assert "That time was just taken." in html
