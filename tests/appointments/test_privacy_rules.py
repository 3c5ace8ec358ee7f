"""The rules of export and erase, one at a time: which sessions an erase cancels, what the books
keep, how admin's history reads afterwards, and which saved copies of emails go."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments import booking, dispatch, privacy
from appointments.booking import ClientDetails, book_appointment
from appointments.hygiene import normalise_email
from appointments.models import Appointment, Client, OutgoingEmail, TimeOff
from checkins.models import Enrolment
from intake import intakes
from waitlist.models import Entry

from . import test_privacy
from .conftest import business_time
from .test_privacy import (
    EMAIL,
    NAME,
    NEXT_SESSION,
    NOTE,
    PAST_SESSION,
    files_mentioning,
    form_on,
    rows_mentioning,
    submit,
)

pytestmark = pytest.mark.django_db

ERASE_AT = business_time(2026, 12, 1, 11)

philippa, saved_mail = test_privacy.philippa, test_privacy.saved_mail  # the fixtures, here too


def erase_page(browser, client):
    """Julie ticks the client and chooses "Erase personal data": the page that asks first."""
    return browser.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "erase_personal_data", "_selected_action": [client.pk]},
    )


def erase_in_admin(browser, client):
    """Julie erases the client through admin, answering Yes on the page that asks first."""
    confirm = form_on(erase_page(browser, client), "confirmed")
    response = browser.post(reverse("admin:appointments_client_changelist"), confirm, follow=True)
    assert "Erased 1 client." in response.content.decode()


def save_unchanged(browser, url):
    """Julie opens a change page and presses Save: admin logs it ("No fields changed.")."""
    response = browser.post(url, {"_save": "Save"})
    assert response.status_code == 302, response.context["errors"] if response.context else response


def history(client):
    return privacy.export_client(Client.objects.get(pk=client.pk))["admin_history"]


def test_erase_cancels_only_her_booked_sessions_still_to_come(philippa, service, julie_in_admin, time_machine):
    details = ClientDetails(name=NAME, email=EMAIL, phone="(203) 555-0148")
    # Last week's session that Julie has not marked yet: it happened, it stays as it is in her books.
    unmarked = book_appointment(
        start=business_time(2026, 11, 24, 10), client_details=details, service=service, now=PAST_SESSION
    )
    # One she had already cancelled herself: nothing more to do about it.
    called_off = book_appointment(
        start=business_time(2026, 12, 8, 10), client_details=details, service=service, now=PAST_SESSION
    )
    called_off = booking.cancel_appointment(appointment=called_off, now=business_time(2026, 11, 20, 9))
    time_machine.move_to(ERASE_AT, tick=False)

    page = erase_page(julie_in_admin, philippa).content.decode()
    assert "Wednesday, December 2, 2026, 10:00 AM" in page  # tomorrow's, to be cancelled
    assert "November 24" not in page and "December 8" not in page

    erase_in_admin(julie_in_admin, philippa)
    upcoming = philippa.appointments.get(start=NEXT_SESSION)
    assert upcoming.status == Appointment.Status.CANCELLED
    assert upcoming.cancelled_at == ERASE_AT  # when, for Julie's books
    unmarked.refresh_from_db()
    assert unmarked.status == Appointment.Status.BOOKED and unmarked.cancelled_at is None
    assert Appointment.objects.get(pk=called_off.pk).cancelled_at == business_time(2026, 11, 20, 9)


def test_erase_blanks_what_she_typed_for_each_session(philippa, now):
    booking.cancel_appointment(appointment=philippa.appointments.get(start=NEXT_SESSION), now=now, reason="Flu")
    privacy.erase_client(client=philippa, now=now)
    for session in privacy.export_client(philippa)["appointments"]:
        personal = {field: session[field] for field in privacy.APPOINTMENT_PERSONAL_FIELDS}
        assert personal == dict.fromkeys(privacy.APPOINTMENT_PERSONAL_FIELDS, ""), session["start"]
        assert session["service"] and session["status"]  # the books keep the rest


def test_export_lists_each_admin_change_about_her_her_sessions_and_her_emails(philippa, julie_in_admin, now):
    confirmation = OutgoingEmail.objects.get(appointment__start=NEXT_SESSION, kind="confirmation")
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[philippa.pk]), notes="Prefers mornings")
    save_unchanged(julie_in_admin, reverse("admin:appointments_outgoingemail_change", args=[confirmation.pk]))

    about_her, about_the_email = history(philippa)
    entry = LogEntry.objects.get(object_id=str(philippa.pk), content_type__model="client")
    assert about_her == {
        "when": timezone.localtime(entry.action_time).isoformat(),
        "what": f"{NAME} <{EMAIL}>",
        "action": "changed",
        "details": "Changed Notes.",
    }
    assert about_the_email["what"] == str(confirmation)
    assert about_the_email["details"] == "No fields changed."


def test_erase_redraws_the_names_in_admins_history_and_keeps_what_was_done(philippa, julie_in_admin, now):
    upcoming = philippa.appointments.get(start=NEXT_SESSION)
    confirmation = upcoming.emails.get(kind="confirmation")
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[philippa.pk]), notes="Prefers mornings")
    submit(
        julie_in_admin,
        reverse("admin:appointments_appointment_change", args=[upcoming.pk]),
        client_note=f"{NOTE}. Parking behind",
    )
    save_unchanged(julie_in_admin, reverse("admin:appointments_outgoingemail_change", args=[confirmation.pk]))

    privacy.erase_client(client=philippa, now=now)

    erased = Client.objects.get(pk=philippa.pk)
    entries = [(entry["what"], entry["details"]) for entry in history(philippa)]
    assert entries == [
        (str(erased), "Changed Notes."),
        (f"{privacy.ERASED_NAME}, Wed Dec 2, 2026 10:00 AM", "Changed Note."),
        (str(confirmation), "No fields changed."),
    ]
    assert rows_mentioning("Philippa") == []


def test_erasing_her_again_keeps_the_first_erase_in_the_history(philippa, julie_in_admin, time_machine):
    time_machine.move_to(ERASE_AT, tick=False)
    erase_in_admin(julie_in_admin, philippa)
    erase_in_admin(julie_in_admin, philippa)  # ticked again among others, say
    assert [entry["details"] for entry in history(philippa)] == [privacy.ERASED_LOG_MESSAGE] * 2


@pytest.mark.parametrize(
    "message",
    [
        "Phoned Philippa about her bill",  # free text
        '["Philippa Quennell"]',  # a list, but not admin's
        '{"note": "Philippa Quennell"}',  # JSON, but not admin's
    ],
)
def test_history_text_that_is_not_admins_own_list_of_fields_goes(philippa, django_user_model, now, message):
    """What a script or another tool wrote into admin's history cannot be vetted: erase blanks it."""
    user = django_user_model.objects.create_user(username="owner", is_staff=True)
    LogEntry.objects.log_actions(user.pk, [philippa], CHANGE, change_message=message, single_object=True)
    privacy.erase_client(client=philippa, now=now)
    [entry] = history(philippa)
    assert (entry["what"], entry["details"]) == (str(Client.objects.get(pk=philippa.pk)), "")


def test_history_of_an_inline_row_keeps_its_fields_and_loses_its_title(philippa, julie_in_admin, now):
    """As admin records a change made in an inline row (the session, named by the client's name)."""
    upcoming = philippa.appointments.get(start=NEXT_SESSION)
    julie = get_user_model().objects.get(username="julie")
    LogEntry.objects.log_actions(julie.pk, [philippa], ADDITION, change_message=[{"added": {}}], single_object=True)
    inline_change = [{"changed": {"name": "appointment", "object": str(upcoming), "fields": ["Client note"]}}]
    LogEntry.objects.log_actions(julie.pk, [philippa], CHANGE, change_message=inline_change, single_object=True)

    privacy.erase_client(client=philippa, now=now)

    added, changed = history(philippa)
    assert added["details"] == "Added."
    assert changed["details"] == f"Changed Client note for appointment “{privacy.ERASED_NAME}”."
    page = julie_in_admin.get(reverse("admin:appointments_client_history", args=[philippa.pk]))
    assert page.status_code == 200 and "Changed Client note" in page.content.decode()
    assert rows_mentioning("Philippa") == []


def sessions_in_the_past(client, service, count, *, hour):
    details = ClientDetails(name=client.name, email=client.email, phone=client.phone)
    for day in [2, 3, 4, 5, 6, 9][:count]:
        start = business_time(2026, 11, day, hour)
        session = book_appointment(start=start, client_details=details, service=service, now=start - timedelta(days=1))
        booking.set_appointment_status(appointment=session, status=Appointment.Status.COMPLETED, now=start)


def queries_of(action):
    ContentType.objects.clear_cache()  # each measured from the same start
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_export_and_erase_take_as_many_queries_for_many_sessions_as_for_one(service, now, time_machine):
    time_machine.move_to(now)
    one, many = (Client.objects.create(name=f"Client {n}", email=f"c{n}@example.com", phone="") for n in (1, 2))
    sessions_in_the_past(one, service, 1, hour=10)
    sessions_in_the_past(many, service, 6, hour=14)
    assert queries_of(lambda: privacy.export_client(many)) == queries_of(lambda: privacy.export_client(one))
    erasing_many = queries_of(lambda: privacy.erase_client(client=many, now=now))
    assert erasing_many == queries_of(lambda: privacy.erase_client(client=one, now=now))


PARTNER = ClientDetails(name="Paul Quennell", email="paul.q@example.org", phone="(203) 555-0149")


@pytest.mark.parametrize("address", [EMAIL, "philippa@bücher.example"])
def test_erase_removes_copies_sent_to_her_about_a_session_now_on_another_record(
    service, saved_mail, julie_in_admin, now, time_machine, address
):
    """She booked for her partner with her address; Julie moved that session to his own record."""
    time_machine.move_to(now)
    details = ClientDetails(name=NAME, email=address, phone="(203) 555-0148")
    hers = book_appointment(start=NEXT_SESSION, client_details=details, service=service, now=now)
    for_him = book_appointment(start=business_time(2026, 12, 3, 10), client_details=details, service=service, now=now)
    paul = Client.objects.create(name=PARTNER.name, email=PARTNER.email, phone=PARTNER.phone)
    dispatch.send_due_emails(now=now)
    submit(julie_in_admin, reverse("admin:appointments_appointment_change", args=[for_him.pk]), client=str(paul.pk))
    assert Appointment.objects.get(pk=for_him.pk).client == paul
    sent_to = normalise_email(address).split("@")[0] + "@"
    about_him = f"<appointment-{for_him.pk}-"
    assert files_mentioning(saved_mail, about_him)

    privacy.erase_client(client=hers.client, now=now)

    assert files_mentioning(saved_mail, sent_to) == []
    assert Appointment.objects.get(pk=for_him.pk).client == paul  # his session stays his


def test_erase_removes_copies_sent_to_the_address_she_had_before_julie_corrected_it(
    service, saved_mail, julie_in_admin, now, time_machine
):
    time_machine.move_to(now)
    typo = "philipa.q@example.org"
    details = ClientDetails(name=NAME, email=typo, phone="(203) 555-0148")
    client = book_appointment(start=NEXT_SESSION, client_details=details, service=service, now=now).client
    dispatch.send_due_emails(now=now)
    assert files_mentioning(saved_mail, typo)
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[client.pk]), email=EMAIL)

    privacy.erase_client(client=client, now=now)

    assert files_mentioning(saved_mail, typo) == []


def test_erase_works_for_an_address_that_has_no_ascii_form(service, saved_mail, now, time_machine):
    """Booking refuses such an address now (no mail can carry it); a row stored before must still erase."""
    address = "anna@" + "bücher" * 10 + ".example"
    with pytest.raises(ValidationError):
        normalise_email(address)
    client = Client.objects.create(name="Anna Undeliverable", email=address, phone="(203) 555-0150")
    Appointment.objects.create(
        client=client,
        service=service,
        start=NEXT_SESSION,
        end=NEXT_SESSION + service.duration,
        client_name=client.name,
        client_phone=client.phone,
    )
    time_machine.move_to(now)

    privacy.erase_client(client=client, now=now)

    assert rows_mentioning("Undeliverable") == [] and rows_mentioning("bücher") == []


def test_export_lists_no_entry_about_other_clients_or_other_things(philippa, book, julie_in_admin, now):
    """Julie's edits of another client, their session and its email, and of time off that has
    the same number as Philippa, her session or its email: none of them is about her."""
    other = book(business_time(2026, 12, 3, 10), email="other@example.com")
    other_email = other.emails.get(kind="confirmation")
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[other.client.pk]), notes="Not hers")
    submit(julie_in_admin, reverse("admin:appointments_appointment_change", args=[other.pk]), client_note="Not hers")
    save_unchanged(julie_in_admin, reverse("admin:appointments_outgoingemail_change", args=[other_email.pk]))
    upcoming = philippa.appointments.get(start=NEXT_SESSION)
    her_numbers = {philippa.pk, upcoming.pk, upcoming.emails.get(kind="confirmation").pk}
    for pk in her_numbers:
        start = business_time(2026, 12, 20, 9) + timedelta(days=pk)
        TimeOff.objects.create(pk=pk, start=start, end=start + timedelta(hours=3), reason="Dentist")
        submit(julie_in_admin, reverse("admin:appointments_timeoff_change", args=[pk]), reason="Conference")
    assert LogEntry.objects.count() == 3 + len(her_numbers)  # all of it logged
    assert history(philippa) == []


def test_an_export_without_a_viewer_holds_no_health_intake_and_no_check_ins(philippa, julie_in_admin, now):
    intakes.intake_of(philippa)
    Enrolment.objects.create(client=philippa)
    julie = get_user_model().objects.get(username="julie")
    assert {"health_intake", "weekly_checkins"} <= set(privacy.export_client(philippa, viewer=julie, now=now))
    assert {"health_intake", "weekly_checkins"}.isdisjoint(privacy.export_client(philippa))


def test_export_lists_admins_history_in_the_order_it_happened(philippa, django_user_model, time_machine):
    """Entries written with their own time (a script, or a clock put right) need not come in the order of their rows."""
    user = django_user_model.objects.create_user(username="owner", is_staff=True)
    for hour, field in [(11, "Notes"), (9, "Phone")]:
        time_machine.move_to(business_time(2026, 12, 1, hour), tick=False)
        message = [{"changed": {"fields": [field]}}]
        LogEntry.objects.log_actions(user.pk, [philippa], CHANGE, change_message=message, single_object=True)
    assert [entry["details"] for entry in history(philippa)] == ["Changed Phone.", "Changed Notes."]


def test_export_lists_admins_entries_of_one_moment_in_the_order_made(philippa, django_user_model, time_machine):
    user = django_user_model.objects.create_user(username="owner", is_staff=True)
    confirmation = OutgoingEmail.objects.get(appointment__start=NEXT_SESSION, kind="confirmation")
    time_machine.move_to(business_time(2026, 12, 1, 9), tick=False)
    for about, field in [(confirmation, "Status"), (philippa, "Notes")]:
        message = [{"changed": {"fields": [field]}}]
        LogEntry.objects.log_actions(user.pk, [about], CHANGE, change_message=message, single_object=True)
    assert [entry["details"] for entry in history(philippa)] == ["Changed Status.", "Changed Notes."]


def test_export_names_an_action_admin_has_no_word_for_other(philippa, django_user_model):
    user = django_user_model.objects.create_user(username="owner", is_staff=True)
    LogEntry.objects.log_actions(user.pk, [philippa], 9, change_message="", single_object=True)
    [entry] = history(philippa)
    assert entry["action"] == "other"


def test_export_lists_her_waitlist_entries_by_day_whenever_she_joined(philippa, now):
    for day in [10, 3]:
        Entry.objects.create(day=business_time(2026, 12, day).date(), name=NAME, email=EMAIL, phone="", joined_at=now)
    days = [entry["day"] for entry in privacy.export_client(philippa)["waitlist"]]
    assert days == ["2026-12-03", "2026-12-10"]


def test_export_lists_her_waitlist_entries_of_one_day_in_the_order_she_joined(philippa, now):
    day = business_time(2026, 12, 3).date()
    for status, joined in [(Entry.Status.LEFT, now), (Entry.Status.BOOKED, now + timedelta(hours=1))]:
        Entry.objects.create(day=day, name=NAME, email=EMAIL, phone="", joined_at=joined, status=status)
    statuses = [entry["status"] for entry in privacy.export_client(philippa)["waitlist"]]
    assert statuses == [Entry.Status.LEFT, Entry.Status.BOOKED]  # taken off, then joined again and booked


def test_erase_removes_copies_sent_before_her_address_was_stored_in_lower_case(philippa, saved_mail, now):
    """Migration 0012 folded the stored address; mail saved before it carries the address as she typed it."""
    mail.send_mail("Your session", "See you on Wednesday.", None, ["Philippa.Q@Example.org"])
    assert files_mentioning(saved_mail, EMAIL)
    privacy.erase_client(client=philippa, now=now)
    assert files_mentioning(saved_mail, EMAIL) == []


def test_erase_removes_copies_sent_to_an_address_not_ascii_before_the_at(saved_mail, now):
    """Booking refuses such an address now; a row stored before, and the mail sent to it, must still erase."""
    address = "jürgen@example.org"
    with pytest.raises(ValidationError):
        normalise_email(address)
    client = Client.objects.create(name="Jürgen Older", email=address, phone="(203) 555-0151")
    mail.send_mail("Your session", "See you on Wednesday.", None, [address])
    as_headers_carry_it = "=?utf-8?q?j=C3=BCrgen?=@example.org"
    assert files_mentioning(saved_mail, as_headers_carry_it)
    privacy.erase_client(client=client, now=now)
    assert files_mentioning(saved_mail, as_headers_carry_it) == []
