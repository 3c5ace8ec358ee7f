import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
import time_machine
from crispy_forms.utils import render_crispy_form
from django.core import signing
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.urls import reverse

from appointments.booking import KEY_ALREADY_USED, SLOT_TAKEN
from appointments.forms import (
    BOOKING_KEY_INVALID,
    BOOKING_KEY_SALT,
    POLICY_REQUIRED,
    BookingForm,
    CancelForm,
    CourseForm,
    RescheduleForm,
    slot_value,
)
from appointments.hygiene import CONTROL_CHARACTERS, EMAIL_INVALID, PHONE_INVALID
from appointments.models import MANAGE_LINK_SALT, Appointment, BusinessDetails, OutgoingEmail
from appointments.views import CalendarDay
from tests.conftest import free_port

from .conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def issued_key(client, start=WEDNESDAY_10):
    """The one-time key the details page puts in the booking form, as a browser gets it."""
    response = client.get(reverse("appointments:details"), {"start": slot_value(start)})
    return response.context["form"]["booking_key"].value()


def radio_values(html):
    return re.findall(r'type="radio"[^>]*name="start" value="([^"]+)"', html)


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_days_page_links_days_with_free_times(client):
    response = client.get(reverse("appointments:days"))
    assert response.status_code == 200
    assert reverse("appointments:day", kwargs={"day": "2026-12-02"}) in response.content.decode()
    assert "Sunday, December 6: no free times" in text_of(response)


def test_a_calendar_cell_escapes_what_it_writes():
    cell = CalendarDay(
        day=date(2026, 12, 2), count=1, number="2", month="Dec", label="<b>2</b>", href="/book/2026-12-02/?a=1&b=2"
    )
    assert parse_html(cell.html()) == parse_html(
        '<td class="day-free"><a href="/book/2026-12-02/?a=1&amp;b=2"><span aria-hidden="true">'
        '<span class="day-month">Dec</span>2</span><span class="visually-hidden">&lt;b&gt;2&lt;/b&gt;</span></a></td>'
    )
    assert "&lt;b&gt;" in cell.html()
    assert "a=1&amp;b=2" in cell.html()
    plain = CalendarDay(day=date(2026, 12, 3), count=0, number="3", month="", label="Thursday", href="")
    assert plain.html() == (
        '<td class="day-full"><span aria-hidden="true">3</span><span class="visually-hidden">Thursday</span></td>'
    )


def test_the_calendar_is_whole_weeks_of_cells_and_nothing_between_them(client):
    page = client.get(reverse("appointments:days")).content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.DOTALL)[1]
    weeks = re.findall(r"<tr>((?:<td[^>]*>.*?</td>){7})</tr>", body)
    assert len(weeks) == 5
    assert "".join(f"<tr>{week}</tr>" for week in weeks) == body


def test_days_page_query_count_is_flat(client, django_assert_max_num_queries, book):
    for day in [2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16]:
        book(business_time(2026, 12, day, 10), email=f"c{day}@example.com")
    with django_assert_max_num_queries(8):
        client.get(reverse("appointments:days"))


def test_day_page_lists_times(client):
    response = client.get(reverse("appointments:day", kwargs={"day": "2026-12-02"}))
    assert response.status_code == 200
    assert "9:00 AM" in text_of(response)


def test_a_free_time_links_to_its_booking_form_and_nothing_else(client):
    page = client.get(reverse("appointments:day", kwargs={"day": "2026-12-02"})).content.decode()
    details = reverse("appointments:details")
    assert f'href="{details}?{urlencode({"start": WEDNESDAY_10.isoformat()})}"' in page


@pytest.mark.parametrize("day", ["2026-13-45", "yesterday", "2026-11-30", "2031-01-01", "0000-00-00"])
def test_bad_or_unbookable_days_send_the_client_back_with_a_message(client, day):
    response = client.get(reverse("appointments:day", kwargs={"day": day}), follow=True)
    assert response.status_code == 200
    assert "Please pick a day from the calendar" in text_of(response)


def test_details_page_shows_the_chosen_time(client):
    response = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)})
    assert response.status_code == 200
    assert "Wednesday, December 2, 2026, 10:00 AM to 11:00 AM" in text_of(response)


def test_the_blank_details_form_is_crispys_own_markup_with_this_visitors_time_and_key(client):
    # The page renders its blank fields once per process (forms.blank_details_fields): a client
    # must get exactly what the course choice and crispy make of the whole form.
    response = client.get(reverse("appointments:details"), {"start": slot_value(WEDNESDAY_10)})
    page = response.content.decode()
    shown = page[
        page.index('name="service" value="craniosacral-therapy">') + 44 : page.index(
            '<button type="submit" class="btn btn-primary btn-lg">'
        )
    ]
    form = response.context["form"]
    whole = render_to_string("appointments/_course.html", {"course_form": CourseForm()}) + render_crispy_form(form)
    assert parse_html(shown) == parse_html(whole)
    assert f'name="start" value="{slot_value(WEDNESDAY_10)}"' in shown
    assert f'name="booking_key" value="{form["booking_key"].value()}"' in shown
    assert issued_key(client) != form["booking_key"].value()


@pytest.mark.parametrize("start", ["", "garbage", "2026-12-02T10:00", "2026-12-02T10:15-05:00", "9" * 500])
def test_details_page_with_a_bad_time_sends_the_client_back(client, start):
    response = client.get(reverse("appointments:details"), {"start": start}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain


def test_booking_end_to_end_shows_confirmation_with_manage_link(client):
    response = client.post(reverse("appointments:details"), booking_data(), follow=True)
    assert response.status_code == 200
    appointment = Appointment.objects.get()
    page = text_of(response)
    assert "You're booked" in page
    assert appointment.get_manage_url() in response.content.decode()
    assert appointment.client.phone == "+18605550100"
    assert appointment.client_note == "Migraines most mornings."


def test_invalid_details_keep_what_was_typed(client):
    response = client.post(reverse("appointments:details"), booking_data(phone="12", accept_policy=""))
    assert response.status_code == 200
    page = text_of(response)
    assert PHONE_INVALID in page
    assert POLICY_REQUIRED in page
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert "Migraines most mornings." in page
    assert not Appointment.objects.exists()


def test_taken_slot_offers_other_times_and_keeps_details(client, book):
    book(WEDNESDAY_10, email="first@example.com")
    response = client.post(reverse("appointments:details"), booking_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert SLOT_TAKEN in unescape(html)
    assert radio_values(html)
    assert 'value="Ada Lovelace"' in html
    # The offered times are free ones.
    assert slot_value(WEDNESDAY_10) not in radio_values(html)
    response = client.post(
        reverse("appointments:details"), booking_data(start=business_time(2026, 12, 2, 14)), follow=True
    )
    assert "You're booked" in text_of(response)


def test_double_submit_books_once(client):
    data = booking_data(booking_key=issued_key(client))
    first = client.post(reverse("appointments:details"), data)
    second = client.post(reverse("appointments:details"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1


def test_honeypot_filled_books_nothing(client):
    response = client.post(reverse("appointments:details"), booking_data(website="http://spam.example"))
    assert response.status_code == 200
    assert not Appointment.objects.exists()


def test_overlong_fields_are_refused_kindly(client):
    response = client.post(reverse("appointments:details"), booking_data(name="x" * 500, note="y" * 5000))
    assert response.status_code == 200
    assert "Ensure this value has at most" in text_of(response)
    assert not Appointment.objects.exists()


def test_rate_limit_counts_bookings_made_and_answers_kindly_keeping_the_form(client, settings):
    settings.FORM_RATE_LIMIT = "2/h"
    url = reverse("appointments:details")
    for hour in (10, 14):
        made = client.post(url, booking_data(start=business_time(2026, 12, 2, hour), email=f"c{hour}@example.com"))
        assert made.status_code == 302
    response = client.post(url, booking_data(start=business_time(2026, 12, 3, 10)))
    assert response.status_code == 429
    assert "try again later" in text_of(response)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert Appointment.objects.count() == 2


def test_form_errors_and_lost_races_do_not_count_towards_the_rate_limit(client, settings, book):
    settings.FORM_RATE_LIMIT = "2/h"
    url = reverse("appointments:details")
    book(WEDNESDAY_10, email="first@example.com")
    for _ in range(5):
        assert client.post(url, booking_data(email="bad")).status_code == 200
        assert client.post(url, booking_data(start=WEDNESDAY_10)).status_code == 200  # just taken
    assert client.post(url, booking_data(start=business_time(2026, 12, 2, 14))).status_code == 302


def test_behind_the_proxy_each_client_has_its_own_rate_limit(client, settings):
    settings.FORM_RATE_LIMIT = "1/h"
    url = reverse("appointments:details")
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = client.post(url, booking_data(), HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy)
    assert first.status_code == 302
    again = booking_data(start=business_time(2026, 12, 2, 14))
    assert client.post(url, again, HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy).status_code == 429
    assert client.post(url, again, HTTP_X_FORWARDED_FOR="198.51.100.8", **via_proxy).status_code == 302


def test_booking_works_while_the_cache_is_unreachable(client, settings):
    """Redis down: no rate limit can be counted, and the booking goes through all the same."""
    settings.CACHES = {
        "default": {
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.post(reverse("appointments:details"), booking_data())
    assert response.status_code == 302
    assert Appointment.objects.filter(client__email="ada@example.com").exists()


def test_booking_views_reject_other_methods(client):
    assert client.put(reverse("appointments:details")).status_code == 405


@pytest.fixture
def booked(book):
    return book(WEDNESDAY_10, email="ada@example.com")


def test_manage_page_shows_the_booking_and_its_actions(client, booked):
    response = client.get(booked.get_manage_url())
    page = text_of(response)
    assert "Wednesday, December 2, 2026" in page
    assert "Reschedule" in page and "Cancel this session" in page


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: t[:-2], lambda t: "abc", lambda t: t.upper()])
def test_tampered_manage_links_are_refused_kindly(client, booked, mangle):
    url = reverse("appointments:manage", kwargs={"token": mangle(booked.manage_token)})
    response = client.get(url)
    assert response.status_code == 404
    assert "couldn't find that booking" in text_of(response)


def test_manage_token_is_not_derived_from_the_id(client, booked):
    signed_id = signing.Signer(salt=MANAGE_LINK_SALT).sign(str(booked.pk))
    assert client.get(reverse("appointments:manage", kwargs={"token": signed_id})).status_code == 404
    assert str(booked.manage_key.hex) in booked.manage_token


def test_cancel_through_the_manage_link(client, booked):
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Feeling better", "website": ""}, follow=True)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.cancellation_reason == "Feeling better"
    assert "Your session is cancelled" in text_of(response)


def test_cancel_after_cutoff_explains_how_to_reach_julie(client, booked):
    with time_machine.travel(WEDNESDAY_10 - timedelta(hours=3), tick=False):
        response = client.get(booked.get_manage_url())
        page = text_of(response)
        assert "can no longer be changed online" in page
        assert "contact Julie" in page
        client.post(reverse("appointments:cancel", kwargs={"token": booked.manage_token}), {"reason": ""})
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_booking_inside_the_cutoff_tells_how_to_call_julie_on_a_working_link(client, book):
    business = BusinessDetails.load()
    business.phone = "(860) 555-0142"
    business.save()
    soon = book(business_time(2026, 12, 1, 16), at=NOW - timedelta(days=2))  # booked earlier; 8 hours away now
    for url in (reverse("appointments:confirmed", kwargs={"token": soon.manage_token}), soon.get_manage_url()):
        html = client.get(url).content.decode()
        assert "can no longer be changed online" in html
        assert '<a href="tel:+1-860-555-0142">(860) 555-0142</a>' in html


def test_reschedule_through_the_manage_link(client, booked):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    response = client.get(url, {"day": "2026-12-03"})
    assert slot_value(business_time(2026, 12, 3, 14)) in radio_values(response.content.decode())
    new_start = business_time(2026, 12, 3, 14)
    response = client.post(url, {"day": "2026-12-03", "start": slot_value(new_start), "website": ""}, follow=True)
    booked.refresh_from_db()
    assert booked.start == new_start
    assert "Your session has moved" in text_of(response)
    assert booked.emails.filter(kind=OutgoingEmail.Kind.RESCHEDULE).exists()


def test_reschedule_calendar_and_times_agree_on_the_sessions_own_day(client, booked, django_assert_max_num_queries):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    with django_assert_max_num_queries(8):
        response = client.get(url, {"day": "2026-12-02"})
    times = radio_values(response.content.decode())
    assert slot_value(WEDNESDAY_10) not in times, "moving to the same time is no move"
    assert slot_value(business_time(2026, 12, 2, 10, 30)) in times, "its own hour is free around it"
    assert f"Wednesday, December 2: {len(times)} free times" in text_of(response)


def test_reschedule_calendar_shows_the_chosen_days_weeks_and_later_ones_on_request(client, booked):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    chosen = client.get(url, {"day": "2027-01-12"})  # past the first five weeks
    assert "<caption>January 10 to February 13, 2027</caption>" in chosen.content.decode()
    assert 'aria-current="date"' in chosen.content.decode()
    later = client.get(url, {"from": "2027-01-03"})
    assert "<caption>January 3 to February 6, 2027</caption>" in later.content.decode()


def test_reschedule_to_a_bad_time_keeps_the_booking(client, booked):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    response = client.post(url, {"day": "2026-12-03", "start": "not a time", "website": ""})
    assert response.status_code == 200
    booked.refresh_from_db()
    assert booked.start == WEDNESDAY_10


def test_ics_download_and_google_link(client, booked):
    response = client.get(reverse("appointments:ics", kwargs={"token": booked.manage_token}))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"DTSTART:20261202T150000Z" in response.content
    confirmation = client.get(reverse("appointments:confirmed", kwargs={"token": booked.manage_token}))
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in confirmation.content.decode()


def test_one_clients_link_cannot_see_or_cancel_anothers_booking(client, book):
    ada = book(business_time(2026, 12, 2, 10), email="ada@example.com")
    bob = book(business_time(2026, 12, 3, 10), email="bob@example.com")
    page = client.get(ada.get_manage_url()).content.decode()
    assert "bob@example.com" not in page and "Thursday, December 3" not in page
    client.post(reverse("appointments:cancel", kwargs={"token": ada.manage_token}), {"reason": ""})
    bob.refresh_from_db()
    ada.refresh_from_db()
    assert bob.status == Appointment.Status.BOOKED
    assert ada.status == Appointment.Status.CANCELLED


# --- one client cannot rewrite another's details ---


def test_booking_with_someone_elses_email_changes_nothing_of_theirs(client, book):
    ada = book(WEDNESDAY_10, email="ada@example.com")
    response = client.post(
        reverse("appointments:details"),
        booking_data(
            start=business_time(2026, 12, 3, 10), name="Mallory", email="ADA@example.com", phone="203 555 0666"
        ),
        follow=True,
    )
    assert "Thank you, Mallory." in text_of(response)
    assert "Someone" not in text_of(response)  # Ada's name is not shown to whoever used her email
    ada.refresh_from_db()
    assert (ada.client.name, ada.client.phone) == ("Someone", "(860) 555-0199")
    assert (ada.client_name, ada.client_phone) == ("Someone", "(860) 555-0199")
    assert text_of(client.get(ada.get_manage_url())).count("Mallory") == 0


@pytest.mark.postgres
def test_kelvin_sign_email_books_for_the_same_client_on_postgresql(client):
    first = client.post(reverse("appointments:details"), booking_data(email="kate@example.com"))
    assert first.status_code == 302
    look_alike = booking_data(start=business_time(2026, 12, 3, 10), email="\u212aATE@example.com", name="K. Look-alike")
    second = client.post(reverse("appointments:details"), look_alike)
    assert second.status_code == 302
    assert Appointment.objects.values("client").distinct().count() == 1
    assert Appointment.objects.filter(client__email="kate@example.com").count() == 2


@pytest.mark.parametrize(
    "email",
    [
        "ka\u0131e@example.com",  # dotless i: Django's own check lets it through, but it is not kate@
        "kate@exa\uff20mple.com",  # fullwidth @, which normalises into a second @
        "kate@" + ".".join(["\ufb03" * 21] * 4) + ".com",  # ligatures: 93 characters typed, 261 once normalised
    ],
)
def test_an_email_that_is_not_valid_once_normalised_is_refused(client, email):
    response = client.post(reverse("appointments:details"), booking_data(email=email))
    assert response.status_code == 200
    assert EMAIL_INVALID in text_of(response)
    assert not Appointment.objects.exists()


# --- control characters: refused with a clear message, what was typed kept ---


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Ada\x07 Lovelace"),
        ("name", "Ada\u202eecalevoL"),  # right-to-left override
        ("name", "Ada\nLovelace"),
        ("phone", "860-555-0100\x00"),
        ("phone", "860\x1b555\x1b0100"),
        ("email", '"a\x0bX-Injected:yes"@example.com'),
        ("email", "ada\u200b@example.com"),  # zero-width space
        ("note", "Migraines\x08 most mornings"),
        ("note", "Line one\u2028line two"),  # line separator
    ],
)
def test_control_characters_in_the_booking_form_are_refused_next_to_the_field(client, field, value):
    response = client.post(reverse("appointments:details"), booking_data(**{field: value}))
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    form = response.context["form"]
    assert form.errors[field] == [CONTROL_CHARACTERS]
    assert "Migraines most mornings." in text_of(response) or field == "note"
    assert 'value="Ada Lovelace"' in response.content.decode() or field == "name"


def test_line_breaks_and_tabs_are_kept_in_the_note_with_plain_newlines(client):
    response = client.post(reverse("appointments:details"), booking_data(note="Mornings:\r\n\tworst on Mondays\r\n"))
    assert response.status_code == 302
    assert Appointment.objects.get().client_note == "Mornings:\n\tworst on Mondays"


def test_control_characters_in_a_cancel_reason_are_refused(client, booked):
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    response = client.post(url, {"reason": "Feeling\x0c better", "website": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [CONTROL_CHARACTERS]
    assert "Feeling" in text_of(response)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_multi_line_cancel_reason_is_kept(client, booked):
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    client.post(url, {"reason": "Sick.\r\nWill book again.", "website": ""})
    booked.refresh_from_db()
    assert booked.cancellation_reason == "Sick.\nWill book again."


# --- the booking form's one-time key ---


def test_a_reposted_key_from_someone_elses_booking_never_shows_their_confirmation(client, book):
    key = issued_key(client)
    theirs = client.post(reverse("appointments:details"), booking_data(booking_key=key))
    assert theirs.status_code == 302
    mine = booking_data(start=business_time(2026, 12, 3, 10), booking_key=key, name="Mallory", email="m@example.com")
    response = client.post(reverse("appointments:details"), mine)
    assert response.status_code == 200
    assert theirs["Location"] not in response.content.decode()
    assert KEY_ALREADY_USED in text_of(response)
    fresh_key = response.context["form"]["booking_key"].value()
    assert fresh_key != key
    assert 'value="Mallory"' in response.content.decode()
    # Confirming again with the fresh key books, once.
    again = client.post(reverse("appointments:details"), {**mine, "booking_key": fresh_key})
    assert again.status_code == 302
    assert Appointment.objects.count() == 2


def test_a_reposted_key_with_their_email_and_time_but_another_name_or_phone_never_shows_their_booking(client):
    key = issued_key(client)
    theirs = client.post(reverse("appointments:details"), booking_data(booking_key=key))
    assert theirs.status_code == 302
    for changed in [{"name": "Mallory"}, {"phone": "860-555-0666"}, {"note": "Something else."}]:
        response = client.post(reverse("appointments:details"), booking_data(booking_key=key, **changed))
        assert response.status_code == 200, changed
        page = response.content.decode()
        assert theirs["Location"] not in page
        assert KEY_ALREADY_USED in text_of(response)
        assert next(iter(changed.values())) in page, "what they typed is kept"
    assert Appointment.objects.count() == 1


def key_signed_elsewhere():
    """A key in the site's own format, signed with another secret: a forger's best try."""
    return signing.Signer(key="not-this-sites-secret", salt=BOOKING_KEY_SALT).sign("A" * 32)


@pytest.mark.parametrize(
    "key",
    [
        "short",
        "x" * 64,
        "A" * 31 + "!",
        "A" * 31 + "\x00",
        "A" * 32,  # the shape of a key before keys were signed
        "A" * 32 + ":" + "B" * 43,
        pytest.param(key_signed_elsewhere(), id="signed-elsewhere"),
        pytest.param(signing.Signer(salt="another-purpose").sign("A" * 32), id="signed-for-another-purpose"),
    ],
)
def test_a_key_the_site_did_not_make_is_replaced_and_the_client_asked_to_confirm_again(client, key):
    response = client.post(reverse("appointments:details"), booking_data(booking_key=key))
    assert response.status_code == 200
    assert BOOKING_KEY_INVALID in text_of(response)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert "Migraines most mornings." in response.content.decode()
    fresh_key = response.context["form"]["booking_key"].value()
    assert fresh_key != key
    assert not Appointment.objects.exists()
    assert client.post(reverse("appointments:details"), booking_data(booking_key=fresh_key)).status_code == 302
    assert Appointment.objects.count() == 1


def test_the_key_the_details_page_issues_is_signed_by_the_site(client):
    key = issued_key(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", signing.Signer(salt=BOOKING_KEY_SALT).unsign(key))
    assert issued_key(client) != key


@pytest.mark.parametrize("form_class", [BookingForm, CancelForm, RescheduleForm])
def test_every_text_field_of_the_public_forms_refuses_control_characters(form_class):
    for name in form_class().fields:
        if name in {"start", "booking_key", "accept_policy"}:
            continue  # a slot time, the form's own key and a tick box: each parsed strictly
        form = form_class({name: "a\x07b"})
        form.is_valid()
        assert form.errors.get(name) == [CONTROL_CHARACTERS], name
