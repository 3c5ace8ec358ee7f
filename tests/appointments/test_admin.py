from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.admin import DETAILS_DIFFER
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def julie(julie_in_admin):
    return julie_in_admin


def admin_booking(caller, service, day, time):
    return {
        "client": caller.pk,
        "service": service.pk,
        "start_0": day,
        "start_1": time,
        "status": "booked",
        "client_note": "",
        "cancellation_reason": "",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
    }


def test_julie_books_a_phone_client_outside_working_hours(julie, caller, service):
    response = julie.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "2026-12-02", "19:00")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get()
    assert appointment.source == Appointment.Source.ADMIN
    assert appointment.start == business_time(2026, 12, 2, 19)
    assert appointment.end == business_time(2026, 12, 2, 20)
    assert appointment.emails.filter(kind=OutgoingEmail.Kind.CONFIRMATION).exists()


def test_julie_cannot_book_on_top_of_another_session(julie, caller, service, book):
    book(business_time(2026, 12, 2, 10))
    response = julie.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "2026-12-02", "10:30")
    )
    assert response.status_code == 200
    assert "This overlaps another session" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_failed_email_shows_in_admin_and_can_be_sent_again(julie, book, clock_at_now):
    appointment = book(business_time(2026, 12, 2, 10))
    failed = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status="failed", last_error="SMTP said no", attempts=9)
    changelist = julie.get(reverse("admin:appointments_outgoingemail_changelist") + "?status__exact=failed")
    assert "SMTP said no" in changelist.content.decode()
    assert "1 failed" in julie.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    julie.post(
        reverse("admin:appointments_outgoingemail_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.PENDING
    assert failed.attempts == 0


def test_cancel_and_notify_action_cancels_and_owes_the_client_an_email(julie, book, clock_at_now):
    appointment = book(business_time(2026, 12, 2, 10))
    julie.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "cancel_and_notify", "_selected_action": [appointment.pk]},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.emails.filter(kind=OutgoingEmail.Kind.CANCELLATION, status="pending").exists()


def test_no_show_action_marks_it_and_drops_the_aftercare(julie, book, time_machine):
    appointment = book(business_time(2026, 12, 2, 10))
    time_machine.move_to(business_time(2026, 12, 2, 10, 20))  # The session has started
    julie.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "mark_no_show", "_selected_action": [appointment.pk], "when": "all"},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert appointment.emails.get(kind=OutgoingEmail.Kind.AFTERCARE).status == OutgoingEmail.Status.SKIPPED
    client_list = julie.get(reverse("admin:appointments_client_changelist")).content.decode()
    assert 'class="field-no_show_count">1<' in client_list


def test_appointment_list_shows_upcoming_by_default_and_past_on_request(julie, book, time_machine):
    time_machine.move_to(business_time(2026, 12, 1, 8))
    past = book(business_time(2026, 12, 2, 10), email="past@example.com")
    book(business_time(2026, 12, 9, 10), email="future@example.com")
    time_machine.move_to(business_time(2026, 12, 5, 8))
    upcoming = julie.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    assert "future@example.com" in upcoming
    assert f"/admin/appointments/appointment/{past.pk}/change/" not in upcoming
    past_list = julie.get(reverse("admin:appointments_appointment_changelist") + "?when=past").content.decode()
    assert f"/admin/appointments/appointment/{past.pk}/change/" in past_list


def test_today_filter_covers_the_whole_25_hour_day_when_clocks_fall_back(julie, caller, service, time_machine):
    late = business_time(2026, 11, 1, 23, 15)  # after 24 hours from midnight: the day has 25
    time_machine.move_to(business_time(2026, 11, 1, 8))
    session = Appointment.objects.create(client=caller, service=service, start=late, end=late + timedelta(hours=1))
    today = julie.get(reverse("admin:appointments_appointment_changelist") + "?when=today").content.decode()
    assert f"/admin/appointments/appointment/{session.pk}/change/" in today


def test_working_hours_that_overlap_are_explained(julie):
    response = julie.post(
        reverse("admin:appointments_workinghours_add"), {"weekday": 0, "start_time": "10:00", "end_time": "11:00"}
    )
    assert "This overlaps other working hours on Monday" in response.content.decode()


def test_time_off_that_ends_before_it_starts_is_explained(julie):
    response = julie.post(
        reverse("admin:appointments_timeoff_add"),
        {"start_0": "2026-12-02", "start_1": "15:00", "end_0": "2026-12-02", "end_1": "14:00", "reason": ""},
    )
    assert response.status_code == 200
    assert "Time off must end after it starts." in response.content.decode()


def test_a_past_session_entered_as_completed_emails_nobody(caller, service):
    from appointments.booking import save_appointment_from_admin

    session = Appointment(
        client=caller,
        service=service,
        status=Appointment.Status.COMPLETED,
        start=business_time(2026, 11, 2, 10),
        end=business_time(2026, 11, 2, 11),
    )
    save_appointment_from_admin(appointment=session, now=business_time(2026, 12, 1, 8))
    assert not session.emails.exists()


def test_a_cancelled_session_put_back_on_is_confirmed_again(book, now):
    from appointments.booking import save_appointment_from_admin

    appointment = book(business_time(2026, 12, 2, 10))
    appointment.status = Appointment.Status.CANCELLED
    save_appointment_from_admin(appointment=appointment, now=now)
    assert appointment.sequence == 1
    appointment.status = Appointment.Status.BOOKED
    save_appointment_from_admin(appointment=appointment, now=now)
    appointment.refresh_from_db()
    assert appointment.sequence == 2
    assert appointment.cancelled_at is None
    current = appointment.emails.filter(sequence=2)
    assert {e.kind for e in current} == {"confirmation", "reminder", "aftercare"}  # no notice to Julie


def test_julie_is_not_told_of_her_own_changes(julie, book):
    appointment = book(business_time(2026, 12, 2, 10))
    julie.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "cancel_and_notify", "_selected_action": [appointment.pk]},
    )
    assert not appointment.emails.filter(kind=OutgoingEmail.Kind.THERAPIST_CANCELLED).exists()


def test_a_clients_page_lists_their_sessions_in_a_fixed_number_of_queries(julie, book, django_assert_max_num_queries):
    for day in [2, 3, 4, 7, 8, 9, 10, 11, 14, 15]:
        appointment = book(business_time(2026, 12, day, 10), email="regular@example.com")
    url = reverse("admin:appointments_client_change", args=[appointment.client.pk])
    with django_assert_max_num_queries(14):  # 12, one for the health intake panel, one for check-ins
        response = julie.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/change/") >= 10


# --- each booking keeps its own name and phone; Julie decides whether the client record follows ---


@pytest.fixture
def two_bookings_one_email(service, now):
    from appointments.booking import ClientDetails, book_appointment

    ada = ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100")
    first = book_appointment(start=business_time(2026, 12, 2, 10), client_details=ada, service=service, now=now)
    new = ClientDetails(name="Ada King", email="ADA@example.com", phone="(203) 555-0666")
    second = book_appointment(start=business_time(2026, 12, 3, 10), client_details=new, service=service, now=now)
    return first, second


def test_appointment_list_shows_each_bookings_own_name_and_flags_differences(julie, two_bookings_one_email):
    first, second = two_bookings_one_email
    page = julie.get(reverse("admin:appointments_appointment_changelist") + "?when=all").content.decode()
    assert "Ada Lovelace" in page and "Ada King" in page
    assert page.count(DETAILS_DIFFER) == 1
    differing = julie.get(reverse("admin:appointments_appointment_changelist") + "?when=all&differ=yes")
    assert f"/appointment/{second.pk}/change/" in differing.content.decode()
    assert f"/appointment/{first.pk}/change/" not in differing.content.decode()


def test_client_page_shows_each_bookings_name_and_what_differs(julie, two_bookings_one_email):
    first, second = two_bookings_one_email
    page = julie.get(reverse("admin:appointments_client_change", args=[first.client_id])).content.decode()
    assert "Ada King" in page and "(203) 555-0666" in page
    assert DETAILS_DIFFER in page


def test_julie_adopts_a_bookings_details_onto_the_client_with_one_action(julie, two_bookings_one_email):
    first, second = two_bookings_one_email
    response = julie.post(
        reverse("admin:appointments_appointment_changelist") + "?when=all",
        {"action": "use_booking_details_for_client", "_selected_action": [second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    second.client.refresh_from_db()
    assert (second.client.name, second.client.phone) == ("Ada King", "(203) 555-0666")
    first.refresh_from_db()
    assert (first.client_name, first.client_phone) == ("Ada Lovelace", "(860) 555-0100")  # history as it was


def test_a_phone_booking_takes_the_clients_details_unless_julie_types_others(julie, caller, service):
    url = reverse("admin:appointments_appointment_add")
    data = {**admin_booking(caller, service, "2026-12-02", "19:00"), "client_name": "", "client_phone": ""}
    assert julie.post(url, data).status_code == 302
    data = {**admin_booking(caller, service, "2026-12-03", "19:00"), "client_name": "Mum of caller"}
    assert julie.post(url, {**data, "client_phone": ""}).status_code == 302
    first, second = Appointment.objects.order_by("start")
    assert (first.client_name, first.client_phone) == ("Phone Caller", "+18605550111")
    assert (second.client_name, second.client_phone) == ("Mum of caller", "+18605550111")


@pytest.mark.parametrize("typed", ["CALLER@example.com", "\u212aate@Example.com"])
def test_julie_adding_a_client_stores_the_normalised_email_and_refuses_a_duplicate(julie, caller, typed):
    url = reverse("admin:appointments_client_add")
    data = {"name": "New", "email": typed, "phone": "860 555 0123", "notes": ""}
    response = julie.post(url, {**data, "appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0"})
    if typed.startswith("CALLER"):
        assert response.status_code == 200
        assert "already exists" in response.content.decode()
        assert Client.objects.count() == 1
    else:
        assert response.status_code == 302
        assert Client.objects.filter(email="kate@example.com").exists()


@pytest.mark.postgres
def test_julie_adding_a_kelvin_sign_look_alike_of_a_client_is_told_it_exists_on_postgresql(julie):
    Client.objects.create(name="Kate", email="kate@example.com", phone="(860) 555-0100")
    data = {"name": "Kate?", "email": "\u212aATE@example.com", "phone": "860 555 0123", "notes": ""}
    response = julie.post(
        reverse("admin:appointments_client_add"),
        {**data, "appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "A client with this email address already exists." in response.content.decode()
    assert Client.objects.count() == 1


def test_moving_a_session_to_another_client_takes_that_clients_details(julie, caller, book):
    appointment = book(business_time(2026, 12, 2, 10))
    data = {
        **admin_booking(caller, appointment.service, "2026-12-02", "10:00"),
        "client_name": appointment.client_name,
        "client_phone": appointment.client_phone,
        "emails-TOTAL_FORMS": str(appointment.emails.count()),
        "emails-INITIAL_FORMS": str(appointment.emails.count()),
    }
    for index, email in enumerate(appointment.emails.order_by("due_at", "pk")):
        data[f"emails-{index}-id"] = email.pk
        data[f"emails-{index}-appointment"] = appointment.pk
    url = reverse("admin:appointments_appointment_change", args=[appointment.pk])
    response = julie.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment.refresh_from_db()
    assert appointment.client == caller
    assert (appointment.client_name, appointment.client_phone) == ("Phone Caller", "+18605550111")


# --- failed emails on the admin index ----------------------------------------------


@pytest.fixture
def refused_confirmation(book):
    from appointments import dispatch

    appointment = book(business_time(2026, 12, 2, 10), email="nobody@example.com")
    confirmation = appointment.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION)
    confirmation.status = OutgoingEmail.Status.FAILED
    confirmation.last_error = dispatch.CLIENT_ADDRESS_REFUSED.format(code=550)
    confirmation.save()
    return confirmation


def test_admin_index_lists_failed_emails_with_what_to_do(julie, refused_confirmation):
    from html import unescape

    from appointments import dispatch

    page = unescape(julie.get(reverse("admin:index")).content.decode())
    assert "Emails that could not be sent (1)" in page
    assert "Someone" in page  # who
    assert "Confirmation about the session of Wednesday, December 2, 10:00 AM" in page  # what
    assert dispatch.CLIENT_ADDRESS_REFUSED.format(code=550) in page  # why, in plain words
    assert 'choose "Send again"' in page
    assert reverse("admin:appointments_outgoingemail_changelist") + "?status__exact=failed" in page
    assert reverse("admin:appointments_client_change", args=[refused_confirmation.appointment.client_id]) in page
    failed_list = julie.get(reverse("admin:appointments_outgoingemail_changelist") + "?status__exact=failed")
    assert failed_list.status_code == 200
    assert "1 outgoing email" in unescape(failed_list.content.decode())


def test_admin_index_shows_failed_emails_only_to_who_may_see_emails(staff_without_permissions, refused_confirmation):
    page = staff_without_permissions.get(reverse("admin:index")).content.decode()
    assert "could not be sent" not in page


def test_admin_index_says_nothing_when_no_email_failed(julie, book):
    book(business_time(2026, 12, 2, 10))
    assert "could not be sent" not in julie.get(reverse("admin:index")).content.decode()


def test_julie_booking_in_her_time_off_is_asked_and_books_once_she_ticks_book_anyway(julie, caller, service):
    TimeOff.objects.create(start=business_time(2026, 12, 2, 13), end=business_time(2026, 12, 2, 17), reason="Dentist")
    url = reverse("admin:appointments_appointment_add")
    response = julie.post(url, admin_booking(caller, service, "2026-12-02", "14:00"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is in your time off: Dentist, Wed Dec 2, 1:00 PM to 5:00 PM." in page
    assert 'type="checkbox" name="book_anyway"' in page
    assert not Appointment.objects.exists()
    response = julie.post(url, {**admin_booking(caller, service, "2026-12-02", "14:00"), "book_anyway": "on"})
    assert response.status_code == 302
    assert Appointment.objects.get().start == business_time(2026, 12, 2, 14)


def test_julie_booking_outside_her_time_off_sees_no_book_anyway_box(julie, caller, service):
    TimeOff.objects.create(start=business_time(2026, 12, 2, 13), end=business_time(2026, 12, 2, 17))
    page = julie.get(reverse("admin:appointments_appointment_add")).content.decode()
    assert 'type="checkbox" name="book_anyway"' not in page
    response = julie.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "2026-12-02", "10:00")
    )
    assert response.status_code == 302


def test_changing_the_note_of_a_session_already_in_her_time_off_asks_nothing(julie, caller, service):
    julie.post(
        reverse("admin:appointments_appointment_add"),
        {**admin_booking(caller, service, "2026-12-02", "14:00")},
    )
    session = Appointment.objects.get()
    TimeOff.objects.create(start=business_time(2026, 12, 2, 13), end=business_time(2026, 12, 2, 17))
    data = {**admin_booking(caller, service, "2026-12-02", "14:00"), "client_name": "", "client_phone": ""}
    data["client_note"] = "Runs late"
    response = julie.post(reverse("admin:appointments_appointment_change", args=[session.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.client_note == "Runs late"
