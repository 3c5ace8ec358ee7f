"""Phone numbers: one stored form, shown as Julie dials them, found whatever the punctuation,
and Julie's lists show what matters first with numbers and emails to tap."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from appointments import calendar
from appointments.admin_booking import find_clients
from appointments.booking import ClientDetails, book_appointment
from appointments.hygiene import PHONE_INVALID, display_phone, normalise_phone, phone_search_digits, stored_phone
from appointments.models import Appointment, Client

from .conftest import business_time

pytestmark = pytest.mark.django_db

GRACE = "+18605550149"
PUNCTUATIONS = ["860-555-0149", "8605550149", "(860) 555-0149", "+1 860 555 0149", "1-860-555-0149", "860.555.0149"]


@pytest.mark.parametrize("typed", PUNCTUATIONS)
def test_every_way_of_typing_a_us_number_is_stored_one_way(typed):
    assert normalise_phone(typed) == GRACE


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+44 20 7946 0958", "+442079460958"), ("860-555-0149 x12", "+18605550149 ext. 12")],
)
def test_a_number_abroad_or_with_an_extension_keeps_what_julie_needs_to_call_it(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12", "call me maybe", "555-0149", "860-555-0149 x" + "9" * 20])
def test_what_julie_could_not_call_is_refused_kindly(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(typed)
    assert refused.value.messages == [PHONE_INVALID]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (GRACE, "(860) 555-0149"),
        ("(860) 555-0149", "(860) 555-0149"),
        ("+442079460958", "+44 20 7946 0958"),
        ("+18605550149 ext. 12", "(860) 555-0149 ext. 12"),
        ("ask at the desk", "ask at the desk"),
        ("", ""),
    ],
)
def test_a_number_shows_as_julie_dials_it_and_an_old_odd_value_as_it_was(stored, shown):
    assert display_phone(stored) == shown


def test_template_filters_show_and_link_a_stored_number():
    html = Template('{% load phone %}<a href="{{ n|tel_href }}">{{ n|display_phone }}</a>').render(
        Context({"n": GRACE})
    )
    assert html == '<a href="tel:+1-860-555-0149">(860) 555-0149</a>'


@pytest.mark.parametrize(
    ("old", "migrated"), [("860.555.0149", GRACE), ("ask at the desk", "ask at the desk"), ("", "")]
)
def test_the_migration_normalises_old_numbers_and_leaves_the_rest(old, migrated):
    assert stored_phone(old) == migrated


@pytest.mark.parametrize(
    ("searched", "digits"),
    [
        ("860-555-0149", "8605550149"),
        ("(860) 555-0149", "8605550149"),
        ("+1 860 555 0149", "8605550149"),
        ("0149", "0149"),
        ("555", None),  # too few digits: nearly everyone
        ("ada@example.com", None),
        ("Ada 0149", None),
    ],
)
def test_a_search_is_a_phone_number_only_when_it_looks_like_one(searched, digits):
    assert phone_search_digits(searched) == digits


@pytest.fixture
def grace(service, now):
    """Grace booked online (stored form); Ada is an older row, her number kept as typed."""
    details = ClientDetails(name="Grace Hopper", email="grace@example.com", phone=GRACE)
    book_appointment(start=business_time(2026, 12, 8, 14, 30), client_details=details, service=service, now=now)
    ada = Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="(203) 555-0100")
    Appointment.objects.create(
        client=ada,
        client_name=ada.name,
        client_phone=ada.phone,
        service=service,
        start=business_time(2026, 12, 9, 10),
        end=business_time(2026, 12, 9, 11),
    )
    return Client.objects.get(email="grace@example.com")


@pytest.mark.parametrize("typed", PUNCTUATIONS)
def test_the_booking_forms_client_search_finds_a_number_whatever_the_punctuation(grace, typed):
    assert find_clients(typed) == [grace]


@pytest.mark.parametrize("typed", [*PUNCTUATIONS, "0149"])
@pytest.mark.parametrize("model", ["appointment", "client", "outgoingemail"])
def test_admin_search_finds_a_phone_number_whatever_the_punctuation(julie_in_admin, grace, typed, model):
    query = {"q": typed, **({"when": "all"} if model == "appointment" else {})}
    page = julie_in_admin.get(reverse(f"admin:appointments_{model}_changelist"), query)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Grace Hopper" in text and "Ada Lovelace" not in text


@pytest.mark.parametrize("typed", ["203-555-0100", "(203) 555-0100", "+1 203 555 0100"])
def test_admin_search_finds_an_old_number_kept_as_typed(julie_in_admin, grace, typed):
    page = julie_in_admin.get(reverse("admin:appointments_client_changelist"), {"q": typed}).content.decode()
    assert "Ada Lovelace" in page and "Grace Hopper" not in page


def test_admin_search_by_name_or_email_still_works(julie_in_admin, grace, clock_at_now):
    url = reverse("admin:appointments_appointment_changelist")
    assert "Grace Hopper" in julie_in_admin.get(url, {"q": "hopper"}).content.decode()
    assert "Grace Hopper" in julie_in_admin.get(url, {"q": "GRACE@example"}).content.decode()


def test_the_appointments_list_shows_when_who_to_call_and_write_status_and_emails(julie_in_admin, grace, clock_at_now):
    page = julie_in_admin.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    assert "Tue Dec 8, 2:30 PM" in page
    assert '<a href="tel:+1-860-555-0149" class="phone-link">(860) 555-0149</a>' in page
    assert '<a href="mailto:grace@example.com" class="email-link">grace@example.com</a>' in page
    # An old number kept as typed is a link too.
    assert '<a href="tel:+1-203-555-0100" class="phone-link">(203) 555-0100</a>' in page
    columns = ["column-when", "column-who", "column-status", "column-email_status"]
    positions = [page.index(column) for column in columns]
    assert positions == sorted(positions), "when, who, status and emails come first, in that order"


def test_the_clients_list_links_phone_and_email(julie_in_admin, grace):
    page = julie_in_admin.get(reverse("admin:appointments_client_changelist")).content.decode()
    assert 'href="tel:+1-860-555-0149"' in page and ">(860) 555-0149</a>" in page
    assert 'href="mailto:grace@example.com"' in page


def test_a_client_form_stores_the_one_form_and_shows_the_number_as_dialled(julie_in_admin, grace):
    url = reverse("admin:appointments_client_change", args=[grace.pk])
    assert 'value="(860) 555-0149"' in julie_in_admin.get(url).content.decode()
    data = {"name": grace.name, "email": grace.email, "phone": "203.555.0177", "notes": ""}
    data.update({"appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0"})
    assert julie_in_admin.post(url, data).status_code == 302
    grace.refresh_from_db()
    assert grace.phone == "+12035550177"
    refused = julie_in_admin.post(url, {**data, "phone": "call me"}).content.decode()
    assert PHONE_INVALID in refused and 'value="call me"' in refused


def test_an_admin_booking_stores_a_typed_phone_in_the_one_form(julie_in_admin, grace, service):
    data = {
        "client": grace.pk,
        "client_name": "Grace H.",
        "client_phone": "203 555 0123",
        "service": service.pk,
        "start_0": "12/10/2026",
        "start_1": "9 am",
        "client_note": "",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
    }
    assert julie_in_admin.post(reverse("admin:appointments_appointment_add"), data).status_code == 302
    assert Appointment.objects.get(client_name="Grace H.").client_phone == "+12035550123"


def test_julies_email_and_feed_show_the_number_as_she_dials_it(grace, now, settings):
    from appointments import emails
    from appointments.models import OutgoingEmail

    session = grace.appointments.get()
    email = session.emails.get(kind=OutgoingEmail.Kind.THERAPIST_NEW)
    message = emails.build_message(email)
    assert "(860) 555-0149" in message.body and GRACE not in message.body
    feed = (
        calendar.therapist_feed_ics(appointments=[session], time_off=[], now=now).decode().replace("\r\n ", "")
    )  # unfolded
    assert "Phone: (860) 555-0149" in feed


# Queries for one list page: the session and user, permissions, the count and the rows.
# The appointment list also counts and lists the services (its Service column and filter):
# two queries, whatever the rows.
LIST_QUERIES = {"appointment": 16, "client": 12, "outgoingemail": 12}


@pytest.mark.parametrize("model", sorted(LIST_QUERIES))
def test_a_list_takes_as_many_queries_for_many_rows_as_for_one(
    julie_in_admin, service, now, weekdays_nine_to_five, model, django_assert_max_num_queries
):
    def book(indexes):
        for index in indexes:
            details = ClientDetails(name=f"Client {index}", email=f"c{index}@example.com", phone=f"+1860555{index:04d}")
            start = business_time(2026, 12, 8, 9) + timedelta(days=index)
            book_appointment(start=start, client_details=details, service=service, now=now)

    url = reverse(f"admin:appointments_{model}_changelist")
    book([0])
    julie_in_admin.get(url)  # Warm: the session, the content types.
    with django_assert_max_num_queries(LIST_QUERIES[model]):
        julie_in_admin.get(url)
    book(range(1, 40))
    with django_assert_max_num_queries(LIST_QUERIES[model]):
        assert julie_in_admin.get(url).status_code == 200
