"""The check-in pages (answer, stop, the questions after a session), the trend's honesty rules, Julie's views."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as Browser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments import privacy
from appointments.emails import build_message
from appointments.models import OutgoingEmail
from checkins import answers, outbox, weeks
from checkins.forms import WeekForm
from checkins.models import Enrolment, SessionFeedback, WeeklyCheckin, local_morning
from checkins.trend import MEDICINE_NOTE, PLACEBO_NOTE, client_trend
from intake.models import Intake

from .conftest import _staff_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_now")]

# The fixtures' clock: Tuesday, December 1, 2026, 8:00; this week's check-in asks about November 23-29.
WEEK = date(2026, 11, 23)
ANSWER = {"headache_days": "3", "migraine_days": "2", "medicine_days": "1", "worst_pain": "moderate"}


@pytest.fixture
def ada(first_booking, now):
    client = first_booking.client
    Intake.objects.create(client=client, submitted_at=now, weekly_checkins=True, headache_days=10, migraine_days=8)
    return client


@pytest.fixture
def this_week(ada):
    return WeeklyCheckin.objects.create(
        client=ada, week=WEEK, due_at=local_morning(WEEK + timedelta(days=7)), status="sent"
    )


@pytest.fixture
def page_url(ada):
    return weeks.enrolment_of(ada).get_absolute_url()


def answered(client, week, migraine, medicine=0, headache=None):
    return WeeklyCheckin.objects.create(
        client=client,
        week=week,
        due_at=local_morning(week + timedelta(days=7)),
        status="sent",
        answered_at=local_morning(week + timedelta(days=7)),
        headache_days=headache if headache is not None else migraine,
        migraine_days=migraine,
        medicine_days=medicine,
        worst_pain="moderate" if migraine else "none",
    )


def test_answering_twice_changes_the_answer_never_duplicates_it(client, this_week, page_url):
    assert client.post(page_url, ANSWER).status_code == 302
    assert client.post(page_url, {**ANSWER, "migraine_days": "1"}).status_code == 302
    checkin = WeeklyCheckin.objects.get()
    assert (checkin.migraine_days, checkin.medicine_days) == (1, 1)
    # Encrypted at rest: the column holds no plain number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT migraine_days FROM checkins_weeklycheckin")
        assert cursor.fetchone()[0] != "1"


def test_the_page_works_without_javascript_and_shows_a_tap_per_question(client, this_week, page_url):
    html = client.get(page_url).content.decode()
    assert html.count('type="radio"') == 8 * 3 + 4
    assert "<script" not in html.split("<footer")[0].split("</header>")[-1]
    assert "Download my answers (CSV)" in html


def test_a_closed_week_can_no_longer_be_changed(client, this_week, page_url, time_machine):
    time_machine.move_to(this_week.closes_at, tick=False)
    response = client.post(page_url, ANSWER)
    assert response.status_code == 400
    assert not WeeklyCheckin.objects.get().answered


def test_impossible_answers_are_refused_kindly(client, this_week, page_url):
    response = client.post(page_url, {**ANSWER, "migraine_days": "5"})
    assert response.status_code == 400
    assert "migraine_days" in response.context["form"].errors
    assert not WeeklyCheckin.objects.get().answered


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["headache_days", "migraine_days", "medicine_days", "worst_pain"]),
        st.one_of(st.text(max_size=6), st.integers(-3, 10).map(str), st.sampled_from(["none", "mild", "severe"])),
    )
)
def test_any_answer_form_input_is_valid_and_consistent_or_refused(data):
    form = WeekForm(data)
    if form.is_valid():
        clean = form.cleaned_data
        assert 0 <= clean["migraine_days"] <= clean["headache_days"] <= 7
        assert 0 <= clean["medicine_days"] <= 7
        assert (clean["worst_pain"] == "none") == (clean["headache_days"] == 0)
    else:
        assert form.errors


def test_a_bad_link_gets_a_kind_page(client, ada):
    assert client.get("/checkins/nonsense/").status_code == 404
    stop_token = weeks.enrolment_of(ada).stop_url().split("/")[-2]
    assert client.get(f"/checkins/{stop_token}/").status_code == 404, "a stop link is no page link"


def test_stop_asks_on_get_and_stops_on_one_click_post(this_week, ada):
    stop_url = weeks.enrolment_of(ada).stop_url()
    browser = Browser(enforce_csrf_checks=True)
    assert b"Yes, stop asking me" in browser.get(stop_url).content
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE
    assert browser.post(stop_url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Enrolment.objects.get().status == Enrolment.Status.STOPPED


def test_the_check_in_email_has_its_trio_and_stop_headers(this_week):
    message = outbox.checkin_message(this_week)
    assert message.subject and message.body and message.alternatives[0][0].startswith("<!doctype html>")
    assert "stop/" in message.extra_headers["List-Unsubscribe"]
    assert "November 23" in message.body


# --- the questions after a session --------------------------------------------------------------


@pytest.fixture
def held_session(first_booking, ada, time_machine):
    time_machine.move_to(first_booking.end + timedelta(hours=24), tick=False)
    return first_booking


def test_the_aftercare_email_carries_the_two_questions_for_clients_who_asked(held_session):
    email = OutgoingEmail.objects.get(appointment=held_session, kind=OutgoingEmail.Kind.AFTERCARE)
    body = build_message(email).body
    assert "?feeling=1" in body and "?after_effect=headache" in body
    Intake.objects.update(weekly_checkins=False)
    email.refresh_from_db()
    assert "?feeling=" not in build_message(email).body


def test_a_tap_preselects_and_only_the_post_records(client, held_session):
    url = answers.session_questions(held_session)["url"]
    response = client.get(url + "?after_effect=headache")
    assert 'value="headache"  id="id_after_effect_3" checked' in response.content.decode()
    assert not SessionFeedback.objects.exists(), "a mail scanner's GET records nothing"
    client.post(url, {"after_effect": "headache"})
    client.post(url, {"after_effect": "headache", "feeling": "1"})
    feedback = SessionFeedback.objects.get()
    assert feedback.after_effect == "headache" and feedback.feeling == "1"


def test_headache_or_much_worse_tells_julie_once_without_details(client, held_session, settings):
    url = answers.session_questions(held_session)["url"]
    client.post(url, {"feeling": "1"})
    client.post(url, {"feeling": "1", "after_effect": "headache"})
    outbox.send_due(now=held_session.end + timedelta(hours=25))
    to_julie = [m for m in mail.outbox if m.to == [settings.THERAPIST_EMAIL]]
    assert len(to_julie) == 1
    assert "headache" not in to_julie[0].subject.lower() and "worse" not in to_julie[0].subject.lower()
    assert "Ada" not in to_julie[0].body and "open admin" in to_julie[0].body


def test_a_calm_answer_tells_julie_nothing(client, held_session, settings):
    client.post(answers.session_questions(held_session)["url"], {"feeling": "6", "after_effect": "tiredness"})
    outbox.send_due(now=held_session.end + timedelta(hours=25))
    assert not [m for m in mail.outbox if m.to == [settings.THERAPIST_EMAIL]]


def test_an_empty_session_answer_is_refused_kindly(client, held_session):
    response = client.post(answers.session_questions(held_session)["url"], {})
    assert response.status_code == 400


# --- honest by construction ---------------------------------------------------------------------


def test_rolling_figure_needs_three_of_four_weeks_and_gaps_stay_gaps(ada, now):
    start = date(2026, 10, 26)
    answered(ada, start, 2)
    answered(ada, start + timedelta(weeks=1), 2)
    WeeklyCheckin.objects.create(client=ada, week=start + timedelta(weeks=2), due_at=now, status="sent")
    answered(ada, start + timedelta(weeks=3), 3)
    trend = client_trend(ada, now=now)
    assert [w.checkin is None for w in trend.weeks] == [False, False, True, False]
    assert [w.rolling_migraine for w in trend.weeks] == [None, None, None, round(7 / 3 * 4, 1)]
    WeeklyCheckin.objects.filter(week=start + timedelta(weeks=1)).delete()
    assert client_trend(ada, now=now).weeks[3].rolling_migraine is None  # 2 of 4: no figure


LATER = local_morning(date(2027, 1, 5))


def test_a_change_against_baseline_shows_only_after_four_answered_weeks(ada):
    for n in range(3):
        answered(ada, date(2026, 11, 30) + timedelta(weeks=n), 1)
    assert client_trend(ada, now=LATER).latest_rolling is None
    answered(ada, date(2026, 11, 30) + timedelta(weeks=3), 1)
    trend = client_trend(ada, now=LATER)
    assert trend.latest_rolling == 4.0 and trend.baseline.kind == "recalled"


def test_weekly_answers_before_the_first_session_make_a_tracked_baseline(ada):
    for n in range(3):
        answered(ada, date(2026, 11, 2) + timedelta(weeks=n), 2)
    trend = client_trend(ada, now=LATER)
    assert trend.baseline.kind == "tracked" and trend.baseline.migraine_days == 8.0


def test_ten_medicine_days_in_four_weeks_suggest_a_word_with_a_doctor(client, ada, page_url, now):
    for n, medicine in enumerate([3, 3, 2, 2]):
        answered(ada, date(2026, 11, 2) + timedelta(weeks=n), 3, medicine=medicine)
    html = client.get(page_url).content.decode()
    assert MEDICINE_NOTE.format(days=10) in html
    assert "diagnos" not in html.lower()
    WeeklyCheckin.objects.filter(week=date(2026, 11, 2)).delete()
    assert "talking to your doctor" not in client.get(page_url).content.decode()


def test_the_placebo_note_stands_beside_the_fifty_percent_mark(client, ada, page_url, time_machine):
    time_machine.move_to(LATER, tick=False)
    for n in range(4):
        answered(ada, date(2026, 11, 30) + timedelta(weeks=n), 1)
    html = client.get(page_url).content.decode()
    assert "50 % fewer" in html and PLACEBO_NOTE in html and "Self-reported" in html
    assert "recalled at intake" in html


def test_the_client_downloads_their_answers(client, ada, page_url):
    answered(ada, date(2026, 11, 2), 2, medicine=1)
    response = client.get(page_url + "answers.csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("week_starting") and lines[1].startswith("2026-11-02,2,2,1,moderate")


# --- Julie's side -------------------------------------------------------------------------------


def test_julie_sees_the_trend_on_the_client_page_and_it_is_recorded(julie_in_admin, ada, now):
    answered(ada, date(2026, 11, 2), 4)
    weeks.enrolment_of(ada)
    html = julie_in_admin.get(f"/admin/appointments/client/{ada.pk}/change/").content.decode()
    assert "Weekly check-ins" in html and '<svg class="trend-chart"' in html and "Nov 2, 2026" in html
    assert ada.checkin_views.count() == 1


def test_staff_without_the_health_permission_see_no_answers(django_user_model, ada):
    answered(ada, date(2026, 11, 2), 4)
    weeks.enrolment_of(ada)
    browser = _staff_client(django_user_model, "desk", permissions=["appointments.view_client"])
    html = browser.get(f"/admin/appointments/client/{ada.pk}/change/").content.decode()
    assert "trend-chart" not in html and not ada.checkin_views.exists()
    assert browser.get("/admin/checkins/enrolment/overview/").status_code in (302, 403)


def test_the_overview_shows_answer_rates_quiet_clients_and_after_effects(julie_in_admin, ada, held_session):
    answered(ada, WEEK, 2)
    weeks.enrolment_of(ada)
    answers.answer_session(appointment=held_session, feeling="4", after_effect="soreness", now=held_session.end)
    html = julie_in_admin.get("/admin/checkins/enrolment/overview/").content.decode()
    assert "1</strong> client checking in" in html
    assert "100 %" in html and "soreness after the session" in html
    assert "% of clients improved" not in html


def test_export_includes_the_answers_for_julie_and_erase_removes_them(
    julie_in_admin, django_user_model, ada, now, held_session
):
    answered(ada, WEEK, 2)
    answers.answer_session(appointment=held_session, feeling="6", after_effect="none", now=held_session.end)
    data = privacy.export_client(ada, viewer=django_user_model.objects.get(username="julie"), now=now)
    assert data["weekly_checkins"]["weeks"][0]["migraine_days"] == 2
    assert data["weekly_checkins"]["after_sessions"][0]["feeling"] == "Better"
    privacy.erase_client(client=ada, now=now)
    assert not WeeklyCheckin.objects.exists() and not SessionFeedback.objects.exists()
