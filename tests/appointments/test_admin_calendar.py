from datetime import date

import pytest
from django.urls import reverse

from appointments.agenda import week_grid
from appointments.models import TimeOff

from .conftest import business_time

pytestmark = pytest.mark.django_db


def test_week_grid_places_sessions_and_time_off_in_spanning_cells(book):
    session = book(business_time(2026, 12, 2, 10, 30))
    TimeOff.objects.create(start=business_time(2026, 12, 3, 13), end=business_time(2026, 12, 3, 17))
    days, rows = week_grid(date(2026, 12, 2))
    assert days[0] == date(2026, 12, 2)
    cells = [row.cells[0] for row in rows if row.cells[0] is not None]  # Wednesday
    session_cell = next(c for c in cells if c.kind == "session")
    assert session_cell.item == session
    assert session_cell.rowspan == 2  # one hour of half-hour rows
    off_cell = next(c for c in (row.cells[1] for row in rows) if c is not None and c.kind == "off")
    assert off_cell.rowspan == 8
    # Every row of a day is covered exactly once.
    for column in range(7):
        covered = sum(row.cells[column].rowspan for row in rows if row.cells[column] is not None)
        assert covered == len(rows)


def test_week_and_month_views_render_with_a_fixed_number_of_queries(
    julie_in_admin, book, django_assert_max_num_queries
):
    for day in [2, 3, 4]:
        book(business_time(2026, 12, day, 10), email=f"c{day}@example.com")
    url = reverse("admin:appointments_calendar_week") + "?day=2026-12-02"
    # Session, user, her user and group permissions, then the calendar's own few; none per session.
    with django_assert_max_num_queries(12):
        response = julie_in_admin.get(url)
    assert response.status_code == 200
    assert "Someone" in response.content.decode()
    for day in [7, 8, 9, 10, 11]:
        book(business_time(2026, 12, day, 10), email=f"d{day}@example.com")
    with django_assert_max_num_queries(12):
        assert julie_in_admin.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        response = julie_in_admin.get(reverse("admin:appointments_calendar_month") + "?month=2026-12")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["?day=nonsense", "?month=2026-99", "?day=", "?month=x"])
def test_calendar_views_survive_bad_dates(julie_in_admin, query):
    assert julie_in_admin.get(reverse("admin:appointments_calendar_week") + query).status_code == 200
    assert julie_in_admin.get(reverse("admin:appointments_calendar_month") + query).status_code == 200


def test_free_time_offers_booking_or_time_off_prefilled(julie_in_admin):
    start = "2026-12-02T13:00-05:00"
    page = julie_in_admin.get(reverse("admin:appointments_calendar_slot"), {"start": start}).content.decode()
    assert 'name="find"' in page and 'value="book"' in page and "Block off this time instead" in page
    add_form = julie_in_admin.get(reverse("admin:appointments_appointment_add"), {"start": start}).content.decode()
    assert 'value="12/02/2026"' in add_form and 'value="1:00 PM"' in add_form
    off_form = julie_in_admin.get(reverse("admin:appointments_timeoff_add"), {"start": start}).content.decode()
    assert 'value="2:00 PM"' in off_form
    assert julie_in_admin.get(reverse("admin:appointments_appointment_add"), {"start": "bad"}).status_code == 200


def test_admin_index_shows_todays_and_coming_sessions(julie_in_admin, book, time_machine):
    time_machine.move_to(business_time(2026, 12, 2, 7))
    book(business_time(2026, 12, 2, 10), email="today@example.com")
    book(business_time(2026, 12, 4, 14), email="friday@example.com")
    page = julie_in_admin.get(reverse("admin:index")).content.decode()
    assert "Today, Wednesday, December 2" in page
    assert "10:00 AM · Someone" in page
    assert "Friday, December 4" in page
