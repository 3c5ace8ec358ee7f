"""Every custom admin view and action checks the permission it needs.

Three staff users, none superuser: Julie (the Therapist group), a view-only user and a
user with no permission at all. Calendar pages show every client's name; actions cancel
sessions, send email, replace the feed's secret URL, export or erase a client.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.models import Appointment, CalendarFeed, Client, OutgoingEmail

from .conftest import business_time

pytestmark = pytest.mark.django_db

CLIENT_NAME = "Sofia Marchetti"
SESSION_START = business_time(2026, 12, 2, 10)


@pytest.fixture
def session(service, now, time_machine):
    """Sofia's session tomorrow at 10, with a failed confirmation email."""
    from appointments.booking import ClientDetails, book_appointment

    time_machine.move_to(now)
    details = ClientDetails(name=CLIENT_NAME, email="sofia@example.com", phone="(860) 555-0177")
    appointment = book_appointment(start=SESSION_START, client_details=details, service=service, now=now)
    appointment.emails.filter(kind=OutgoingEmail.Kind.CONFIRMATION).update(status=OutgoingEmail.Status.FAILED)
    return appointment


CALENDAR_VIEWS = [
    ("admin:appointments_calendar_week", "?day=2026-12-01"),
    ("admin:appointments_calendar_month", "?month=2026-12"),
    ("admin:appointments_calendar_slot", "?start=2026-12-03T10:00:00-05:00"),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "query"), CALENDAR_VIEWS)
def test_staff_without_permissions_are_refused_every_calendar_page(
    staff_without_permissions, session, method, name, query
):
    response = getattr(staff_without_permissions, method)(reverse(name) + query)
    assert response.status_code == 403
    assert CLIENT_NAME not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "query"), CALENDAR_VIEWS[:2])
def test_view_only_staff_see_the_calendar_without_ways_to_book(view_only_staff, session, method, name, query):
    response = getattr(view_only_staff, method)(reverse(name) + query)
    assert response.status_code == 200
    assert CLIENT_NAME in response.content.decode()
    assert reverse("admin:appointments_calendar_slot") not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_view_only_staff_cannot_open_the_page_for_booking_a_free_time(view_only_staff, method):
    name, query = CALENDAR_VIEWS[2]
    assert getattr(view_only_staff, method)(reverse(name) + query).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "query"), CALENDAR_VIEWS)
def test_julie_uses_every_calendar_page(julie_in_admin, session, method, name, query):
    response = getattr(julie_in_admin, method)(reverse(name) + query)
    assert response.status_code == 200
    if name == "admin:appointments_calendar_week":
        assert CLIENT_NAME in response.content.decode()
        assert reverse("admin:appointments_calendar_slot") in response.content.decode()
    if name == "admin:appointments_calendar_slot":
        assert reverse("admin:appointments_timeoff_add") in response.content.decode()


def test_admin_home_lists_sessions_only_to_staff_who_may_see_them(
    julie_in_admin, view_only_staff, staff_without_permissions, session
):
    assert CLIENT_NAME in julie_in_admin.get(reverse("admin:index")).content.decode()
    assert CLIENT_NAME in view_only_staff.get(reverse("admin:index")).content.decode()
    response = staff_without_permissions.get(reverse("admin:index"))
    assert response.status_code == 200
    assert CLIENT_NAME not in response.content.decode()


def _status_becomes(status):
    def watch(session):
        return lambda: Appointment.objects.get(pk=session.pk).status == status

    return watch


def _send_again_watch(session):
    return lambda: session.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION).status == OutgoingEmail.Status.PENDING


def _feed_watch(session):
    token = CalendarFeed.load().token
    return lambda: CalendarFeed.load().token != token


def _erase_watch(session):
    return lambda: Client.objects.get(pk=session.client_id).name != CLIENT_NAME


# action: (model, the object to select, watch(session) -> "did it take effect?")
ACTIONS = {
    "cancel_and_notify": ("appointment", lambda s: s.pk, _status_becomes(Appointment.Status.CANCELLED)),
    "mark_completed": ("appointment", lambda s: s.pk, _status_becomes(Appointment.Status.COMPLETED)),
    "mark_no_show": ("appointment", lambda s: s.pk, _status_becomes(Appointment.Status.NO_SHOW)),
    "send_again": ("outgoingemail", lambda s: s.emails.get(kind=OutgoingEmail.Kind.CONFIRMATION).pk, _send_again_watch),
    "regenerate": ("calendarfeed", lambda s: CalendarFeed.load().pk, _feed_watch),
    "export_data": ("client", lambda s: s.client_id, None),  # its effect is the response: see _is_export
    "erase_personal_data": ("client", lambda s: s.client_id, _erase_watch),
}


def _when_it_can_take_effect(action, time_machine):
    """Sessions are marked completed or no-show only once they have started."""
    if action.startswith("mark_"):
        time_machine.move_to(SESSION_START + timedelta(minutes=30))


def _changelist(model):
    return reverse(f"admin:appointments_{model}_changelist")


def _post_action(browser, action, session):
    model, selected, _ = ACTIONS[action]
    # "confirmed" as the erase page's own form sends it: no way round the confirmation.
    data = {"action": action, "_selected_action": [selected(session)], "index": "0", "confirmed": "yes"}
    return browser.post(_changelist(model), data)


def _is_export(response):
    return response.get("Content-Disposition", "").startswith("attachment") and CLIENT_NAME in response.content.decode()


@pytest.mark.parametrize("action", ACTIONS)
def test_julie_is_offered_and_can_use_every_action(julie_in_admin, session, action, time_machine):
    _when_it_can_take_effect(action, time_machine)
    model, _, watch = ACTIONS[action]
    assert f'value="{action}"' in julie_in_admin.get(_changelist(model)).content.decode()
    took_effect = watch(session) if watch else None
    response = _post_action(julie_in_admin, action, session)
    assert _is_export(response) if action == "export_data" else took_effect()


@pytest.mark.parametrize("action", ACTIONS)
def test_view_only_staff_are_not_offered_actions_and_cannot_post_them(view_only_staff, session, action, time_machine):
    _when_it_can_take_effect(action, time_machine)
    model, _, watch = ACTIONS[action]
    changelist = view_only_staff.get(_changelist(model))
    assert changelist.status_code == 200
    assert f'value="{action}"' not in changelist.content.decode()
    took_effect = watch(session) if watch else None
    response = _post_action(view_only_staff, action, session)
    assert not _is_export(response)
    if took_effect:
        assert not took_effect()


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_without_permissions_get_403_for_every_action(staff_without_permissions, session, action, time_machine):
    _when_it_can_take_effect(action, time_machine)
    model, _, watch = ACTIONS[action]
    assert staff_without_permissions.get(_changelist(model)).status_code == 403
    took_effect = watch(session) if watch else None
    response = _post_action(staff_without_permissions, action, session)
    assert response.status_code == 403
    assert CLIENT_NAME not in response.content.decode()
    if took_effect:
        assert not took_effect()


def test_only_export_and_erase_permissions_open_those_actions(django_user_model, session):
    """Changing clients is not enough to take all their data away, or to erase it."""
    from .conftest import _staff_client

    editor = _staff_client(
        django_user_model, "editor", permissions=["appointments.view_client", "appointments.change_client"]
    )
    page = editor.get(_changelist("client")).content.decode()
    assert 'value="export_data"' not in page and 'value="erase_personal_data"' not in page
    assert not _is_export(_post_action(editor, "export_data", session))
    _post_action(editor, "erase_personal_data", session)
    assert Client.objects.get(pk=session.client_id).name == CLIENT_NAME
