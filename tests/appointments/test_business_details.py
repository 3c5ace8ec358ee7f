"""Julie's business details: one row she edits in admin, read by every page and email."""

import pytest
import time_machine
from django.urls import reverse

from appointments import emails
from appointments.models import BusinessDetails, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
CHANGE_URL = reverse("admin:appointments_businessdetails_change", args=[1])


def details_form(**changes):
    business = BusinessDetails.load()
    fields = ["name", "description", "email", "phone", "town", "state", "location"]
    return {field: getattr(business, field) for field in fields} | changes


def test_the_details_start_as_julies_own_and_the_sites_address(settings):
    business = BusinessDetails.load()
    assert business.name == "Posture Massage"
    assert business.email == settings.THERAPIST_EMAIL
    assert business.area == "Connecticut"
    assert "migraines" in business.description


def test_the_area_shows_the_town_when_there_is_one():
    assert BusinessDetails(town="Hartford", state="Connecticut").area == "Hartford, Connecticut"


def test_julie_edits_her_details_in_admin_and_every_page_shows_them(julie_in_admin, client):
    assert julie_in_admin.get(CHANGE_URL).status_code == 200
    with time_machine.travel(NOW, tick=False):
        days_before = client.get(reverse("appointments:days")).content.decode()  # now in the page cache
        assert "julie@posture.example" not in days_before

        response = julie_in_admin.post(
            CHANGE_URL, details_form(email="julie@posture.example", phone="(860) 555-0142", town="Hartford")
        )
        assert response.status_code == 302

        for url in ["/", "/policies/", reverse("appointments:days")]:
            html = client.get(url).content.decode()
            assert 'href="mailto:julie@posture.example"' in html, url
            assert 'href="tel:+1-860-555-0142"' in html, url
            assert "Hartford, Connecticut" in html, url


def test_the_admin_link_opens_the_form_itself(julie_in_admin):
    response = julie_in_admin.get(reverse("admin:appointments_businessdetails_changelist"))
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL


def test_julie_can_neither_add_a_second_row_nor_delete_hers(julie_in_admin):
    assert julie_in_admin.get(reverse("admin:appointments_businessdetails_add")).status_code == 403
    assert julie_in_admin.get(reverse("admin:appointments_businessdetails_delete", args=[1])).status_code == 403


def test_client_emails_show_the_details_and_replies_go_to_the_address_shown(book, settings):
    business = BusinessDetails.load()
    business.email = "julie@posture.example"
    business.phone = "(860) 555-0142"
    business.save()
    appointment = book(business_time(2026, 12, 2, 10))

    message = emails.build_message(appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION))

    assert message.reply_to == ["julie@posture.example"]
    assert "julie@posture.example · (860) 555-0142" in message.body
    notice = emails.build_message(appointment.emails.get(kind=OutgoingEmail.Kind.THERAPIST_NEW))
    assert notice.to == [settings.THERAPIST_EMAIL], "Julie's notifications go where the site was set up to send them"
