"""Julie's day view on her phone, the next free time, and moving a session from the calendar."""

from datetime import date, timedelta
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from appointments import admin_day, agenda, booking
from appointments.availability import next_free_slot, rules_for_julie
from appointments.booking import ClientDetails, book_appointment, cancel_appointment, set_appointment_status
from appointments.forms import slot_value
from appointments.models import Appointment, OutgoingEmail, TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
DAY = reverse("admin:appointments_calendar_day")
TUESDAY = "2026-12-08"


def day_page(browser, day=TUESDAY, **params):
    response = browser.get(DAY, {"day": day, **params})
    assert response.status_code == 200
    return response.content.decode()


def move_url(appointment, **params):
    url = reverse("admin:appointments_calendar_move", args=[appointment.pk])
    return f"{url}?{urlencode(params)}" if params else url


@pytest.fixture(autouse=True)
def _now(time_machine, now):
    time_machine.move_to(now)  # Tuesday, December 1, 2026, 8:00


@pytest.fixture
def ann(service, now):
    """Ann Smith, booked online for Tuesday December 8 at 10:00, with a note for Julie."""
    return book_appointment(
        start=business_time(2026, 12, 8, 10),
        client_details=ClientDetails(name="Ann Smith", email="ann@example.com", phone="(860) 555-0142"),
        service=service,
        now=now,
        note="Migraine since Sunday.",
    )


# --- the day view ---


def test_the_day_lists_each_session_with_a_phone_to_tap_its_status_and_a_note_badge(julie_in_admin, ann):
    page = day_page(julie_in_admin)
    assert "Tuesday, December 8, 2026" in page
    assert "Ann Smith" in page and reverse("admin:appointments_appointment_change", args=[ann.pk]) in page
    assert 'href="tel:+1-860-555-0142"' in page and "Call (860) 555-0142" in page
    assert '<span class="badge badge-status">Booked</span>' in page
    assert '<span class="badge">Note</span>' in page and "Migraine since Sunday." in page
    assert "10:00 AM – 11:00 AM" in page
    assert move_url(ann) in page


def test_a_session_without_a_note_has_no_note_badge(julie_in_admin, book):
    session = book(business_time(2026, 12, 8, 10))
    assert agenda.session_badges(session) == []
    assert '<span class="badge">Note</span>' not in day_page(julie_in_admin)


def test_free_times_link_to_the_booking_form_and_come_back_to_this_day(julie_in_admin, ann):
    page = day_page(julie_in_admin)
    slot = reverse("admin:appointments_calendar_slot")
    back = quote(f"{DAY}?day={TUESDAY}", safe="/")
    one_pm = quote("2026-12-08T13:00:00-05:00", safe="/")
    assert f"{slot}?start={one_pm}&amp;next={back}" in page
    # 9:00 would end inside the 15 minutes kept free before Ann's 10:00.
    assert 'id="free-0900"' not in page and 'id="free-1330"' in page


def test_julies_free_times_ignore_the_clients_minimum_notice(julie_in_admin):
    # At 8:00 on Tuesday, clients can book from 8 PM on; Julie can still take 9:00 this morning.
    assert 'id="free-0900"' in day_page(julie_in_admin, day="2026-12-01")
    assert 'id="free-0930"' in day_page(julie_in_admin, day="2026-12-01")


def test_lunch_and_days_without_hours_are_marked_closed_in_words(julie_in_admin):
    page = day_page(julie_in_admin)
    assert '<li class="day-entry day-closed">' in page
    assert "12:00 PM – 1:00 PM" in page
    sunday = day_page(julie_in_admin, day="2026-12-06")
    assert "Closed all day: you have no working hours on Sundays." in sunday
    assert "free-" not in sunday


def test_time_off_shows_with_its_reason_and_takes_its_free_times_away(julie_in_admin):
    TimeOff.objects.create(start=business_time(2026, 12, 8, 14), end=business_time(2026, 12, 8, 16), reason="Dentist")
    page = day_page(julie_in_admin)
    assert "Time off: Dentist" in page and "2:00 PM – 4:00 PM" in page
    assert 'id="free-1400"' not in page and 'id="free-1330"' not in page  # 1:30 would run into it
    assert 'id="free-1600"' in page


def test_a_whole_day_off_says_all_day(julie_in_admin):
    TimeOff.objects.create(start=business_time(2026, 12, 7), end=business_time(2026, 12, 10), reason="Vacation")
    page = day_page(julie_in_admin)
    assert "All day" in page and "Time off: Vacation" in page and "free-" not in page


def test_cancelled_sessions_show_only_when_asked(julie_in_admin, ann, now):
    cancel_appointment(appointment=ann, now=now, by_client=False)
    hidden = day_page(julie_in_admin)
    assert "Ann Smith" not in hidden
    assert "Show cancelled sessions (1)" in hidden and "?day=2026-12-08&amp;cancelled=1" in hidden
    shown = day_page(julie_in_admin, cancelled="1")
    assert "Ann Smith" in shown and "Cancelled" in shown and "Hide cancelled sessions" in shown
    assert move_url(ann) not in shown  # nothing to move
    # The other links keep cancelled sessions in view.
    assert "?day=2026-12-09&amp;cancelled=1" in shown and 'name="cancelled" value="1"' in shown


def test_previous_and_next_day_and_a_date_picker_reach_any_day(julie_in_admin):
    page = day_page(julie_in_admin)
    assert 'href="?day=2026-12-07"' in page and 'href="?day=2026-12-09"' in page
    assert f'<form class="calendar-jump" method="get" action="{DAY}">' in page
    assert 'type="date" id="calendar-jump-day" name="day" value="2026-12-08"' in page
    assert "Tuesday, December 1, 2026" in julie_in_admin.get(DAY).content.decode()  # today by default
    assert "Sunday, January 5, 2025" in day_page(julie_in_admin, day="2025-01-05")  # long ago


@pytest.mark.parametrize("bad", ["nonsense", "2026-02-30", "9999-01-01"])
def test_a_bad_date_shows_today_with_a_friendly_message(julie_in_admin, bad):
    page = day_page(julie_in_admin, day=bad)
    assert "Please choose a date such as 2026-12-01." in page
    assert "Tuesday, December 1, 2026" in page


def test_the_day_highlights_the_session_just_booked_or_moved(julie_in_admin, ann):
    page = day_page(julie_in_admin, highlight=str(ann.pk))
    assert f'status-booked highlighted" id="appointment-{ann.pk}"' in page
    assert "highlighted" not in day_page(julie_in_admin, highlight="x")


def test_the_legend_names_each_colour(julie_in_admin):
    page = day_page(julie_in_admin)
    for words in ["Booked", "Completed", "No-show", "Time off", "Closed (outside your working hours)", "Free"]:
        assert f"</span>{words}</li>" in page


def test_the_day_view_needs_the_right_to_see_sessions(staff_without_permissions, view_only_staff, ann):
    assert staff_without_permissions.get(DAY).status_code == 403
    page = day_page(view_only_staff)
    assert "Ann Smith" in page
    assert move_url(ann) not in page  # may look, not move
    assert reverse("admin:appointments_calendar_slot") not in page  # nor book


def test_day_and_week_views_run_a_fixed_number_of_queries(julie_in_admin, book, django_assert_max_num_queries):
    def load():
        # Login, two-step devices, permissions and admin's menu take 9; the day its own few, none per session.
        with django_assert_max_num_queries(18):
            day_page(julie_in_admin)
        with django_assert_max_num_queries(16):
            julie_in_admin.get(reverse("admin:appointments_calendar_week"), {"day": TUESDAY, "cancelled": "1"})

    book(business_time(2026, 12, 8, 9), email="first@example.com")
    load()
    for day in range(8, 12):
        for hour in (11, 13, 15):
            book(business_time(2026, 12, day, hour), email=f"c{day}-{hour}@example.com")
    load()


# --- the week and month views ---


def test_the_week_marks_closed_time_links_each_day_and_has_a_legend(julie_in_admin, ann):
    page = julie_in_admin.get(reverse("admin:appointments_calendar_week"), {"day": TUESDAY}).content.decode()
    assert 'class="cell-closed"><span class="visually-hidden">Closed from Tuesday, December 8, 12:00 PM' in page
    assert 'class="cell-closed"><span class="visually-hidden">Closed from Sunday, December 13, 9:00 AM' in page
    assert f'href="{DAY}?day=2026-12-08"' in page
    assert "Closed (outside your working hours)" in page
    assert f'id="appointment-{ann.pk}"' in page


def test_the_week_shows_cancelled_sessions_and_statuses_in_words_when_asked(julie_in_admin, ann, now):
    cancel_appointment(appointment=ann, now=now, by_client=False)
    url = reverse("admin:appointments_calendar_week")
    assert "Ann Smith" not in julie_in_admin.get(url, {"day": TUESDAY}).content.decode()
    page = julie_in_admin.get(url, {"day": TUESDAY, "cancelled": "1"}).content.decode()
    assert "Ann Smith" in page and "(Cancelled)" in page


def test_the_month_marks_days_without_hours_closed_and_links_days_to_the_day_view(julie_in_admin, ann, now):
    url = reverse("admin:appointments_calendar_month")
    page = julie_in_admin.get(url, {"month": "2026-12"}).content.decode()
    assert page.count('<span class="month-closed">Closed</span>') == 5  # the Sundays shown
    assert f'href="{DAY}?day=2026-12-08"' in page
    cancel_appointment(appointment=ann, now=now, by_client=False)
    assert "Ann Smith" not in julie_in_admin.get(url, {"month": "2026-12"}).content.decode()
    assert "Ann Smith (Cancelled)" in julie_in_admin.get(url, {"month": "2026-12", "cancelled": "1"}).content.decode()


def test_the_calendar_is_one_tap_from_every_admin_page(julie_in_admin):
    page = julie_in_admin.get(reverse("admin:index")).content.decode()
    assert f'<a href="{DAY}">Today\'s calendar</a>' in page
    assert f'<a class="button" href="{DAY}">Day view</a>' in page


# --- the next free time ---


def test_next_free_time_opens_its_day_with_the_time_highlighted(julie_in_admin, book, now):
    book(business_time(2026, 12, 1, 9), at=now - timedelta(days=1))  # 9:00 to 10:00, then the 15-minute buffer
    slot = next_free_slot(now=now, length=timedelta(hours=1), rules=rules_for_julie())
    assert slot.start == business_time(2026, 12, 1, 10, 30)
    response = julie_in_admin.get(reverse("admin:appointments_calendar_next_free"))
    free = quote(slot_value(slot.start), safe="")
    assert response.url == f"{DAY}?day=2026-12-01&free={free}#free-1030"
    page = julie_in_admin.get(response.url).content.decode()
    assert "The next free time is Tue Dec 1, 10:30 AM." in page
    assert 'class="button highlighted" id="free-1030"' in page


def test_next_free_time_says_so_when_there_is_none(julie_in_admin):
    TimeOff.objects.create(start=business_time(2026, 11, 1), end=business_time(2028, 1, 1), reason="Sabbatical")
    response = julie_in_admin.get(reverse("admin:appointments_calendar_next_free"), follow=True)
    assert "No free time in the coming year" in response.content.decode()


# --- moving a session ---


def test_moving_tells_the_client_and_moves_the_reminder(ann, now):
    old_reminder = ann.emails.get(kind=Kind.REMINDER)
    new_start = business_time(2026, 12, 9, 14, 30)
    moved = booking.move_appointment_from_admin(appointment=ann, new_start=new_start, now=now)
    assert (moved.start, moved.end) == (new_start, new_start + timedelta(hours=1))
    old_reminder.refresh_from_db()
    assert old_reminder.status == OutgoingEmail.Status.SKIPPED
    reminder = ann.emails.get(kind=Kind.REMINDER, status=OutgoingEmail.Status.PENDING)
    assert reminder.due_at == new_start - timedelta(hours=24)
    notice = ann.emails.get(kind=Kind.RESCHEDULE)
    assert notice.previous_start == business_time(2026, 12, 8, 10)
    assert not ann.emails.filter(kind=Kind.THERAPIST_MOVED).exists()  # she moved it herself


def test_julie_moves_a_session_from_the_day_view(julie_in_admin, ann, django_capture_on_commit_callbacks):
    page = julie_in_admin.get(move_url(ann, day="2026-12-09")).content.decode()
    assert 'name="start" value="2026-12-09T14:30:00-05:00"' in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = julie_in_admin.post(move_url(ann), {"start": "2026-12-09T14:30:00-05:00"})
    assert callbacks  # the reschedule email is queued once the move commits
    assert response.url == f"{DAY}?day=2026-12-09&highlight={ann.pk}#appointment-{ann.pk}"
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 9, 14, 30)
    page = julie_in_admin.get(response.url).content.decode()
    assert "Moved Ann Smith to Wed Dec 9, 2:30 PM; they will get an email about the new time." in page
    assert f'highlighted" id="appointment-{ann.pk}"' in page


def test_the_move_page_offers_times_near_the_session_itself_and_any_other_day(julie_in_admin, ann):
    page = julie_in_admin.get(move_url(ann)).content.decode()
    assert "Free times on Tuesday, December 8" in page
    # 10:30 lies in Ann's own buffer: free for her move. Her own 10:00 is where she is already.
    assert 'value="2026-12-08T10:30:00-05:00"' in page
    assert 'value="2026-12-08T10:00:00-05:00"' not in page
    other = julie_in_admin.get(move_url(ann, day="2026-12-12")).content.decode()  # a Saturday
    assert "Free times on Saturday, December 12" in other and 'value="2026-12-12T09:00:00-05:00"' in other
    assert 'href="?day=2026-12-11"' in other and 'href="?day=2026-12-13"' in other
    assert "No free time on this day" in julie_in_admin.get(move_url(ann, day="2026-12-13")).content.decode()


def test_a_time_taken_meanwhile_is_refused_with_the_free_times_shown_again(julie_in_admin, ann, book):
    book(business_time(2026, 12, 9, 14), email="quicker@example.com")
    response = julie_in_admin.post(move_url(ann), {"start": "2026-12-09T14:30:00-05:00"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert booking.TIME_NOT_FREE in page and "Free times on Wednesday, December 9" in page
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 8, 10)
    assert not ann.emails.filter(kind=Kind.RESCHEDULE).exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2026-12-01T07:00:00-05:00", booking.TIME_PASSED),
        ("2026-12-09T14:10:00-05:00", booking.TIME_NOT_FREE),  # off the grid
        ("2026-12-13T10:00:00-05:00", booking.TIME_NOT_FREE),  # a Sunday: closed
        ("nonsense", "Please choose one of the free times below."),
        ("", "Please choose one of the free times below."),
    ],
)
def test_times_that_are_not_free_are_refused_kindly(julie_in_admin, ann, start, message):
    response = julie_in_admin.post(move_url(ann), {"start": start}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 8, 10)


@pytest.mark.parametrize("status", [Appointment.Status.CANCELLED, Appointment.Status.COMPLETED])
def test_a_cancelled_or_finished_session_cannot_be_moved(julie_in_admin, ann, now, status, time_machine):
    if status == Appointment.Status.CANCELLED:
        cancel_appointment(appointment=ann, now=now, by_client=False)
    else:
        after = business_time(2026, 12, 8, 11)
        time_machine.move_to(after)
        set_appointment_status(appointment=ann, status=status, now=after)
    expected = f"This session is {status.label.lower()}: only a booked session can be moved."
    assert expected in julie_in_admin.get(move_url(ann)).content.decode()
    response = julie_in_admin.post(move_url(ann), {"start": "2026-12-09T14:30:00-05:00"}, follow=True)
    assert expected in response.content.decode()
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 8, 10)


@pytest.mark.parametrize("minutes_after_start", [0, 15])
def test_a_session_under_way_cannot_be_moved(ann, time_machine, minutes_after_start):
    later = business_time(2026, 12, 8, 10) + timedelta(minutes=minutes_after_start)
    time_machine.move_to(later)
    with pytest.raises(booking.BookingError, match="already started"):
        booking.move_appointment_from_admin(appointment=ann, new_start=business_time(2026, 12, 9, 14, 30), now=later)


def test_the_time_it_is_now_has_passed_for_a_move(ann):
    now = business_time(2026, 12, 1, 14)  # a free time on Julie's grid, this very minute
    with pytest.raises(booking.SlotUnavailable) as refused:
        booking.move_appointment_from_admin(appointment=ann, new_start=now, now=now)
    assert str(refused.value) == booking.TIME_PASSED
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 8, 10)


def test_julie_moves_a_session_to_this_afternoon_inside_the_clients_minimum_notice(julie_in_admin, ann, rules):
    assert rules.minimum_notice == timedelta(hours=12)  # clients could not book 2:00 PM today at 8:00 AM
    response = julie_in_admin.post(move_url(ann), {"start": "2026-12-01T14:00:00-05:00"}, follow=True)
    assert "Moved Ann Smith to Tue Dec 1, 2:00 PM" in response.content.decode()
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 1, 14)
    assert ann.emails.filter(kind=Kind.RESCHEDULE).exists()


def test_julie_moves_a_session_by_half_an_hour_into_its_own_time(julie_in_admin, ann):
    response = julie_in_admin.post(move_url(ann), {"start": "2026-12-08T10:30:00-05:00"}, follow=True)
    assert "Moved Ann Smith to Tue Dec 8, 10:30 AM" in response.content.decode()
    ann.refresh_from_db()
    assert (ann.start, ann.end) == (business_time(2026, 12, 8, 10, 30), business_time(2026, 12, 8, 11, 30))
    assert ann.emails.filter(kind=Kind.RESCHEDULE).exists()


def test_moving_needs_the_right_to_change_sessions(view_only_staff, ann):
    assert view_only_staff.get(move_url(ann)).status_code == 403
    assert view_only_staff.post(move_url(ann), {"start": "2026-12-09T14:30:00-05:00"}).status_code == 403
    ann.refresh_from_db()
    assert ann.start == business_time(2026, 12, 8, 10)


def test_moving_an_unknown_session_is_not_found(julie_in_admin, ann):
    assert julie_in_admin.get(reverse("admin:appointments_calendar_move", args=[ann.pk + 99])).status_code == 404


def test_the_session_page_links_to_moving_it(julie_in_admin, ann, now):
    change = reverse("admin:appointments_appointment_change", args=[ann.pk])
    assert f'<a href="{move_url(ann)}">Move to another time</a>' in julie_in_admin.get(change).content.decode()
    cancel_appointment(appointment=ann, now=now, by_client=False)
    assert "Move to another time" not in julie_in_admin.get(change).content.decode()


# --- marking a session completed or a no-show from the day ---


def status_url(appointment, **params):
    url = reverse("admin:appointments_calendar_status", args=[appointment.pk])
    return f"{url}?{urlencode(params)}" if params else url


def back_to_ann(ann, **params):
    return f"{DAY}?{urlencode({'day': TUESDAY, **params})}&highlight={ann.pk}#appointment-{ann.pk}"


@pytest.fixture
def ann_started(ann, time_machine):
    """Ann's 10:00 session, half an hour in."""
    time_machine.move_to(business_time(2026, 12, 8, 10, 30))
    return ann


def test_a_started_session_offers_completed_and_no_show_and_a_later_one_move(julie_in_admin, ann_started, book):
    later = book(business_time(2026, 12, 8, 14), email="later@example.com")
    page = day_page(julie_in_admin)
    assert f'action="{status_url(ann_started)}"' in page
    assert '<button class="button" type="submit" name="status" value="completed">Completed' in page
    assert 'value="no_show">No-show<span class="visually-hidden"> Ann Smith</span></button>' in page
    assert move_url(ann_started) not in page  # under way: too late to move
    assert move_url(later) in page and f'action="{status_url(later)}"' not in page  # not started yet


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Appointment.Status.COMPLETED, "Marked Ann Smith's 10:00 AM session completed."),
        (Appointment.Status.NO_SHOW, "Marked Ann Smith's 10:00 AM session as a no-show."),
    ],
)
def test_julie_marks_a_started_session_from_the_day(julie_in_admin, ann_started, status, message):
    response = julie_in_admin.post(status_url(ann_started), {"status": status})
    assert response.url == back_to_ann(ann_started)
    ann_started.refresh_from_db()
    assert ann_started.status == status
    page = julie_in_admin.get(response.url).content.decode()
    assert escape(message) in page
    assert f'<span class="badge badge-status">{status.label}</span>' in page
    assert f'action="{status_url(ann_started)}"' not in page  # marked: the badge only


def test_marking_keeps_cancelled_sessions_in_view(julie_in_admin, ann_started):
    assert f'action="{status_url(ann_started, cancelled=1)}"' in day_page(julie_in_admin, cancelled="1")
    response = julie_in_admin.post(status_url(ann_started, cancelled=1), {"status": "completed"})
    assert response.url == back_to_ann(ann_started, cancelled=1)


def test_a_session_not_started_yet_is_refused_with_the_reason(julie_in_admin, ann):
    response = julie_in_admin.post(status_url(ann), {"status": "no_show"}, follow=True)
    assert response.redirect_chain[0][0] == back_to_ann(ann)
    assert booking.NOT_STARTED.format(status="no-show") in response.content.decode()
    ann.refresh_from_db()
    assert ann.status == Appointment.Status.BOOKED


def test_a_cancelled_session_is_refused_with_the_reason(julie_in_admin, ann, now, time_machine):
    cancel_appointment(appointment=ann, now=now, by_client=False)
    time_machine.move_to(business_time(2026, 12, 8, 11))
    response = julie_in_admin.post(status_url(ann), {"status": "completed"}, follow=True)
    assert booking.CANCELLED_STAYS.format(status="completed") in response.content.decode()
    ann.refresh_from_db()
    assert ann.status == Appointment.Status.CANCELLED


@pytest.mark.parametrize("status", ["booked", "cancelled", "nonsense", ""])
def test_only_completed_or_no_show_can_be_posted(julie_in_admin, ann_started, status):
    response = julie_in_admin.post(status_url(ann_started), {"status": status}, follow=True)
    assert response.status_code == 200
    assert "Please tap Completed or No-show." in response.content.decode()
    ann_started.refresh_from_db()
    assert ann_started.status == Appointment.Status.BOOKED


def test_marking_a_session_that_no_longer_exists_says_so(julie_in_admin, ann_started):
    url = reverse("admin:appointments_calendar_status", args=[ann_started.pk + 99])
    response = julie_in_admin.post(url, {"status": "completed"}, follow=True)
    assert response.status_code == 200
    assert "That session no longer exists: nothing was marked." in response.content.decode()


def test_marking_needs_the_right_to_change_sessions_and_a_post(julie_in_admin, view_only_staff, ann_started):
    assert f'action="{status_url(ann_started)}"' not in day_page(view_only_staff)
    assert view_only_staff.post(status_url(ann_started), {"status": "completed"}).status_code == 403
    assert julie_in_admin.get(status_url(ann_started)).status_code == 405
    ann_started.refresh_from_db()
    assert ann_started.status == Appointment.Status.BOOKED


def test_a_day_of_started_sessions_runs_a_fixed_number_of_queries(
    julie_in_admin, book, time_machine, django_assert_max_num_queries
):
    for hour in (9, 11, 13, 15):
        book(business_time(2026, 12, 8, hour), email=f"c{hour}@example.com")
    time_machine.move_to(business_time(2026, 12, 8, 17))
    with django_assert_max_num_queries(18):  # as many as a day of sessions still to come
        page = day_page(julie_in_admin)
    assert page.count('value="no_show">No-show') == 4


def test_day_plan_orders_a_day_and_groups_free_times(ann, now):
    plan = agenda.day_plan(date(2026, 12, 8), now=now, length=timedelta(hours=1))
    kinds = [entry.kind for entry in plan.entries]
    # Nothing fits between Ann (and the buffer after her) and lunch.
    assert kinds == ["session", "closed", "free"]
    assert [s.local_start.strftime("%H:%M") for s in plan.entries[2].slots] == [
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"
    ]  # fmt: skip
    assert plan.is_open and plan.cancelled_count == 0


def test_a_session_time_says_the_year_only_when_it_is_not_this_one():
    # Tuesday, December 1, 2026 is "now" (the _now fixture).
    assert admin_day.session_time(business_time(2026, 12, 8, 14, 30)) == "Tue Dec 8, 2:30 PM"
    assert admin_day.session_time(business_time(2027, 1, 5, 9)) == "Tue Jan 5, 2027, 9:00 AM"
