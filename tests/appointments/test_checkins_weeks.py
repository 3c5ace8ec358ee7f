"""Weekly check-ins over 22 weeks: Monday 8 AM in Connecticut across both DST changes, missed weeks
as gaps, a stop click, a restart, three silent weeks, and an erase."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client as Browser
from django.utils import timezone

from appointments import privacy
from appointments.booking import ClientDetails, book_appointment
from checkins import outbox, weeks
from checkins.models import Enrolment, WeeklyCheckin
from checkins.trend import client_trend
from intake.models import Intake

from .conftest import business_time

pytestmark = pytest.mark.django_db

ADA = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
BOOKED_AT = business_time(2026, 10, 20, 9)  # A Tuesday: the week of Monday, October 19.
WEEK_ANSWER = {"headache_days": "3", "migraine_days": "2", "medicine_days": "2", "worst_pain": "moderate"}


def monday_morning(day, minutes=0):
    """8 AM local on `day`, plus or minus some minutes."""
    return business_time(day.year, day.month, day.day, 8) + timedelta(minutes=minutes)


@pytest.fixture
def ada(service, weekdays_nine_to_five, time_machine):
    """Ada books on October 20, 2026, says yes to check-ins at intake, and has four sessions."""
    time_machine.move_to(BOOKED_AT, tick=False)
    sessions = [
        book_appointment(start=business_time(2026, 10, 28, 10), client_details=ADA, service=service, now=BOOKED_AT),
        book_appointment(start=business_time(2026, 11, 18, 10), client_details=ADA, service=service, now=BOOKED_AT),
        book_appointment(start=business_time(2026, 12, 9, 10), client_details=ADA, service=service, now=BOOKED_AT),
    ]
    client = sessions[0].client
    Intake.objects.create(
        client=client, submitted_at=BOOKED_AT, weekly_checkins=True, headache_days=12, migraine_days=8, medicine_days=6
    )
    return client


def run_beat(now):
    """What beat does at `now`, twice over: a repeated tick must change nothing."""
    for _ in range(2):
        weeks.record_due_checkins(now=now)
        outbox.send_due(now=now)


def test_twenty_two_weeks_of_check_ins(ada, service, time_machine):
    browser = Browser()
    mondays = [date(2026, 10, 26) + timedelta(weeks=n) for n in range(22)]
    missed = {date(2026, 11, 9), date(2026, 11, 23), date(2026, 11, 30), date(2027, 2, 1)}
    stop_on, restart_on = date(2026, 12, 14), date(2026, 12, 21)
    sent_weeks = []
    for monday in mondays:
        if monday == date(2026, 12, 7):  # A later booking keeps the check-ins going into spring.
            book_appointment(
                start=business_time(2027, 1, 13, 10), client_details=ADA, service=service, now=timezone.now()
            )
        time_machine.move_to(monday_morning(monday, -1), tick=False)
        before = len(mail.outbox)
        run_beat(timezone.now())
        assert len(mail.outbox) == before, "nothing goes out before 8 AM"
        time_machine.move_to(monday_morning(monday), tick=False)
        run_beat(timezone.now())
        if monday == restart_on:
            assert len(mail.outbox) == before, "stopped: no email"
            page = Enrolment.objects.get().get_absolute_url()
            browser.post(page.rstrip("/") + "/start-again/")
            continue
        assert len(mail.outbox) == before + 1, monday
        message = mail.outbox[-1]
        checkin = WeeklyCheckin.objects.get(week=monday - timedelta(days=7))
        assert timezone.localtime(checkin.sent_at).hour == 8  # 8 AM local, EDT and EST alike
        sent_weeks.append(checkin.week)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        time_machine.move_to(monday_morning(monday) + timedelta(hours=3), tick=False)
        answer_url = message.body.split("Answer here (under a minute, no login):\n")[1].split("\n")[0]
        if monday == stop_on:
            stop_url = message.extra_headers["List-Unsubscribe"].strip("<>")
            assert browser.get(stop_url).status_code == 200
            assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE, "GET never stops"
            Browser(enforce_csrf_checks=True).post(stop_url, {"List-Unsubscribe": "One-Click"})
            assert Enrolment.objects.get().status == Enrolment.Status.STOPPED
        elif monday not in missed:
            assert browser.post(answer_url, WEEK_ANSWER).status_code == 302
            browser.post(answer_url, {**WEEK_ANSWER, "medicine_days": "1"})  # corrected, not doubled
    # Both DST changes were crossed with the email at 8 AM local each time.
    assert date(2026, 10, 19) in sent_weeks and date(2027, 3, 8) in sent_weeks
    assert WeeklyCheckin.objects.filter(week=date(2026, 12, 14)).count() == 0  # stopped that Monday: not asked
    assert WeeklyCheckin.objects.count() == len(sent_weeks)
    trend = client_trend(ada, now=timezone.now())
    by_week = {week.week: week for week in trend.weeks}
    assert by_week[date(2026, 11, 2)].checkin is None, "a missed week is a gap"
    assert by_week[date(2026, 12, 7)].checkin is None, "the stop week is a gap, not a zero"
    assert by_week[date(2026, 10, 26)].checkin.medicine_days == 1
    # Erase: everything about the check-ins goes, and nothing is owed any more.
    privacy.erase_client(client=ada, now=timezone.now())
    assert not WeeklyCheckin.objects.exists() and not Enrolment.objects.exists()
    time_machine.move_to(monday_morning(date(2027, 3, 29)), tick=False)
    before = len(mail.outbox)
    run_beat(timezone.now())
    assert len(mail.outbox) == before and not WeeklyCheckin.objects.exists()


def test_three_unanswered_check_ins_in_a_row_stop_them(ada, time_machine):
    for monday in [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]:
        time_machine.move_to(monday_morning(monday), tick=False)
        run_beat(timezone.now())
    assert WeeklyCheckin.objects.count() == 3
    assert Enrolment.objects.get().status == Enrolment.Status.UNANSWERED


def test_check_ins_end_twelve_weeks_after_the_last_session(ada, time_machine):
    last_week = weeks.monday_of(date(2026, 12, 9)) + weeks.KEEP_ASKING
    assert weeks.in_window(week=last_week, first_booked=BOOKED_AT, last_session=business_time(2026, 12, 9, 10))
    assert not weeks.in_window(
        week=last_week + timedelta(weeks=1), first_booked=BOOKED_AT, last_session=business_time(2026, 12, 9, 10)
    )
    assert not weeks.in_window(
        week=date(2026, 10, 12), first_booked=BOOKED_AT, last_session=business_time(2026, 12, 9, 10)
    )


def test_no_check_ins_without_a_yes_at_intake(ada, time_machine):
    Intake.objects.update(weekly_checkins=False)
    time_machine.move_to(monday_morning(date(2026, 10, 26)), tick=False)
    run_beat(timezone.now())
    assert not WeeklyCheckin.objects.exists() and not mail.outbox


def test_julie_pausing_drops_the_waiting_email(ada, time_machine):
    time_machine.move_to(monday_morning(date(2026, 10, 26), -30), tick=False)
    weeks.record_due_checkins(now=timezone.now())
    weeks.set_status(weeks.enrolment_of(ada), Enrolment.Status.PAUSED, now=timezone.now())
    time_machine.move_to(monday_morning(date(2026, 10, 26)), tick=False)
    run_beat(timezone.now())
    assert not mail.outbox
    assert WeeklyCheckin.objects.get().status == WeeklyCheckin.Status.SKIPPED


def test_an_smtp_outage_delays_the_check_in_and_never_loses_it(ada, time_machine, settings):
    time_machine.move_to(monday_morning(date(2026, 10, 26)), tick=False)
    settings.EMAIL_BACKEND = "tests.appointments.test_checkins_weeks.BrokenBackend"
    run_beat(timezone.now())
    checkin = WeeklyCheckin.objects.get()
    assert checkin.status == WeeklyCheckin.Status.PENDING and checkin.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(monday_morning(date(2026, 10, 26), 5), tick=False)
    run_beat(timezone.now())
    assert WeeklyCheckin.objects.get().status == WeeklyCheckin.Status.SENT and len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError
