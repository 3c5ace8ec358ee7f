"""Julie types times the way Americans write them, in every admin time field, and reads them on a 12-hour clock."""

from datetime import date, time

import pytest
from django.urls import reverse

from appointments.admin_booking import PhoneBookingForm
from appointments.admin_fields import DATE_INVALID, TIME_HELP, TIME_INVALID, TwelveHourTimeField
from appointments.availability import wall_clock_to_utc
from appointments.models import Appointment, TimeOff, WorkingHours

from .conftest import business_time
from .test_admin import admin_booking

pytestmark = pytest.mark.django_db

ACCEPTED = [
    ("2:30 PM", time(14, 30)),
    ("2:30 pm", time(14, 30)),
    ("2:30pm", time(14, 30)),
    ("2:30PM", time(14, 30)),
    ("2:30 p.m.", time(14, 30)),
    ("2:30 P.M.", time(14, 30)),
    ("2:30p.m.", time(14, 30)),
    ("2:30 p.m", time(14, 30)),
    ("2 pm", time(14)),
    ("2pm", time(14)),
    ("2 p.m.", time(14)),
    ("02:30 PM", time(14, 30)),
    ("9:00 AM", time(9)),
    ("9 a.m.", time(9)),
    ("9am", time(9)),
    ("  9:15   am ", time(9, 15)),
    ("12:00 PM", time(12)),
    ("12 pm", time(12)),
    ("12:00 AM", time(0)),
    ("12:30 a.m.", time(0, 30)),
    ("noon", time(12)),
    ("Noon", time(12)),
    ("midnight", time(0)),
    ("MIDNIGHT", time(0)),
    ("14:30", time(14, 30)),
    ("09:05", time(9, 5)),
    ("0:00", time(0)),
    ("23:59", time(23, 59)),
]
REFUSED = [
    "25:00",
    "24:00",
    "13 pm",
    "13:30 PM",
    "0:30 pm",
    "2:61 pm",
    "2:30 xm",
    "2:30 pmm",
    "half past two",
    "2",
    "pm",
]


@pytest.mark.parametrize(("typed", "expected"), ACCEPTED)
def test_every_way_julie_writes_a_time_is_read(typed, expected):
    assert TwelveHourTimeField().clean(typed) == expected


@pytest.mark.parametrize("typed", REFUSED)
def test_what_is_not_a_time_gets_a_friendly_message(typed):
    form = PhoneBookingForm(data={"start_time": typed})
    assert form.errors["start_time"] == [TIME_INVALID]


def test_a_time_shows_on_a_12_hour_clock_in_its_input():
    html = TwelveHourTimeField().widget.render("start_time", time(14, 30))
    assert 'value="2:30 PM"' in html and 'inputmode="text"' in html


@pytest.mark.parametrize("typed", ["2:30pm", "2:30 p.m.", "14:30"])
def test_the_booking_form_reads_2_30pm(typed):
    form = PhoneBookingForm(data={"start_time": typed})
    form.is_valid()
    assert "start_time" not in form.errors
    assert form.cleaned_data["start_time"] == time(14, 30)


# Admin's own forms: appointments, time off, working hours.


@pytest.mark.parametrize("day", ["12/02/2026", "2026-12-02", "12/2/26"])
@pytest.mark.parametrize("typed", ["2:30 PM", "2:30pm", "2:30 p.m.", "14:30"])
def test_an_appointment_takes_a_12_hour_time_and_a_us_date(julie_in_admin, caller, service, day, typed):
    response = julie_in_admin.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, day, typed)
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Appointment.objects.get().start == business_time(2026, 12, 2, 14, 30)


def test_an_appointment_shows_its_time_on_a_12_hour_clock_and_saves_it_unchanged(julie_in_admin, caller, service):
    julie_in_admin.post(
        reverse("admin:appointments_appointment_add"), admin_booking(caller, service, "12/02/2026", "noon")
    )
    appointment = Appointment.objects.get()
    change_url = reverse("admin:appointments_appointment_change", args=[appointment.pk])
    page = julie_in_admin.get(change_url).content.decode()
    assert 'value="12/02/2026"' in page and 'value="12:00 PM"' in page
    # Each of the pair has its own accessible name (axe flagged them unlabelled).
    assert 'aria-label="Date"' in page and 'aria-label="Time"' in page
    data = {**admin_booking(caller, service, "12/02/2026", "12:00 PM"), "status": "booked"}
    data.update({"client_name": appointment.client_name, "client_phone": appointment.client_phone})
    data.update({"cancellation_reason": ""})
    assert julie_in_admin.post(change_url, data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == business_time(2026, 12, 2, 12)


def test_a_bad_time_or_date_in_admin_gets_a_friendly_message(julie_in_admin, caller, service):
    url = reverse("admin:appointments_appointment_add")
    bad_time = julie_in_admin.post(url, admin_booking(caller, service, "12/02/2026", "25:00")).content.decode()
    assert TIME_INVALID in bad_time and 'value="25:00"' in bad_time
    bad_date = julie_in_admin.post(url, admin_booking(caller, service, "13/45/2026", "2 pm")).content.decode()
    assert DATE_INVALID in bad_date
    assert not Appointment.objects.exists()


def test_time_off_takes_12_hour_times_and_shows_them(julie_in_admin):
    url = reverse("admin:appointments_timeoff_add")
    data = {"start_0": "12/02/2026", "start_1": "noon", "end_0": "12/02/2026", "end_1": "5 p.m.", "reason": "Dentist"}
    assert julie_in_admin.post(url, data).status_code == 302
    time_off = TimeOff.objects.get()
    assert (time_off.start, time_off.end) == (business_time(2026, 12, 2, 12), business_time(2026, 12, 2, 17))
    page = julie_in_admin.get(reverse("admin:appointments_timeoff_change", args=[time_off.pk])).content.decode()
    assert 'value="12:00 PM"' in page and 'value="5:00 PM"' in page
    assert page.count(TIME_HELP) == 2  # Under each of start and end.
    listing = julie_in_admin.get(reverse("admin:appointments_timeoff_changelist")).content.decode()
    assert "Wed Dec 2, 2026, 12:00 PM" in listing and "Wed Dec 2, 2026, 5:00 PM" in listing


def test_time_off_on_the_night_dst_repeats_an_hour_is_read_as_the_first(julie_in_admin):
    url = reverse("admin:appointments_timeoff_add")
    data = {"start_0": "11/01/2026", "start_1": "1:30 AM", "end_0": "11/01/2026", "end_1": "3 AM", "reason": ""}
    assert julie_in_admin.post(url, data).status_code == 302
    assert TimeOff.objects.get().start == wall_clock_to_utc(date(2026, 11, 1), time(1, 30))


def test_time_off_in_the_hour_dst_skips_is_saved_not_a_server_error(julie_in_admin):
    url = reverse("admin:appointments_timeoff_add")
    data = {"start_0": "03/08/2026", "start_1": "2:30 AM", "end_0": "03/08/2026", "end_1": "4 AM", "reason": ""}
    assert julie_in_admin.post(url, data).status_code == 302
    assert TimeOff.objects.get().start == wall_clock_to_utc(date(2026, 3, 8), time(2, 30))


def test_working_hours_take_12_hour_times_and_show_them(julie_in_admin):
    WorkingHours.objects.all().delete()
    url = reverse("admin:appointments_workinghours_add")
    response = julie_in_admin.post(url, {"weekday": 0, "start_time": "9 a.m.", "end_time": "5:30pm"})
    assert response.status_code == 302
    hours = WorkingHours.objects.get()
    assert (hours.start_time, hours.end_time) == (time(9), time(17, 30))
    page = julie_in_admin.get(reverse("admin:appointments_workinghours_change", args=[hours.pk])).content.decode()
    assert 'value="9:00 AM"' in page and 'value="5:30 PM"' in page
    assert page.count(TIME_HELP) == 2
    listing = julie_in_admin.get(reverse("admin:appointments_workinghours_changelist")).content.decode()
    assert "9:00 AM" in listing and "5:30 PM" in listing
    assert str(hours) == "Monday 9:00 AM–5:30 PM"


def test_working_hours_refuse_a_bad_time_kindly(julie_in_admin):
    url = reverse("admin:appointments_workinghours_add")
    page = julie_in_admin.post(url, {"weekday": 0, "start_time": "9 xm", "end_time": "5pm"}).content.decode()
    assert TIME_INVALID in page
