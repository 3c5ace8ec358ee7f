"""Julie's screens in plain words: clients' sessions, deleting points to erase, the feed page, no technical labels."""

import re

import pytest
from django.urls import reverse

from appointments.admin import feed_links
from appointments.models import Appointment, CalendarFeed, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(book):
    """Ada with a session on Wednesday; Grace booked too."""
    book(business_time(2026, 12, 3, 10), email="grace@example.com")
    return book(business_time(2026, 12, 2, 10), email="ada@example.com").client


# --- a client with sessions is never deleted: erase instead ------------------------------


def test_the_delete_page_of_a_client_with_sessions_points_to_erase(julie_in_admin, ada):
    page = julie_in_admin.get(reverse("admin:appointments_client_delete", args=[ada.pk])).content.decode()
    assert "has sessions in your books, so this client cannot be deleted" in page
    assert "use <strong>Erase personal data</strong> instead" in page
    assert 'name="action" value="erase_personal_data"' in page
    assert f'name="_selected_action" value="{ada.pk}"' in page
    assert "protected related objects" not in page


def test_posting_the_delete_of_a_client_with_sessions_deletes_nothing(julie_in_admin, ada):
    julie_in_admin.post(reverse("admin:appointments_client_delete", args=[ada.pk]), {"post": "yes"})
    assert Client.objects.filter(pk=ada.pk).exists()
    assert Appointment.objects.filter(client=ada).count() == 1


def test_the_delete_action_on_clients_with_sessions_points_to_erase_and_deletes_nothing(julie_in_admin, ada):
    changelist = reverse("admin:appointments_client_changelist")
    data = {"action": "delete_selected", "_selected_action": [ada.pk]}
    page = julie_in_admin.post(changelist, data).content.decode()
    assert "Some of these clients have sessions in your books, so they cannot be deleted" in page
    assert 'value="Erase personal data…"' in page
    julie_in_admin.post(changelist, {**data, "post": "yes"})
    assert Client.objects.filter(pk=ada.pk).exists()


def test_the_erase_button_leads_to_the_erase_confirmation(julie_in_admin, ada):
    changelist = reverse("admin:appointments_client_changelist")
    page = julie_in_admin.post(changelist, {"action": "erase_personal_data", "_selected_action": [ada.pk]})
    assert "Erase personal data?" in page.content.decode()
    assert Client.objects.get(pk=ada.pk).name == "Someone"


def test_a_client_without_sessions_can_still_be_deleted(julie_in_admin):
    nobody = Client.objects.create(name="Typo", email="typo@example.com", phone="860 555 0100")
    julie_in_admin.post(reverse("admin:appointments_client_delete", args=[nobody.pk]), {"post": "yes"})
    assert not Client.objects.filter(pk=nobody.pk).exists()


# --- a client's history is their sessions -------------------------------------------------


def test_a_clients_page_leads_to_all_their_sessions_and_names_the_edit_log_plainly(julie_in_admin, ada):
    page = julie_in_admin.get(reverse("admin:appointments_client_change", args=[ada.pk])).content.decode()
    sessions = re.search(r'href="([^"]+)">All their sessions</a>', page).group(1).replace("&amp;", "&")
    assert ">Changes to this record</a>" in page
    assert ">History</a>" not in page
    assert re.search(r'<h2 id="appointments-heading" class="inline-heading">\s*Sessions\s*</h2>', page)
    listed = julie_in_admin.get(sessions).content.decode()
    assert "Wed Dec 2" in listed or "Dec. 2, 2026" in listed
    assert "grace@example.com" not in listed and "ada@example.com" in listed


# --- no technical words ---------------------------------------------------------------------


def test_the_appointment_list_says_how_a_session_was_booked_in_words(julie_in_admin, ada):
    page = julie_in_admin.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    assert "By how it was booked" in page and ">Online<" in page and "By Julie" in page
    assert "Admin<" not in page and "By booked" not in page


def test_the_email_pages_use_plain_words(julie_in_admin, ada):
    email = OutgoingEmail.objects.filter(appointment__client=ada, kind=OutgoingEmail.Kind.CONFIRMATION).get()
    listing = julie_in_admin.get(reverse("admin:appointments_outgoingemail_changelist")).content.decode()
    one = julie_in_admin.get(reverse("admin:appointments_outgoingemail_change", args=[email.pk])).content.decode()
    for page in (listing, one):
        assert "Problem" in page and "Goes out" in page
        for word in ("Last error", "Sequence", "Previous start", "Due at", "Attempts"):
            assert word not in page
    assert f"for {email.appointment_id}" not in one
    assert str(email) == "Confirmation email"


# --- the calendar feed page -----------------------------------------------------------------


def test_the_feed_page_shows_the_link_to_copy_to_subscribe_and_how(julie_in_admin, settings):
    settings.SITE_URL = "https://posturemassage.example"
    feed = CalendarFeed.load()
    page = julie_in_admin.get(reverse("admin:appointments_calendarfeed_changelist")).content.decode()
    url = f"https://posturemassage.example/calendar/{feed.token}.ics"
    assert feed_links(feed) == {"https_url": url, "webcal_url": url.replace("https://", "webcal://")}
    assert f'<input id="feed-url" class="vTextField" type="text" value="{url}" readonly>' in page
    assert (
        '<button type="button" class="button" data-copy="feed-url" '
        'data-copied="Copied. Now paste it in your calendar app." hidden>Copy link</button>'
    ) in page
    assert f'href="{url.replace("https://", "webcal://")}"' in page
    assert "Settings &gt; Calendar &gt; Accounts &gt; Add Account &gt; Other &gt; Add Subscribed Calendar" in page
    assert "Other calendars &gt; + &gt; From URL" in page
    assert re.search(r'<script src="[^"]*js/copy\.js" defer></script>', page)
    change = julie_in_admin.get(reverse("admin:appointments_calendarfeed_change", args=[feed.pk])).content.decode()
    assert f'value="{url}" readonly' in change and "js/copy.js" in change
