"""The client's intake page: saved as they go, refused kindly, sent once, by a link nobody can guess."""

import pytest
from django.core import mail
from django.db import connection

from intake import baseline, intakes, outbox
from intake.forms import ANSWER_REQUIRED, CONSENT_CHANGED
from intake.models import ConsentText, Intake, IntakeEmail

from .conftest import answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_now")]


def test_day_counts_that_cannot_all_be_true_are_refused_kindly():
    assert baseline.day_count_errors(headache_days=3, migraine_days=4, worst_pain="mild") == {
        "migraine_days": baseline.MORE_MIGRAINE_THAN_HEADACHE.format(headache_days=3)
    }
    assert baseline.day_count_errors(headache_days=0, migraine_days=0, worst_pain="severe") == {
        "worst_pain": baseline.PAIN_WITHOUT_HEADACHE
    }
    assert baseline.day_count_errors(headache_days=2, migraine_days=0, worst_pain="none") == {
        "worst_pain": baseline.HEADACHE_WITHOUT_PAIN
    }
    assert baseline.day_count_errors(headache_days=0, migraine_days=0, worst_pain="none") == {}
    assert baseline.day_count_errors(headache_days=None, migraine_days=5, worst_pain="") == {}


@pytest.mark.parametrize("days", ["40", "29", "-1", "2.5", "ten", "1e3"])
def test_impossible_numbers_of_days_are_refused_next_to_the_field(client, intake_url, days):
    response = client.post(intake_url, answers(headache_days=days))
    assert response.status_code == 400
    assert response.context["form"].errors["headache_days"] == [baseline.DAYS_OUT_OF_RANGE.format(days=28)]
    assert f'value="{days}"' in response.content.decode()  # as typed, to correct
    assert Intake.objects.get().submitted_at is None


def test_more_migraine_days_than_headache_days_are_refused(client, intake_url):
    response = client.post(intake_url, answers(headache_days="3", migraine_days="4"))
    assert response.context["form"].errors["migraine_days"] == [
        baseline.MORE_MIGRAINE_THAN_HEADACHE.format(headache_days=3)
    ]


def test_a_half_finished_intake_is_kept_and_finished_later(client, intake_url, now):
    half = {
        key: value
        for key, value in answers(action="save").items()
        if key in {"emergency_name", "headache_days", "action"}
    }
    response = client.post(intake_url, half)
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert (intake.emergency_name, intake.headache_days, intake.submitted_at) == ("Grace Hopper", 10, None)

    page = client.get(intake_url)
    assert page.context["form"]["emergency_name"].value() == "Grace Hopper"
    assert page.context["form"]["headache_days"].value() == 10

    response = client.post(intake_url, answers())
    assert response.status_code == 302
    assert response["Location"].endswith("?sent")
    intake.refresh_from_db()
    assert intake.submitted_at is not None and intake.migraine_days == 6


def test_saving_with_a_mistake_keeps_every_valid_answer(client, intake_url):
    response = client.post(intake_url, answers(action="save", headache_days="40", triggers="Red wine"))
    assert response.status_code == 200
    assert "headache_days" in response.context["form"].errors
    intake = Intake.objects.get()
    assert intake.triggers == "Red wine" and intake.headache_days is None


def test_zero_days_is_an_answer_not_a_blank(client, intake_url):
    client.post(intake_url, answers(headache_days="0", migraine_days="0", medicine_days="0", worst_pain="none"))
    intake = Intake.objects.get()
    assert (intake.headache_days, intake.migraine_days, intake.medicine_days) == (0, 0, 0)


def test_sending_needs_every_question_answered(client, intake_url):
    response = client.post(intake_url, answers(pregnant="", emergency_phone=""))
    errors = response.context["form"].errors
    assert errors["pregnant"] == [ANSWER_REQUIRED] and errors["emergency_phone"] == [ANSWER_REQUIRED]


def test_the_page_script_saves_as_the_client_goes(client, intake_url):
    response = client.post(intake_url, {"triggers": "Weather", "action": "save"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"saved": True, "errors": {}}
    assert Intake.objects.get().triggers == "Weather"


@pytest.mark.parametrize("token", ["nonsense", "0" * 32, "abc:def"])
def test_a_tampered_link_answers_with_a_kind_page(client, ada_intake, token):
    response = client.get(f"/intake/{token}/")
    assert response.status_code == 404
    assert "We couldn't open this form" in response.content.decode()
    assert client.post(f"/intake/{token}/", answers()).status_code == 404


def test_a_link_signed_for_something_else_is_refused(client, ada_intake, first_booking):
    assert client.get(f"/intake/{first_booking.manage_token}/").status_code == 404


def test_an_intake_sent_twice_is_one_intake_and_one_email_to_julie(client, intake_url, now):
    client.post(intake_url, answers(seizures="yes"))
    client.post(intake_url, answers(seizures="yes"))
    assert Intake.objects.count() == 1
    assert IntakeEmail.objects.filter(kind=IntakeEmail.Kind.ATTENTION).count() == 1


def test_the_link_opened_again_says_it_was_received_and_offers_a_review(client, intake_url):
    client.post(intake_url, answers())
    page = client.get(intake_url)
    assert "Julie has your intake" in page.content.decode()
    assert "form" not in page.context
    client.post(f"{intake_url}review/")
    page = client.get(intake_url)
    assert page.context["form"]["triggers"].value() == "Bright light, skipped meals"  # old answers filled in


def test_review_is_post_only(client, intake_url):
    assert client.get(f"{intake_url}review/").status_code == 405
    assert not Intake.objects.get().review_requested


def test_consent_records_the_version_the_name_and_the_time(client, intake_url):
    client.post(intake_url, answers())
    intake = Intake.objects.get()
    assert intake.consent_text == ConsentText.current()
    assert intake.consent_name == "Ada Lovelace" and intake.consented_at == intake.submitted_at


def test_a_consent_text_changed_while_filling_in_is_shown_again(client, intake_url, now):
    old = ConsentText.current()
    intakes.publish_consent_text(text="New terms.", now=now)
    response = client.post(intake_url, answers(consent_version=str(old.version)))
    assert response.context["form"].errors["consent_name"] == [CONSENT_CHANGED]
    assert "New terms." in response.content.decode()


def test_a_new_consent_text_is_a_new_version_and_the_old_one_stays(now):
    first = ConsentText.current()
    text = first.text
    second = intakes.publish_consent_text(text="Version two.", now=now)
    assert second.version == first.version + 1
    first.refresh_from_db()
    assert first.text == text


def test_flagged_answers_reach_julie_once_without_health_details(client, intake_url, now, settings):
    client.post(intake_url, answers(brain_bleed="yes", screen_details="Aneurysm clipped in 2019"))
    intake = Intake.objects.get()
    assert intake.flagged
    assert outbox.send_due_intake_emails(now=now) == 1
    assert outbox.send_due_intake_emails(now=now) == 0
    [message] = mail.outbox
    assert message.to == [settings.THERAPIST_EMAIL]
    whole = message.subject + message.body + message.alternatives[0][0]
    assert "An intake needs your attention: open admin" in message.body
    for secret in ["Aneurysm", "bleed", "Ada", "Lovelace", "ada@example.com"]:
        assert secret not in whole


def test_an_unflagged_intake_sends_julie_nothing(client, intake_url, now):
    client.post(intake_url, answers())
    assert not Intake.objects.get().flagged
    assert outbox.send_due_intake_emails(now=now) == 0


def test_under_18_is_flagged_for_a_guardians_consent(client, intake_url):
    client.post(intake_url, answers(age_range="under_18"))
    assert Intake.objects.get().flagged


def test_answers_are_not_stored_in_clear(client, intake_url):
    client.post(intake_url, answers(triggers="Chocolate and red wine", headache_days="12", brain_bleed="yes"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_intake")
        row = " ".join(str(value) for value in cursor.fetchone())
    for clear in ["Chocolate", "Grace Hopper", "8605550142", "Propranolol", "Ada Lovelace", "30_44", "severe"]:
        assert clear not in row
    assert "gAAAAA" in row  # Fernet tokens


def test_the_client_sees_no_diagnosis_for_a_flagged_answer(client, intake_url):
    client.post(intake_url, answers(blood_thinners="yes"))
    page = client.get(f"{intake_url}?sent").content.decode()
    assert "Thank you" in page
    for word in ["attention", "flag", "contraindicat", "risk"]:
        assert word not in page.lower()
