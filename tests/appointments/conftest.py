"""Fixtures for the calendar: fixed business times, rules, clients and bookings."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from appointments.booking import ClientDetails, book_appointment
from appointments.models import BookingRules, Client, WorkingHours
from intake import intakes, screen
from intake.models import ConsentText, Intake
from services.models import Service

NEW_YORK = ZoneInfo("America/New_York")


def business_time(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def booking_data(start=None, **overrides):
    """What the booking form posts: Ada's details for a slot (Wednesday, December 2, 10:00 by default).

    `start` is a datetime (sent as the form carries it) or the raw text to send."""
    from appointments.forms import slot_value

    start = business_time(2026, 12, 2, 10) if start is None else start
    data = {
        "start": slot_value(start) if isinstance(start, datetime) else start,
        "booking_key": "",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "860-555-0100",
        "note": "Migraines most mornings.",
        "accept_policy": "on",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def now():
    """Tuesday, December 1, 2026, 8:00 in Connecticut."""
    return business_time(2026, 12, 1, 8)


@pytest.fixture
def rules(db):
    return BookingRules.load()


@pytest.fixture
def service(db):
    return Service.objects.get(slug="craniosacral-therapy")


@pytest.fixture
def weekdays_nine_to_five(db):
    """Replace the seeded hours with one plain interval, 9 to 5, every day of the week."""
    WorkingHours.objects.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(weekday=day, start_time=time(9), end_time=time(17)) for day in range(7)
    )


@pytest.fixture
def caller(db):
    """A client on file who phones Julie to book."""
    return Client.objects.create(name="Phone Caller", email="caller@example.com", phone="+18605550111")


@pytest.fixture
def client_details():
    return ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")


@pytest.fixture
def book(service, now):
    """Book a slot for someone, the way the website does."""

    def _book(start, *, email="someone@example.com", at=None):
        details = ClientDetails(name="Someone", email=email, phone="(860) 555-0199")
        return book_appointment(start=start, client_details=details, service=service, now=at or now)

    return _book


def _staff_client(django_user_model, username, *, groups=(), permissions=()):
    """A browser logged in as a staff user (never superuser) with these groups or permissions."""
    from django.contrib.auth.models import Group, Permission
    from django.test import Client as Browser

    user = django_user_model.objects.create_user(username=username, password=None, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def julie_in_admin(django_user_model):
    """Julie as she logs in: staff in the Therapist group."""
    return _staff_client(django_user_model, "julie", groups=["Therapist"])


@pytest.fixture
def view_only_staff(django_user_model):
    """A staff user who may look at sessions, clients, emails and the feed, and change nothing."""
    models = ["appointment", "client", "outgoingemail", "calendarfeed", "timeoff"]
    return _staff_client(django_user_model, "viewer", permissions=[f"appointments.view_{model}" for model in models])


@pytest.fixture
def staff_without_permissions(django_user_model):
    """A staff user with no permission at all: admin lets them log in and see nothing."""
    return _staff_client(django_user_model, "nobody")


# --- health intakes (intake app) ---------------------------------------------------

FIRST_SESSION = business_time(2026, 12, 2, 10)


def answers(**changes):
    """A complete intake as the form posts it, nothing flagged; `changes` replace or add fields."""
    data = {
        "emergency_name": "Grace Hopper",
        "emergency_phone": "860-555-0142",
        "age_range": "30_44",
        "migraine_since": "5_10",
        "headache_days": "10",
        "migraine_days": "6",
        "medicine_days": "5",
        "worst_pain": "severe",
        "preventive_medicines": "Propranolol 40 mg",
        "acute_medicines": "Sumatriptan",
        "triggers": "Bright light, skipped meals",
        "other_headaches": "",
        **dict.fromkeys(screen.FIELDS, "no"),
        "screen_details": "",
        "consent_name": "Ada Lovelace",
        "consent_version": str(ConsentText.current().version),
        "action": "send",
    }
    data.update(changes)
    return data


@pytest.fixture
def first_booking(service, now):
    """Ada's first session: Wednesday, December 2, 2026 at 10:00."""
    details = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    return book_appointment(start=FIRST_SESSION, client_details=details, service=service, now=now)


@pytest.fixture
def ada_intake(first_booking):
    return intakes.intake_of(first_booking.client)


@pytest.fixture
def intake_url(ada_intake):
    return ada_intake.get_absolute_url()


@pytest.fixture
def fresh_keys(settings):
    """Change INTAKE_ENCRYPTION_KEYS within a test: each field caches its Fernet until told to forget it."""

    def use(keys):
        settings.INTAKE_ENCRYPTION_KEYS = keys
        for field in [*Intake._meta.fields, *ConsentText._meta.fields]:
            field.__dict__.pop("f", None)
        from intake.models import EncryptionCheck

        EncryptionCheck._meta.get_field("value").__dict__.pop("f", None)

    yield use
    use([])


@pytest.fixture
def clock_at_now(time_machine, now):
    """The views read the clock: it shows `now` (Tuesday, December 1, 2026, 8:00)."""
    time_machine.move_to(now, tick=False)
