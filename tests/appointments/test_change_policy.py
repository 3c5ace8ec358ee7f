"""The change policy never traps anyone: a time inside the change cut-off (which the minimum
notice still lets clients book) is marked before booking, and every page and email that
promises online changes says until when, from Julie's rules."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from appointments import emails
from appointments.admin import notice_and_cutoff
from appointments.availability import free_slots, slot_at
from appointments.forms import NOT_CHANGEABLE_ONLINE, slot_value
from appointments.models import BookingRules, BusinessDetails, OutgoingEmail

from .conftest import booking_data, business_time
from .test_views import radio_values, text_of

pytestmark = pytest.mark.django_db

# Tuesday evening: with 12 hours' notice Wednesday's times are offered, and all of them
# start less than 24 hours away (inside the cut-off); Thursday's are well outside it.
TUESDAY_EVENING = business_time(2026, 12, 1, 20)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_10 = business_time(2026, 12, 3, 10)
MARK = unescape(NOT_CHANGEABLE_ONLINE)
JULIES_PHONE = "(860) 555-0142"


@pytest.fixture(autouse=True)
def tuesday_evening():
    with time_machine.travel(TUESDAY_EVENING, tick=False):
        yield


@pytest.fixture
def julies_phone(rules):
    business = BusinessDetails.load()
    business.phone = JULIES_PHONE
    business.save()
    return rules


def labels_of_radios(html):
    return [
        " ".join(unescape(label).split())
        for label in re.findall(r'<label[^>]*for="id_start_\d+"[^>]*>(.*?)</label>', html, re.S)
    ]


# --- the one rule ---------------------------------------------------------------------------


def test_a_session_can_be_changed_online_until_exactly_the_cutoff(rules):
    assert rules.change_deadline(WEDNESDAY_10) == WEDNESDAY_10 - timedelta(hours=24)
    assert rules.can_change_online(WEDNESDAY_10, now=WEDNESDAY_10 - timedelta(hours=24))
    assert not rules.can_change_online(WEDNESDAY_10, now=WEDNESDAY_10 - timedelta(hours=24) + timedelta(seconds=1))


def test_a_booked_session_follows_the_same_rule(book, rules):
    session = book(THURSDAY_10, at=TUESDAY_EVENING)
    deadline = rules.change_deadline(THURSDAY_10)
    assert session.client_can_change(now=deadline, rules=rules)
    assert not session.client_can_change(now=deadline + timedelta(seconds=1), rules=rules)


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        (24, "up to 24 hours before your session"),
        (1, "up to 1 hour before your session"),
        (0, "until your session starts"),
    ],
)
def test_the_limit_is_said_from_the_rules_value(hours, said):
    assert BookingRules(cancellation_cutoff_hours=hours).online_change_limit == said


def test_offered_times_inside_the_cutoff_are_marked(rules):
    slots = free_slots(
        start_date=TUESDAY_EVENING.date(),
        end_date=THURSDAY_10.date(),
        now=TUESDAY_EVENING,
        length=timedelta(hours=1),
        rules=rules,
    )
    wednesday = [slot for slot in slots if slot.local_start.day == 2]
    thursday = [slot for slot in slots if slot.local_start.day == 3]
    assert wednesday and not any(slot.changeable_online for slot in wednesday)
    assert thursday and all(slot.changeable_online for slot in thursday)
    assert not slot_at(WEDNESDAY_10, length=timedelta(hours=1), now=TUESDAY_EVENING, rules=rules).changeable_online
    assert slot_at(THURSDAY_10, length=timedelta(hours=1), now=TUESDAY_EVENING, rules=rules).changeable_online


def test_an_offered_time_exactly_at_the_cutoff_is_marked_as_the_rule_says(rules):
    # From Tuesday 10:00 the Wednesday 10:00 time starts exactly 24 hours away: still changeable online.
    now = WEDNESDAY_10 - timedelta(hours=24)
    slots = free_slots(
        start_date=WEDNESDAY_10.date(), end_date=WEDNESDAY_10.date(), now=now, length=timedelta(hours=1), rules=rules
    )
    at_ten = next(slot for slot in slots if slot.start == WEDNESDAY_10)
    assert at_ten.changeable_online == rules.can_change_online(WEDNESDAY_10, now=now) is True
    assert not next(slot for slot in slots if slot.start == WEDNESDAY_10 - timedelta(minutes=30)).changeable_online


def test_nothing_is_marked_when_the_notice_already_covers_the_cutoff(rules):
    rules.minimum_notice_hours = 24
    slots = free_slots(
        start_date=TUESDAY_EVENING.date(),
        end_date=THURSDAY_10.date(),
        now=TUESDAY_EVENING,
        length=timedelta(hours=1),
        rules=rules,
    )
    assert slots and all(slot.changeable_online for slot in slots)


# --- before booking: the times and the details form -----------------------------------------


def test_the_times_page_marks_times_inside_the_cutoff_and_says_how_to_reach_julie(client, julies_phone):
    wednesday = text_of(client.get(reverse("appointments:day", kwargs={"day": "2026-12-02"})))
    assert f"10:00 AM to 11:00 AM {MARK}" in wednesday
    assert "are less than 24 hours away: once booked, they can’t be cancelled or moved online" in wednesday
    assert f"call Julie at {JULIES_PHONE}" in wednesday

    thursday = text_of(client.get(reverse("appointments:day", kwargs={"day": "2026-12-03"})))
    assert MARK not in thursday


def test_the_next_free_times_on_the_days_page_are_marked_and_explained(client):
    page = text_of(client.get(reverse("appointments:days")))
    assert f"Wed, Dec 2 at 9:00 AM {MARK}" in page
    assert "are less than 24 hours away: once booked, they can’t be cancelled or moved online" in page


def test_the_details_form_says_so_before_confirming(client, julies_phone):
    html = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)}).content.decode()
    page = text_of_html(html)
    assert "This time is less than 24 hours away, so once booked it can’t be changed or cancelled online." in page
    assert '<a href="tel:+1-860-555-0142">(860) 555-0142</a>' in html

    # Still said when the form comes back with an error.
    again = client.post(reverse("appointments:details"), booking_data(start=WEDNESDAY_10, phone="12"))
    assert "once booked it can’t be changed or cancelled online" in text_of(again)

    later = client.get(reverse("appointments:details"), {"start": slot_value(THURSDAY_10)})
    assert "once booked it can’t be changed" not in text_of(later)


def test_without_a_phone_number_the_details_form_says_to_email_julie(client, rules):
    page = text_of(client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)}))
    assert f"If you need to change it, please contact Julie: email {BusinessDetails.load().email}" in page


def text_of_html(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_cutoff_follows_julies_rule_not_a_fixed_24_hours(client, rules):
    rules.cancellation_cutoff_hours = 40
    rules.save()
    page = text_of(client.get(reverse("appointments:day", kwargs={"day": "2026-12-03"})))
    assert f"9:00 AM to 10:00 AM {MARK}" in page  # 37 hours away
    assert f"1:00 PM to 2:00 PM {MARK}" not in page  # 41 hours away
    assert "are less than 40 hours away" in page


# --- after booking: confirmation page and email -----------------------------------------------


def test_the_confirmation_says_until_when_the_session_can_be_changed(client):
    response = client.post(reverse("appointments:details"), booking_data(start=THURSDAY_10), follow=True)
    page = text_of(response)
    assert "You can cancel or move it online until Wednesday, December 2 at 10:00 AM" in page
    assert "Change or cancel your session" in page


def test_the_confirmation_of_a_session_inside_the_cutoff_says_to_call_julie(client, julies_phone):
    response = client.post(reverse("appointments:details"), booking_data(start=WEDNESDAY_10), follow=True)
    page = text_of(response)
    assert "This session is less than 24 hours away, so it can no longer be changed online." in page
    assert f"by phone at {JULIES_PHONE}" in page
    assert "You can cancel or move it online until" not in page
    assert "See your booking" in page


def confirmation_text(appointment):
    message = emails.build_message(appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION), now=TUESDAY_EVENING)
    return " ".join(message.body.split()), message.alternatives[0][0]


def test_the_confirmation_email_says_until_when(book):
    text, html = confirmation_text(book(THURSDAY_10, at=TUESDAY_EVENING))
    assert "You can do it yourself online until Wednesday, December 2 at 10:00 AM" in text
    assert "Change or cancel your session</a>" in html


def test_the_confirmation_email_of_a_session_inside_the_cutoff_says_to_call_julie(book, julies_phone):
    text, html = confirmation_text(book(WEDNESDAY_10, at=TUESDAY_EVENING))
    assert (
        "This session is less than 24 hours away, so it can't be changed online. "
        f"To cancel or move it, please reply to this email or call Julie at {JULIES_PHONE}."
    ) in text
    assert "online until" not in text
    assert "See your booking</a>" in html


def test_the_manage_page_says_until_when(client, book):
    session = book(THURSDAY_10, at=TUESDAY_EVENING)
    page = text_of(client.get(session.get_manage_url()))
    assert (
        "You can change or cancel online until Wednesday, December 2 at 10:00 AM (up to 24 hours before your session)."
        in page
    )


# --- the pages that promise online changes ---------------------------------------------------


@pytest.mark.parametrize("page", ["services:home", "service", "services:policies"])
def test_every_page_that_promises_online_changes_says_until_when(client, rules, page):
    rules.cancellation_cutoff_hours = 48
    rules.save()
    url = reverse("services:detail", kwargs={"slug": "craniosacral-therapy"}) if page == "service" else reverse(page)
    text = text_of(client.get(url))
    assert "48 hours before" in text
    assert "24 hours before" not in text


def test_the_policies_page_warns_of_times_booked_inside_the_cutoff(client, rules):
    assert "A session less than 24 hours away when you book it can’t be changed or cancelled online" in text_of(
        client.get(reverse("services:policies"))
    )
    rules.minimum_notice_hours = 24
    rules.save()
    assert "when you book it can’t be changed" not in text_of(client.get(reverse("services:policies")))


# --- moving a session ------------------------------------------------------------------------


def test_reschedule_marks_the_times_inside_the_cutoff(client, book):
    session = book(business_time(2026, 12, 4, 10), at=TUESDAY_EVENING)
    url = reverse("appointments:reschedule", kwargs={"token": session.manage_token})
    wednesday = client.get(url, {"day": "2026-12-02"}).content.decode()
    assert f"Wed Dec 2, 10:00 AM ({MARK})" in labels_of_radios(wednesday)
    assert "are less than 24 hours away" in text_of_html(wednesday)
    thursday = client.get(url, {"day": "2026-12-03"}).content.decode()
    assert "Thu Dec 3, 10:00 AM" in labels_of_radios(thursday)
    assert radio_values(thursday)


# --- Julie's rules in admin ------------------------------------------------------------------


def test_admin_explains_how_notice_and_cutoff_interact(julie_in_admin, rules):
    assert notice_and_cutoff(rules) == (
        "With a minimum notice of 12 hours and a cut-off of 24 hours, sessions booked 12 to 24 hours ahead "
        "can't be changed online: the booking pages mark those times \"can't be changed online\" and tell "
        "clients to call you (the phone number in Your business details) or email you."
    )
    page = unescape(
        julie_in_admin.get(reverse("admin:appointments_bookingrules_change", args=[rules.pk])).content.decode()
    )
    assert "sessions booked 12 to 24 hours ahead can't be changed online" in page


@pytest.mark.parametrize(
    ("notice", "cutoff", "said"),
    [
        (24, 24, "every session booked online can be cancelled or moved online until 24 hours before it."),
        (2, 0, "every session booked online can be cancelled or moved online until it starts."),
        (1, 2, "sessions booked 1 to 2 hours ahead can't be changed online"),
    ],
)
def test_admin_explanation_follows_the_rules(notice, cutoff, said):
    assert said in notice_and_cutoff(BookingRules(minimum_notice_hours=notice, cancellation_cutoff_hours=cutoff))
