"""Julie books a client who phoned from the page of a free time: one form, no pop-up."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from appointments import admin_booking, booking
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
TUESDAY_10 = business_time(2026, 12, 8, 10)
WEEK_OF_TUESDAY = reverse("admin:appointments_calendar_week") + "?day=2026-12-08"


def slot_url(start=TUESDAY_10, **extra):
    from appointments.forms import slot_value

    return reverse("admin:appointments_calendar_slot") + "?" + urlencode({"start": slot_value(start), **extra})


def form_data(action="book", **overrides):
    """What the form posts for Grace Hopper, new, on Tuesday December 8 at 10:00 AM."""
    data = {
        "action": action,
        "find": "",
        "client": "",
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "phone": "860-555-0149",
        "service": "",
        "day": "2026-12-08",
        "start_time": "10:00 AM",
        "note": "",
        "repeat": "0",
        "count": "4",
    }
    data.update(overrides)
    return data


@pytest.fixture
def service_pk(service):
    return str(service.pk)


@pytest.fixture
def ada(db):
    return Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")


@pytest.fixture(autouse=True)
def _now(time_machine, now):
    time_machine.move_to(now)


# --- finding a client ---


@pytest.mark.parametrize("typed", ["8605550149", "860-555-0149", "(860) 555-0149", "1 860 555 0149", "0149"])
def test_a_phone_number_finds_the_client_whatever_the_punctuation(typed):
    grace = Client.objects.create(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0149")
    Client.objects.create(name="Someone Else", email="else@example.com", phone="(203) 555-0100")
    assert admin_booking.find_clients(typed) == [grace]


def test_a_name_or_email_finds_the_client_in_any_case(ada):
    assert admin_booking.find_clients("lovelace") == [ada]
    assert admin_booking.find_clients("ADA@EXAMPLE") == [ada]
    assert admin_booking.find_clients("   ") == []
    assert admin_booking.find_clients("12") == []  # too few digits to be a phone number


def test_the_page_for_a_free_time_is_one_form_with_the_time_prefilled_in_12_hour_time(julie_in_admin, service):
    page = julie_in_admin.get(slot_url()).content.decode()
    assert 'value="2026-12-08"' in page and 'value="10:00 AM"' in page
    assert "A new client: type their details below" in page and "New client&#x27;s email" in page
    assert f'<option value="{service.pk}" selected>' in page
    assert "Block off this time instead" in page
    assert 'name="book_anyway"' not in page  # no time off here, so nothing to tick


def test_find_lists_matching_clients_and_keeps_what_was_typed(julie_in_admin, ada, service_pk):
    Client.objects.create(name="Ada Byron", email="byron@example.com", phone="(860) 555-0111")
    data = form_data("find", find="ada", name="", email="", phone="", note="Sore neck", service=service_pk)
    response = julie_in_admin.post(slot_url(), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace · (860) 555-0100 · ada@example.com" in page and "Ada Byron" in page
    assert "Sore neck" in page and 'value="ada"' in page
    assert "errorlist" not in page  # finding is not saving: nothing is refused yet
    assert not Appointment.objects.exists()


def test_find_with_one_match_picks_that_client(julie_in_admin, ada, service_pk):
    data = form_data("find", find="8605550100", name="", email="", phone="", service=service_pk)
    form = julie_in_admin.post(slot_url(), data).context["form"]
    assert form.initial["client"] == str(ada.pk)


def test_find_that_finds_nobody_says_so(julie_in_admin, service_pk):
    page = julie_in_admin.post(slot_url(), form_data("find", find="Nobody", service=service_pk)).content.decode()
    assert "No client found for “Nobody”" in page
    assert 'value="Grace Hopper"' in page


# --- booking one session ---


def test_booking_a_found_client_returns_to_the_calendar_with_the_session_highlighted(julie_in_admin, ada, service_pk):
    next_url = reverse("admin:appointments_calendar_week") + "?day=2026-12-07&show=all"
    data = form_data(client=str(ada.pk), name="", email="", phone="", note="Sore neck", service=service_pk)
    response = julie_in_admin.post(slot_url(next=next_url), data)
    session = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('admin:appointments_calendar_week')}?day=2026-12-07&show=all"
        f"&highlight={session.pk}#appointment-{session.pk}"
    )
    assert (session.client, session.start, session.client_note) == (ada, TUESDAY_10, "Sore neck")
    assert session.client_name == "Ada Lovelace" and session.source == Appointment.Source.ADMIN
    assert session.emails.filter(kind=Kind.CONFIRMATION).exists()


def test_a_new_client_is_made_from_the_same_form(julie_in_admin, service_pk):
    response = julie_in_admin.post(
        slot_url(), form_data(email=" Grace@Example.COM", start_time="2:30 pm", service=service_pk)
    )
    session = Appointment.objects.get()
    assert response["Location"] == f"{WEEK_OF_TUESDAY}&highlight={session.pk}#appointment-{session.pk}"
    client = Client.objects.get()
    assert (client.name, client.email, client.phone) == ("Grace Hopper", "grace@example.com", "+18605550149")
    assert session.start == business_time(2026, 12, 8, 14, 30)


def test_an_email_on_file_books_for_that_client_and_leaves_the_record_alone(julie_in_admin, ada, service_pk):
    julie_in_admin.post(slot_url(), form_data(name="Ada L.", email="ADA@example.com", service=service_pk))
    ada.refresh_from_db()
    session = Appointment.objects.get()
    assert session.client == ada and ada.name == "Ada Lovelace" and session.client_name == "Ada L."
    assert Client.objects.count() == 1


@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"])
def test_a_next_address_elsewhere_is_ignored(julie_in_admin, service_pk, next_url):
    response = julie_in_admin.post(slot_url(next=next_url), form_data(service=service_pk))
    assert response["Location"].startswith(WEEK_OF_TUESDAY + "&highlight=")


def test_an_overlap_is_refused_with_everything_typed_kept(julie_in_admin, book, service_pk):
    book(TUESDAY_10 + timedelta(minutes=30), email="busy@example.com")
    response = julie_in_admin.post(slot_url(), form_data(note="Sore neck", service=service_pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was booked: Tue Dec 8 clashes with other sessions" in page
    assert "clashes with Someone, 10:30 AM to 11:30 AM" in page
    assert 'value="Grace Hopper"' in page and "Sore neck" in page and 'value="grace@example.com"' in page
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", admin_booking.NEW_CLIENT_FIELD_REQUIRED["name"]),
        ({"email": ""}, "email", admin_booking.NEW_CLIENT_FIELD_REQUIRED["email"]),
        ({"email": "grace@"}, "email", "Please enter a valid email address, for example name@example.com."),
        ({"phone": "12"}, "phone", "Please enter a phone number Julie can call, for example (860) 555-0123."),
        ({"start_time": "25:00"}, "start_time", admin_booking.TIME_INVALID),
        ({"day": "9999-12-31"}, "day", "Please enter a date from 2000 to 2199."),
        ({"repeat": "1", "count": "13"}, "count", admin_booking.SESSIONS_COUNT),
        ({"repeat": "1", "count": ""}, "count", admin_booking.SESSIONS_COUNT),
        ({"client": "999999"}, "client", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_bad_input_gets_a_plain_message_and_nothing_is_booked(julie_in_admin, service_pk, overrides, field, message):
    response = julie_in_admin.post(slot_url(), form_data(service=service_pk, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Appointment.objects.exists()


def test_a_picked_client_and_typed_new_details_together_are_refused(julie_in_admin, ada, service_pk):
    response = julie_in_admin.post(slot_url(), form_data(client=str(ada.pk), service=service_pk))
    assert response.context["form"].errors["client"] == [admin_booking.CLIENT_AND_NEW_DETAILS]
    assert not Appointment.objects.exists()


# --- permissions ---


def test_staff_who_may_book_but_not_add_clients_book_only_clients_on_file(django_user_model, ada, service_pk):
    from .conftest import _staff_client

    browser = _staff_client(
        django_user_model,
        "assistant",
        permissions=["appointments.add_appointment", "appointments.view_appointment"],
    )
    response = browser.post(slot_url(), form_data(service=service_pk))
    assert response.context["form"].errors["email"] == [admin_booking.CANNOT_ADD_CLIENT]
    response = browser.post(slot_url(), form_data(client=str(ada.pk), name="", email="", phone="", service=service_pk))
    assert response.status_code == 302 and Appointment.objects.get().client == ada


# --- repeats ---


def test_check_dates_lists_each_date_free_or_clashing_before_saving(julie_in_admin, book, service_pk):
    book(TUESDAY_10 + timedelta(weeks=1), email="busy@example.com")
    data = form_data("check", repeat="1", count="3", service=service_pk)
    page = julie_in_admin.post(slot_url(), data).content.decode()
    assert [date.is_free for date in julie_in_admin.post(slot_url(), data).context["dates"]] == [True, False, True]
    assert "Tue Dec 15, 10:00 AM:" in page and "clashes with Someone, 10:00 AM to 11:00 AM" in page
    assert "Tue Dec 22, 10:00 AM:" in page
    assert not Appointment.objects.filter(client__email="grace@example.com").exists()


def test_a_repeat_is_booked_all_at_once_with_one_confirmation(julie_in_admin, service_pk):
    response = julie_in_admin.post(slot_url(), form_data(repeat="2", count="3", service=service_pk))
    sessions = list(Appointment.objects.order_by("start"))
    assert [session.start for session in sessions] == booking.series_starts(TUESDAY_10, every_weeks=2, count=3)
    assert len({session.series for session in sessions}) == 1
    assert response["Location"].endswith(f"highlight={sessions[0].pk}#appointment-{sessions[0].pk}")
    assert OutgoingEmail.objects.filter(kind=Kind.CONFIRMATION).count() == 1


def test_a_repeat_that_clashes_on_one_date_books_nothing(julie_in_admin, book, service_pk):
    book(TUESDAY_10 + timedelta(weeks=2), email="busy@example.com")
    response = julie_in_admin.post(slot_url(), form_data(repeat="1", count="4", service=service_pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was booked: Tue Dec 22 clashes with other sessions" in page
    assert Appointment.objects.count() == 1 and not Client.objects.filter(email="grace@example.com").exists()


# --- time off ---


@pytest.fixture
def dentist():
    return TimeOff.objects.create(start=TUESDAY_10, end=TUESDAY_10 + timedelta(hours=2), reason="Dentist")


def test_a_time_in_her_time_off_warns_at_once_and_asks(julie_in_admin, dentist):
    page = julie_in_admin.get(slot_url()).content.decode()
    assert "This is in your time off: Dentist, Tue Dec 8, 10:00 AM to 12:00 PM." in page
    assert 'name="book_anyway"' in page


def test_booking_in_her_time_off_needs_book_anyway(julie_in_admin, dentist, service_pk):
    response = julie_in_admin.post(slot_url(), form_data(service=service_pk))
    page = response.content.decode()
    assert response.status_code == 200 and 'name="book_anyway"' in page
    assert "Nothing was booked yet: Tue Dec 8 is in your time off." in page
    assert not Appointment.objects.exists()
    response = julie_in_admin.post(slot_url(), form_data(service=service_pk, book_anyway="on"))
    assert response.status_code == 302 and Appointment.objects.count() == 1


def test_the_page_for_a_free_time_needs_as_many_queries_however_many_clients_and_sessions(
    julie_in_admin, django_assert_max_num_queries, book, service_pk
):
    for day in range(8, 13):
        book(business_time(2026, 12, day, 11), email=f"busy{day}@example.com")
    Client.objects.bulk_create(
        Client(name=f"Ada {number}", email=f"ada{number}@example.com", phone="(860) 555-0100") for number in range(30)
    )
    with django_assert_max_num_queries(15):
        assert julie_in_admin.get(slot_url()).status_code == 200
    with django_assert_max_num_queries(15):
        response = julie_in_admin.post(slot_url(), form_data("find", find="Ada", service=service_pk))
    assert len(response.context["form"].matches) == admin_booking.SEARCH_LIMIT
    with django_assert_max_num_queries(40):  # two per date: its clash and its time off
        response = julie_in_admin.post(slot_url(), form_data("check", repeat="1", count="12", service=service_pk))
    assert len(response.context["dates"]) == 12


@pytest.mark.parametrize("data", [{}, {"action": "nonsense"}])
def test_a_post_without_a_time_or_an_action_goes_back_to_the_calendar(julie_in_admin, data):
    response = julie_in_admin.post(reverse("admin:appointments_calendar_slot"), data)
    assert response.status_code == 302 and response["Location"] == reverse("admin:appointments_calendar_week")


def test_time_off_over_several_days_of_a_repeat_is_named_once_with_its_days(julie_in_admin, service_pk):
    TimeOff.objects.create(start=TUESDAY_10, end=TUESDAY_10 + timedelta(days=9), reason="Vacation")
    data = form_data("check", repeat="1", count="3", service=service_pk)
    page = julie_in_admin.post(slot_url(), data).content.decode()
    assert page.count("This is in your time off: Vacation, Tue Dec 8, 10:00 AM to Thu Dec 17, 10:00 AM.") == 1
    assert page.count("in your time off (Vacation)") == 2
