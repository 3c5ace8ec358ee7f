"""axe-core and the Nu Html Checker on the admin pages Julie uses, as the Therapist group.

The same checks as the public pages (test_accessibility.py), on a phone and a desktop
screen. A finding in markup that Django admin itself writes (its templates, widgets and
CSS, which the project does not ship) is listed in DJANGO_ADMIN_FINDINGS with the reason;
anything else is the project's to fix.
"""

import json
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.availability import horizon_slots, wall_clock_to_utc
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, CalendarFeed, Client, TimeOff
from intake import intakes
from intake.models import ConsentText
from services.models import Service
from tests.e2e.test_accessibility import AXE_JS, _require, _serious_axe_findings, _vnu_errors
from tests.e2e.test_admin_journey import julie, log_in  # noqa: F401 (julie is a fixture)
from tests.e2e.test_checkin_journey import a_client_checking_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

# Findings in Django admin's own markup, by (tool, text the finding starts with or contains), with why.
DJANGO_ADMIN_FINDINGS = {
    # The client field's type-to-search box (autocomplete_fields) is Django admin's select2:
    # its combobox has no name of its own, and its <select> holds only the chosen option.
    ("axe", "aria-input-field-name (serious): ARIA input fields must have an accessible name at .select2-selection"),
    ("vnu", "must have either an empty “value” attribute, or must have no text content"),
    ("vnu", "without a “size” attribute whose value is greater than “1”, must have a descendant “option” element"),
}


def julies_pages():
    """(name, path) of every admin page Julie's day takes her to, with a session and time off to show."""
    now = timezone.now()
    today = timezone.localdate()
    service = Service.objects.get(slug="craniosacral-therapy")
    slot = next(s for s in horizon_slots(now=now, length=service.duration) if s.local_start.date() > today)
    appointment = book_appointment(
        start=slot.start,
        client_details=ClientDetails(name="Grace Hopper", email="grace@example.com", phone="(860) 555-0123"),
        service=service,
        now=now,
    )
    day = slot.local_start.date()
    TimeOff.objects.create(
        start=wall_clock_to_utc(day, time(15)), end=wall_clock_to_utc(day, time(17)), reason="Dentist"
    )
    client = Client.objects.get(email="grace@example.com")
    # A session that began an hour ago shows the Completed and No-show buttons on today's page.
    began = max(now - timedelta(hours=1), wall_clock_to_utc(today, time(0)))
    Appointment.objects.create(client=client, service=service, start=began, end=began + service.duration)
    # Grace's intake, sent with an answer that needs Julie's attention.
    intake = intakes.intake_of(client)
    intakes.send_intake(
        intake=intake,
        answers={"emergency_name": "Ada Hopper", "headache_days": 9, "migraine_days": 4, "seizures": "yes"},
        consent_text=ConsentText.current(),
        consent_name="Grace Hopper",
        now=now,
    )
    # Grace checks in weekly: her trend shows on her client page.
    a_client_checking_in(email="grace@example.com")
    feed = CalendarFeed.load()
    free = wall_clock_to_utc(day, time(13))
    changelist = reverse("admin:appointments_appointment_changelist")
    return [
        ("index", reverse("admin:index")),
        ("appointments", reverse("admin:appointments_appointment_changelist")),
        ("appointments-past", reverse("admin:appointments_appointment_changelist") + "?when=past"),
        ("appointment", reverse("admin:appointments_appointment_change", args=[appointment.pk])),
        ("appointment-add", reverse("admin:appointments_appointment_add")),
        ("today", reverse("admin:appointments_calendar_day")),
        ("day", reverse("admin:appointments_calendar_day") + f"?day={day}&cancelled=1"),
        ("move", reverse("admin:appointments_calendar_move", args=[appointment.pk])),
        ("week", reverse("admin:appointments_calendar_week") + f"?day={day}"),
        ("month", reverse("admin:appointments_calendar_month") + f"?month={day:%Y-%m}"),
        ("slot", reverse("admin:appointments_calendar_slot") + f"?start={free.isoformat()}"),
        ("clients", reverse("admin:appointments_client_changelist")),
        ("client", reverse("admin:appointments_client_change", args=[client.pk])),
        ("client-sessions", changelist + f"?client__id__exact={client.pk}&when=all"),
        ("client-search", reverse("admin:appointments_client_changelist") + "?q=860-555-0123"),
        ("time-off", reverse("admin:appointments_timeoff_changelist")),
        ("time-off-add", reverse("admin:appointments_timeoff_add")),
        ("working-hours", reverse("admin:appointments_workinghours_changelist")),
        ("emails", reverse("admin:appointments_outgoingemail_changelist")),
        ("calendar-feed", reverse("admin:appointments_calendarfeed_change", args=[feed.pk])),
        ("business-details", reverse("admin:appointments_businessdetails_change", args=[1])),
        ("appointments-cancelled", reverse("admin:appointments_appointment_changelist") + "?status=cancelled"),
        ("intakes", reverse("admin:intake_intake_changelist")),
        ("intake", reverse("admin:intake_intake_change", args=[intake.pk])),
        ("intake-print", reverse("admin:intake_intake_print", args=[intake.pk])),
        ("consent-texts", reverse("admin:intake_consenttext_changelist")),
        ("consent-text-add", reverse("admin:intake_consenttext_add")),
        ("checkins", reverse("admin:checkins_enrolment_changelist")),
        ("checkins-overview", reverse("admin:checkins_overview")),
    ]


def visit_julies_pages(page, live_server):
    log_in(page, live_server)
    for name, path in julies_pages():
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status, page.url)
        yield name, response


SHOWS = {
    "appointments": "Grace Hopper",
    "today": 'value="no_show"',
    "day": "Dentist",
    "move": "Free times on",
    "week": "Grace Hopper",
    "client-sessions": "Grace Hopper",
    "client-search": "Grace Hopper",
    "time-off": "Dentist",
    "client": "Needs your attention",
    "intake": "Needs your attention",
    "intake-print": "Ada Hopper",
}


def _not_django_admins(tool, findings):
    return [f for f in findings if not any(tool == t and text in f for t, text in DJANGO_ADMIN_FINDINGS)]


def test_axe_finds_nothing_serious_on_julies_pages(live_server, page, viewport, julie):  # noqa: F811
    _require(AXE_JS, "axe-core")
    findings = {}
    for name, _response in visit_julies_pages(page, live_server):
        if name in SHOWS:  # the walk reaches pages with something on them, not empty lists
            assert SHOWS[name] in page.content(), name
        if serious := _not_django_admins("axe", _serious_axe_findings(page)):
            findings[name] = serious
    assert not findings, f"axe-core, {viewport[0]} screen:\n" + json.dumps(findings, indent=2)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)  # the HTML sent is the same on any screen
def test_nu_html_checker_finds_no_error_on_julies_pages(live_server, page, tmp_path, julie):  # noqa: F811
    documents = {name: response.text() for name, response in visit_julies_pages(page, live_server)}
    errors = _not_django_admins("vnu", _vnu_errors(documents, tmp_path))
    assert not errors, "Nu Html Checker:\n" + "\n".join(errors)
