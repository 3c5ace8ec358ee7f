"""The waitlist: joining a full day, offers when a time frees up, accepting, leaving."""

from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from appointments import booking
from appointments.booking import ClientDetails
from appointments.forms import slot_value
from appointments.models import Appointment, TimeOff
from waitlist import offers
from waitlist.models import Entry, Offer, Part, WaitlistEmail
from waitlist.outbox import send_due_waitlist_emails

from .conftest import business_time

pytestmark = pytest.mark.django_db

DAY = business_time(2026, 12, 2).date()  # Wednesday; now is Tuesday, December 1, 8:00
# The seeded hours (9-12, 13-17), 30-minute steps and 15-minute buffer: these fill Wednesday.
FULL_DAY = [business_time(2026, 12, 2, h, m) for h, m in [(9, 0), (10, 30), (13, 0), (14, 30), (16, 0)]]


@pytest.fixture
def full_day(book):
    return [book(start, email=f"booked{n}@example.com") for n, start in enumerate(FULL_DAY)]


def details(name="Ada Lovelace", email="ada@example.com"):
    return ClientDetails(name=name, email=email, phone="+18605550100")


def join(now, name, part=Part.ANY, day=DAY):
    return offers.join(day=day, part=part, client_details=details(name, f"{name.lower()}@example.com"), now=now).entry


def join_data(**changes):
    return {"part": "any", "name": "Ada Lovelace", "email": "ada@example.com", "phone": "860-555-0100", **changes}


def join_url(day=DAY):
    return reverse("waitlist:join", kwargs={"day": day.isoformat()})


# --- joining ---------------------------------------------------------------------


def test_joining_a_full_day_makes_one_entry_and_a_welcome_email(client, full_day, clock_at_now):
    response = client.post(join_url(), join_data(email=" Ada@Example.COM "))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.day, entry.email, entry.phone, entry.part) == (DAY, "ada@example.com", "+18605550100", "any")
    assert WaitlistEmail.objects.get().kind == WaitlistEmail.Kind.JOINED
    assert "You are on the waitlist" in client.get(response["Location"]).content.decode()


def test_joining_twice_is_one_entry_keeping_its_place_with_the_latest_part(client, full_day, clock_at_now, now):
    first = join(now, "Ada")
    join(now, "Bob")
    response = client.post(join_url(), join_data(email="ADA@example.com", part="afternoon"))
    assert response["Location"].endswith("?again")
    assert Entry.objects.count() == 2
    first.refresh_from_db()
    assert first.part == Part.AFTERNOON and first.joined_at == now
    assert WaitlistEmail.objects.filter(entry=first).count() == 1  # no second welcome


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"email": "not an email"}, "valid email"),
        ({"phone": "12"}, "phone number"),
        ({"name": ""}, "required"),
        ({"name": "Ada\x00"}, ""),
        ({"part": "evening"}, "part of the day"),
        ({"website": "spam"}, "empty"),
    ],
)
def test_a_bad_join_form_says_what_to_fix_and_keeps_what_was_typed(client, full_day, clock_at_now, changes, error):
    response = client.post(join_url(), join_data(**changes))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Please check the form" in html and error in html
    assert 'value="860-555-0100"' in html or "phone" in changes
    assert not Entry.objects.exists()


def test_a_day_with_a_free_time_that_fits_points_to_it_instead(client, book, clock_at_now):
    for start in FULL_DAY[:2]:  # the morning is full, the afternoon free
        book(start)
    response = client.post(join_url(), join_data(part="afternoon"))
    assert offers.FREE_TIME_FITS in unescape(response.content.decode())
    assert not Entry.objects.exists()
    assert client.post(join_url(), join_data(part="morning")).status_code == 302
    assert Entry.objects.get().part == Part.MORNING


def test_days_one_cannot_wait_for_are_refused(client, full_day, clock_at_now, now):
    for day in [now.date() - timedelta(days=1), now.date() + timedelta(days=61)]:
        response = client.post(join_url(day), join_data())
        assert response.status_code == 200
        assert "not open for this day" in response.content.decode()
    assert not Entry.objects.exists()


def test_joining_is_rate_limited_like_booking(client, full_day, clock_at_now, settings):
    settings.FORM_RATE_LIMIT = "2/h"
    for n in range(2):
        assert client.post(join_url(), join_data(email=f"p{n}@example.com")).status_code == 302
    response = client.post(join_url(), join_data(email="third@example.com", name="Third Person"))
    assert response.status_code == 429
    assert 'value="Third Person"' in response.content.decode()


def test_full_days_link_to_their_waitlist_the_same_for_everyone(client, full_day, clock_at_now):
    days = client.get(reverse("appointments:days")).content.decode()
    assert f'href="{join_url()}"' in days
    assert "join its waitlist" in days
    day_page = client.get(reverse("appointments:day", kwargs={"day": DAY.isoformat()})).content.decode()
    assert f'href="{join_url()}"' in day_page


def test_the_calendar_links_full_days_to_their_waitlist_from_today_to_the_horizons_last_day(client, clock_at_now):
    # Now is Tuesday 8:00 with 12 hours' notice: today is full but may still be waited for.
    today, last = business_time(2026, 12, 1).date(), business_time(2027, 1, 30).date()  # 60 days ahead
    TimeOff.objects.create(start=business_time(2027, 1, 30), end=business_time(2027, 1, 31), reason="Away")
    first_weeks = client.get(reverse("appointments:days")).content.decode()
    assert f'href="{join_url(today)}"' in first_weeks
    assert "Full days in a dashed box have a waitlist" in first_weeks
    last_weeks = client.get(reverse("appointments:days"), {"from": last.isoformat()}).content.decode()
    assert f'href="{join_url(last)}"' in last_weeks
    assert join_url(last + timedelta(days=1)) not in last_weeks  # past the horizon: nothing to wait for


def test_the_calendar_for_moving_a_session_offers_no_waitlist(client, full_day, book, clock_at_now):
    appointment = book(business_time(2026, 12, 3, 10), email="mover@example.com")
    page = client.get(reverse("appointments:reschedule", kwargs={"token": appointment.manage_token})).content.decode()
    assert "booking-calendar" in page
    assert "/waitlist/" not in page and "join its waitlist" not in page and "dashed box" not in page


# --- offers ------------------------------------------------------------------------


def test_a_cancellation_offers_the_time_to_everyone_waiting_in_join_order(full_day, now):
    ada, bob = join(now, "Ada"), join(now + timedelta(minutes=1), "Bob")
    join(now, "Cleo", Part.AFTERNOON)
    booking.cancel_appointment(appointment=full_day[1], now=now, by_client=False)  # 10:30 frees
    made = Offer.objects.order_by("pk")
    assert [offer.entry for offer in made] == [ada, bob]  # Cleo wants the afternoon
    assert {offer.start for offer in made} == {FULL_DAY[1]}
    emails = WaitlistEmail.objects.filter(kind=WaitlistEmail.Kind.OFFER).order_by("due_at", "pk")
    assert [email.entry for email in emails] == [ada, bob]
    assert made[0].valid_until == now + offers.OFFER_LASTS


def test_a_move_and_julies_admin_cancel_free_the_old_time(full_day, now, rules):
    ada = join(now, "Ada")
    rules.minimum_notice_hours = 0
    rules.cancellation_cutoff_hours = 0
    rules.save()
    later = business_time(2026, 12, 3, 9)
    booking.reschedule_appointment(appointment=full_day[0], new_start=later, now=now)
    assert Offer.objects.get(entry=ada).start == FULL_DAY[0]
    session = full_day[2]
    session.status = Appointment.Status.CANCELLED
    booking.save_appointment_from_admin(appointment=session, now=now)
    assert set(Offer.objects.filter(entry=ada).values_list("start", flat=True)) == {FULL_DAY[0], FULL_DAY[2]}


def test_time_off_removed_or_shortened_is_offered(book, now):
    for start in FULL_DAY[2:]:
        book(start)
    morning = booking.save_time_off(
        time_off=TimeOff(start=business_time(2026, 12, 2, 9), end=business_time(2026, 12, 2, 12)),
        cancel_overlapping=False,
        now=now,
    )
    assert morning == []
    ada = join(now, "Ada")
    time_off = TimeOff.objects.get()
    time_off.end = business_time(2026, 12, 2, 10, 15)  # shortened: 10:30 to 12 frees
    booking.save_time_off(time_off=time_off, cancel_overlapping=False, now=now)
    assert list(Offer.objects.values_list("start", flat=True)) == [business_time(2026, 12, 2, 10, 30)]
    booking.delete_time_off(time_off=time_off, now=now)
    assert business_time(2026, 12, 2, 9) in Offer.objects.filter(entry=ada).values_list("start", flat=True)


def test_time_off_deleted_in_admin_is_offered(julie_in_admin, book, now, clock_at_now):
    for start in FULL_DAY[2:]:
        book(start)
    time_off = TimeOff.objects.create(start=business_time(2026, 12, 2, 9), end=business_time(2026, 12, 2, 12))
    join(now, "Ada")
    url = reverse("admin:appointments_timeoff_delete", args=[time_off.pk])
    assert julie_in_admin.post(url, {"post": "yes"}).status_code == 302
    assert Offer.objects.filter(start=business_time(2026, 12, 2, 9)).exists()


def test_no_offer_inside_the_minimum_notice_or_too_short_to_use(full_day, now, rules):
    join(now, "Ada")
    # 22:20 on Tuesday: 10:30 on Wednesday is 12 h 10 min away, held only 10 minutes.
    booking.cancel_appointment(appointment=full_day[1], now=business_time(2026, 12, 1, 22, 20), by_client=False)
    # 23:00: inside the minimum notice.
    booking.cancel_appointment(appointment=full_day[0], now=business_time(2026, 12, 1, 23), by_client=False)
    assert not Offer.objects.exists()


def test_an_offer_ends_at_the_minimum_notice_when_that_comes_first(full_day, now):
    join(now, "Ada")
    evening = business_time(2026, 12, 1, 21)
    booking.cancel_appointment(appointment=full_day[1], now=evening, by_client=False)
    assert Offer.objects.get().valid_until == FULL_DAY[1] - timedelta(hours=12)


def test_a_time_is_never_offered_twice_to_one_entry(full_day, now, book):
    join(now, "Ada")
    booking.cancel_appointment(appointment=full_day[1], now=now, by_client=False)
    book(FULL_DAY[1])  # someone books it the usual way, then cancels
    booking.cancel_appointment(appointment=Appointment.objects.get(start=FULL_DAY[1], status="booked"), now=now)
    assert Offer.objects.count() == 1


def test_someone_already_booked_that_day_is_not_offered_it(full_day, now):
    join(now, "Booked0")  # booked0@example.com has the 9:00 session
    booking.cancel_appointment(appointment=full_day[1], now=now, by_client=False)
    assert not Offer.objects.exists()


# --- accepting ---------------------------------------------------------------------


@pytest.fixture
def two_offers(full_day, now):
    join(now, "Ada")
    join(now + timedelta(minutes=1), "Bob")
    booking.cancel_appointment(appointment=full_day[1], now=now, by_client=False)
    return list(Offer.objects.order_by("entry__joined_at"))


def test_the_first_to_accept_books_it_and_the_other_hears_kindly(client, two_offers, clock_at_now):
    ada_offer, bob_offer = two_offers
    response = client.post(reverse("waitlist:offer", args=[bob_offer.token]), {"accept_policy": "on"})
    assert response.status_code == 302 and "/book/confirmed/" in response["Location"]
    session = Appointment.objects.get(start=FULL_DAY[1], status="booked")
    assert (session.client.email, session.client_name) == ("bob@example.com", "Bob")
    bob_offer.refresh_from_db()
    assert bob_offer.status == Offer.Status.ACCEPTED and bob_offer.appointment == session
    assert bob_offer.entry.status == Entry.Status.BOOKED
    # Ada is late: a kind page with other times, and she stays on the list.
    page = client.get(reverse("waitlist:offer", args=[ada_offer.token]))
    html = unescape(page.content.decode())
    assert offers.OFFER_TAKEN in html and "You are still on the waitlist" in html
    assert "Free times you could book instead" in html and reverse("appointments:details") in html
    posted = client.post(reverse("waitlist:offer", args=[ada_offer.token]), {"accept_policy": "on"})
    assert offers.OFFER_TAKEN in unescape(posted.content.decode())
    assert Appointment.objects.filter(start=FULL_DAY[1], status="booked").count() == 1


def test_accepting_twice_shows_the_same_booking(client, two_offers, clock_at_now):
    url = reverse("waitlist:offer", args=[two_offers[0].token])
    first = client.post(url, {"accept_policy": "on"})
    assert client.post(url, {"accept_policy": "on"})["Location"] == first["Location"]
    assert client.get(url)["Location"] == first["Location"]
    assert Appointment.objects.filter(start=FULL_DAY[1], status="booked").count() == 1


def test_accepting_needs_the_policy_and_never_happens_on_get(client, two_offers, clock_at_now):
    url = reverse("waitlist:offer", args=[two_offers[0].token])
    assert "Book this time" in client.get(url).content.decode()
    assert "cancellation policy" in client.post(url, {}).content.decode()
    assert not Appointment.objects.filter(start=FULL_DAY[1], status="booked").exists()


def test_an_expired_offer_cannot_be_accepted(two_offers, now):
    later = two_offers[0].valid_until
    with pytest.raises(offers.OfferGone, match="ended"):
        offers.accept(offer=two_offers[0], now=later)
    assert not Appointment.objects.filter(start=FULL_DAY[1], status="booked").exists()
    offers.accept(offer=two_offers[1], now=later - timedelta(seconds=1))


def test_booked_from_an_offer_then_cancelled_is_off_the_list_and_the_time_offered_again(two_offers, now):
    session = offers.accept(offer=two_offers[0], now=now)
    join(now, "Cleo")
    booking.cancel_appointment(appointment=session, now=now, by_client=False)
    assert Offer.objects.get(pk=two_offers[0].pk).status == Offer.Status.RELEASED
    assert Entry.objects.get(name="Ada").status == Entry.Status.BOOKED
    cleo_offer = Offer.objects.get(status=Offer.Status.OFFERED)  # not Ada again, nor Bob (offered it before)
    assert cleo_offer.entry.name == "Cleo"
    assert offers.accept(offer=cleo_offer, now=now).client.email == "cleo@example.com"  # one accepted per time holds


def test_a_bad_link_is_a_kind_404(client, clock_at_now):
    assert client.get(reverse("waitlist:offer", args=["nope"])).status_code == 404
    assert client.get(reverse("waitlist:leave", args=["nope:sig"])).status_code == 404


# --- leaving, expiring, emails -----------------------------------------------------


def test_take_me_off_shows_a_button_then_acts_only_on_post(client, two_offers, clock_at_now, now):
    entry = two_offers[0].entry
    url = entry.leave_url()
    page = client.get(url).content.decode()
    assert "Take me off the list" in page and 'method="post"' in page
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.WAITING
    assert "You are off the waitlist" in client.post(url).content.decode()
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.LEFT
    with pytest.raises(offers.OfferGone):
        offers.accept(offer=two_offers[0], now=now)
    send_due_waitlist_emails(now=now)
    assert WaitlistEmail.objects.get(offer=two_offers[0]).status == WaitlistEmail.Status.SKIPPED


def test_entries_end_once_their_day_has_passed(full_day, now):
    entry = join(now, "Ada")
    assert entry.is_waiting(today=DAY)
    assert not entry.is_waiting(today=DAY + timedelta(days=1))
    send_due_waitlist_emails(now=now + timedelta(days=2))  # a welcome email stuck until after the day
    assert WaitlistEmail.objects.get().status == WaitlistEmail.Status.SKIPPED


def test_offer_emails_carry_the_offer_and_a_take_me_off_link(two_offers, now, settings):
    send_due_waitlist_emails(now=now + timedelta(minutes=1))  # Bob joined a minute after Ada
    offer_mail = [m for m in mail.outbox if "has come free" in m.subject]
    assert [m.to for m in offer_mail] == [["ada@example.com"], ["bob@example.com"]]
    body = offer_mail[0].body
    assert settings.SITE_URL + two_offers[0].get_absolute_url() in body
    assert settings.SITE_URL + two_offers[0].entry.leave_url() in body
    assert "10:30 AM" in offer_mail[0].subject
    assert offer_mail[0].extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{two_offers[0].entry.leave_url()}>"
    welcome = [m for m in mail.outbox if "on the waitlist" in m.subject]
    assert len(welcome) == 2 and all(settings.SITE_URL + "/waitlist/leave/" in m.body for m in welcome)
    send_due_waitlist_emails(now=now + timedelta(minutes=5))
    assert len(mail.outbox) == 4  # sent once


def test_julie_sees_the_waitlist_in_admin(julie_in_admin, two_offers):
    page = julie_in_admin.get(reverse("admin:waitlist_entry_changelist")).content.decode()
    assert "Ada" in page and "Bob" in page
    entry_page = julie_in_admin.get(reverse("admin:waitlist_entry_change", args=[two_offers[0].entry.pk]))
    assert "Offered" in entry_page.content.decode()
    assert julie_in_admin.get(reverse("admin:waitlist_offer_changelist")).status_code == 200
    assert julie_in_admin.get(reverse("admin:waitlist_waitlistemail_changelist")).status_code == 200


def test_the_offer_page_shows_the_time_in_connecticut(client, two_offers, clock_at_now):
    html = client.get(reverse("waitlist:offer", args=[two_offers[0].token])).content.decode()
    assert "Wednesday, December 2, 2026, 10:30 AM" in html
    assert slot_value(FULL_DAY[1])  # the slot as the booking pages carry it
