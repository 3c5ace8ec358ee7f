"""Julie's side of intakes: where she works, what others can't see, export, erase, and the key."""

import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import emails, privacy
from appointments.calendar import therapist_feed_ics
from appointments.models import Appointment, OutgoingEmail
from intake import checks, intakes, outbox
from intake.crypto import UnreadableAnswer
from intake.models import EncryptionCheck, Intake, IntakeEmail, IntakeView
from intake.privacy import NOT_INCLUDED

from .conftest import FIRST_SESSION, answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_now")]

DAY = reverse("admin:appointments_calendar_day") + "?day=2026-12-02"
WEEK = reverse("admin:appointments_calendar_week") + "?day=2026-12-02"
MONTH = reverse("admin:appointments_calendar_month") + "?month=2026-12"
INDEX = reverse("admin:index")


@pytest.fixture
def flagged_intake(client, intake_url):
    """Ada sent her intake: she takes blood thinners, and told Julie more."""
    client.post(intake_url, answers(blood_thinners="yes", screen_details="Apixaban since March"))
    return Intake.objects.get()


@pytest.fixture
def calendar_staff(django_user_model):
    """Staff who may see sessions and clients and export them, but not read health intakes."""
    from .conftest import _staff_client

    permissions = ["view_appointment", "view_client", "change_client", "export_client_data"]
    return _staff_client(django_user_model, "desk", permissions=[f"appointments.{p}" for p in permissions])


@pytest.mark.parametrize("page", [DAY, WEEK, MONTH, INDEX])
def test_julie_sees_the_intake_state_of_each_session_where_she_works(julie_in_admin, first_booking, page, client):
    assert "Intake missing" in julie_in_admin.get(page).content.decode()
    intake_url = intakes.intake_of(first_booking.client).get_absolute_url()
    client.post(intake_url, answers())
    assert "Intake done" in julie_in_admin.get(page).content.decode()
    client.post(f"{intake_url}review/")
    client.post(intake_url, answers(seizures="yes"))
    assert "Intake: needs your attention" in julie_in_admin.get(page).content.decode()


def test_the_day_view_reads_every_intake_in_its_one_session_query(julie_in_admin, book):
    book(FIRST_SESSION.replace(hour=9), email="client9@example.com")
    julie_in_admin.get(DAY)  # warm the caches
    with CaptureQueriesContext(connection) as one_session:
        julie_in_admin.get(DAY)
    for hour in (11, 13, 15):
        intakes.intake_of(book(FIRST_SESSION.replace(hour=hour), email=f"client{hour}@example.com").client)
    with CaptureQueriesContext(connection) as four_sessions:
        response = julie_in_admin.get(DAY)
    assert len(four_sessions) == len(one_session)
    assert response.content.decode().count("Intake missing") == 4


@pytest.mark.parametrize("page", [DAY, WEEK, MONTH, INDEX])
def test_staff_without_the_permission_see_no_intake_state(calendar_staff, flagged_intake, page):
    content = calendar_staff.get(page).content.decode()
    assert "Intake" not in content and "intake" not in content.replace("admin-intake", "")


def test_staff_without_the_permission_see_nothing_of_the_answers(calendar_staff, flagged_intake):
    assert calendar_staff.get(reverse("admin:intake_intake_change", args=[flagged_intake.pk])).status_code == 403
    assert calendar_staff.get(reverse("admin:intake_intake_changelist")).status_code == 403
    assert calendar_staff.get(reverse("admin:intake_intake_print", args=[flagged_intake.pk])).status_code == 403
    client_page = calendar_staff.get(reverse("admin:appointments_client_change", args=[flagged_intake.client.pk]))
    assert client_page.status_code == 200
    assert "Apixaban" not in client_page.content.decode() and "Health intake" not in client_page.content.decode()
    assert "Health intake" not in calendar_staff.get(INDEX).content.decode()
    export = calendar_staff.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "export_data", "_selected_action": [flagged_intake.client.pk]},
    )
    [data] = json.loads(export.content)
    assert data["health_intake"] == NOT_INCLUDED
    assert not IntakeView.objects.exists()


def test_julie_reads_the_intake_flagged_answers_first_and_her_view_is_recorded(julie_in_admin, flagged_intake):
    page = julie_in_admin.get(reverse("admin:intake_intake_change", args=[flagged_intake.pk])).content.decode()
    attention = page.index("Needs your attention")
    assert attention < page.index("Emergency contact") < page.index("Apixaban since March")
    assert "blood thinners" in page[attention : page.index("Emergency contact")]
    [view] = IntakeView.objects.all()
    assert (view.viewer_name, view.what) == ("julie", "intake page")
    page = julie_in_admin.get(reverse("admin:intake_intake_change", args=[flagged_intake.pk])).content.decode()
    assert "Who has seen this intake" in page and page.count("<td>julie</td>") == 2


def test_the_intake_is_on_the_clients_page_for_julie(julie_in_admin, flagged_intake):
    page = julie_in_admin.get(reverse("admin:appointments_client_change", args=[flagged_intake.client.pk]))
    content = page.content.decode()
    assert content.index("Needs your attention") < content.index("Apixaban since March")
    assert IntakeView.objects.get().what == "client page"


def test_the_print_view_is_plain_and_recorded(julie_in_admin, flagged_intake):
    page = julie_in_admin.get(reverse("admin:intake_intake_print", args=[flagged_intake.pk])).content.decode()
    assert "Health intake of Ada Lovelace" in page and "Apixaban since March" in page
    assert "<nav" not in page
    assert IntakeView.objects.get().what == "print"


def test_one_tap_emails_the_client_their_link(julie_in_admin, ada_intake, now):
    ask = reverse("admin:intake_intake_ask", args=[ada_intake.pk])
    assert julie_in_admin.get(ask).status_code == 405
    response = julie_in_admin.post(ask)
    assert response.status_code == 302
    assert outbox.send_due_intake_emails(now=now) == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert ada_intake.link() in message.body and ada_intake.link() in message.alternatives[0][0]


def test_a_failed_intake_email_is_tried_again_later(ada_intake, now, settings):
    settings.EMAIL_BACKEND = "tests.appointments.test_intake_admin.RefusingBackend"
    outbox.record_request(ada_intake, now=now)
    outbox.send_due_intake_emails(now=now)
    email = IntakeEmail.objects.get()
    assert (email.status, email.attempts) == (IntakeEmail.Status.PENDING, 1)
    assert email.due_at > now and email.last_error


class RefusingBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError


def test_consent_text_versions_are_added_never_edited(julie_in_admin, now):
    from intake.models import ConsentText

    first = ConsentText.current()
    add = julie_in_admin.get(reverse("admin:intake_consenttext_add"))
    assert first.text[:40] in add.content.decode()  # starts from the current text
    julie_in_admin.post(reverse("admin:intake_consenttext_add"), {"text": "Version two."})
    assert ConsentText.current().version == first.version + 1
    change = julie_in_admin.post(reverse("admin:intake_consenttext_change", args=[first.pk]), {"text": "Edited"})
    first.refresh_from_db()
    assert first.text != "Edited" and change.status_code in (302, 403)


def test_confirmation_carries_the_intake_link_and_the_reminder_asks_while_missing(first_booking, now, client):
    intake = intakes.intake_of(first_booking.client)
    confirmation = OutgoingEmail.objects.get(appointment=first_booking, kind="confirmation")
    message = emails.build_message(confirmation)
    assert intake.link() in message.body and intake.link() in message.alternatives[0][0]
    assert "please fill in" in message.body
    reminder = OutgoingEmail(appointment=first_booking, kind="reminder", sequence=0, due_at=now)
    assert intake.link() in emails.build_message(reminder).body

    client.post(intake.get_absolute_url(), answers())
    assert intake.link() not in emails.build_message(reminder).body
    assert "Has something changed" in emails.build_message(confirmation).body


def test_the_confirmation_page_carries_the_intake_link(client, first_booking):
    page = client.get(reverse("appointments:confirmed", args=[first_booking.manage_token])).content.decode()
    assert intakes.intake_of(first_booking.client).get_absolute_url() in page


def test_the_confirmation_page_asks_for_a_missing_intake_and_offers_an_update_once_sent(
    client, first_booking, intake_url
):
    url = reverse("appointments:confirmed", args=[first_booking.manage_token])
    page = client.get(url).content.decode()
    assert "Before your session: a short health intake" in page
    assert "Has your health changed?" not in page
    client.post(intake_url, answers())
    page = client.get(url).content.decode()
    assert "Has your health changed?" in page
    assert "Before your session: a short health intake" not in page


def test_a_returning_client_is_asked_again_after_a_year(client, intake_url, first_booking, book):
    client.post(intake_url, answers())
    intake = Intake.objects.get()
    first_booking = Appointment.objects.select_related("client__intake").get(pk=first_booking.pk)
    assert intakes.state_at_session(first_booking) == Intake.State.DONE
    next_year = Appointment(client=first_booking.client, start=intake.submitted_at + timedelta(days=366))
    assert intakes.state_at_session(next_year) == Intake.State.MISSING


def test_the_feed_says_only_intake_missing(first_booking, flagged_intake, now, client, book):
    other = book(FIRST_SESSION.replace(hour=14), email="bo@example.com")
    feed = therapist_feed_ics(
        appointments=Appointment.objects.select_related("client", "client__intake"), time_off=[], now=now
    ).decode()
    assert feed.count("Intake missing") == 1 and other.client.name in feed
    for secret in ["Apixaban", "attention", "thinners"]:
        assert secret not in feed


def test_export_includes_the_intake_and_records_it(julie_in_admin, flagged_intake):
    response = julie_in_admin.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "export_data", "_selected_action": [flagged_intake.client.pk]},
    )
    [data] = json.loads(response.content)
    exported = data["health_intake"]
    assert exported["answers"]["screen_details"] == "Apixaban since March"
    assert exported["answers"]["headache_days"] == 10 and exported["flagged_for_julie"] is True
    assert exported["consent"]["name_typed"] == "Ada Lovelace" and exported["consent"]["version"] == 1
    assert IntakeView.objects.get().what == "data export"


def test_erase_removes_the_intake_its_views_and_emails(flagged_intake, julie_in_admin, now):
    julie_in_admin.get(reverse("admin:intake_intake_change", args=[flagged_intake.pk]))
    privacy.erase_client(client=flagged_intake.client, now=now)
    assert not Intake.objects.exists() and not IntakeView.objects.exists() and not IntakeEmail.objects.exists()


def test_a_rotated_key_still_reads_old_answers_and_resaving_moves_them_to_the_new_key(
    client, first_booking, fresh_keys
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    fresh_keys([old])
    client.post(intakes.intake_of(first_booking.client).get_absolute_url(), answers(triggers="Perfume"))
    fresh_keys([new, old])
    intake = Intake.objects.get()
    assert intake.triggers == "Perfume"
    intake.save()
    fresh_keys([new])
    assert Intake.objects.get().triggers == "Perfume"


def test_a_lost_key_fails_loudly_instead_of_showing_or_resaving_ciphertext(client, first_booking, fresh_keys):
    fresh_keys([Fernet.generate_key().decode()])
    client.post(intakes.intake_of(first_booking.client).get_absolute_url(), answers())
    fresh_keys([Fernet.generate_key().decode()])
    with pytest.raises(UnreadableAnswer):
        Intake.objects.get()
    assert [error.id for error in checks.encryption_key_reads_the_answers(None, databases=["default"])] == [
        "intake.E001"
    ]
    with pytest.raises(SystemCheckError, match="cannot read the stored health intakes"):
        call_command("check", "--database", "default")


def test_the_start_up_check_passes_with_the_right_key(client, intake_url):
    client.post(intake_url, answers())
    assert EncryptionCheck.objects.get().value == EncryptionCheck.KNOWN
    assert checks.encryption_key_reads_the_answers(None, databases=["default"]) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM intake_encryptioncheck")
        assert cursor.fetchone()[0] != EncryptionCheck.KNOWN
