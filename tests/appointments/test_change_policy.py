"""The change policy never traps anyone: a time inside the change cut-off (which the minimum
notice still lets clients book) is marked before booking, and every page and email that
promises online changes says until when, from Julie's rules."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from appointments.admin import notice_and_cutoff
from appointments.availability import free_slots, slot_at
from appointments.models import BookingRules

from .conftest import business_time

pytestmark = pytest.mark.django_db

# Tuesday evening: with 12 hours' notice Wednesday's times are offered, and all of them
# start less than 24 hours away (inside the cut-off); Thursday's are well outside it.
TUESDAY_EVENING = business_time(2026, 12, 1, 20)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_10 = business_time(2026, 12, 3, 10)
JULIES_PHONE = "(860) 555-0142"


@pytest.fixture(autouse=True)
def tuesday_evening():
    with time_machine.travel(TUESDAY_EVENING, tick=False):
        yield


@pytest.fixture
def julies_phone(rules):
    rules.contact_phone = JULIES_PHONE
    rules.save()
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


# --- Julie's rules in admin ------------------------------------------------------------------


def test_admin_explains_how_notice_and_cutoff_interact(julie_in_admin, rules):
    assert notice_and_cutoff(rules) == (
        "With a minimum notice of 12 hours and a cut-off of 24 hours, sessions booked 12 to 24 hours ahead "
        "can't be changed online: the booking pages mark those times \"can't be changed online\" and tell "
        "clients to call you (the phone number below) or email you."
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
