"""Calendar entries for a booking: the .ics file and the "add to calendar" links."""

from dataclasses import dataclass
from datetime import UTC
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from intake import intakes
from intake.models import Intake

from .hygiene import display_phone
from .models import Appointment

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
PRODID = "-//Posture Massage//Booking//EN"


def event_uid(appointment):
    """Stable across changes, so calendars update the entry instead of adding one."""
    return f"appointment-{appointment.pk}@{urlsplit(settings.SITE_URL).hostname}"


def event_title(appointment):
    return f"{appointment.service.name} with Julie"


def event_description(appointment):
    return (
        f"{appointment.duration_minutes}-minute session at Posture Massage.\n"
        f"To cancel or reschedule: {settings.SITE_URL}{appointment.get_manage_url()}"
    )


def appointment_ics(appointment, *, location, method="PUBLISH", attendee=None):
    """An iCalendar file (bytes) for one appointment.

    PUBLISH for a download; in emails REQUEST (new or moved) and CANCEL, which
    RFC 5546 wants with an organizer and the attendee.
    """
    return sessions_ics([appointment], location=location, method=method, attendee=attendee)


def sessions_ics(appointments, *, location, method="PUBLISH", attendee=None):
    """An iCalendar file (bytes) with one event per appointment (a course's sessions).

    RFC 5546 allows several events (several UIDs) in one file only with PUBLISH.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    for appointment in appointments:
        cal.add_component(_session_event(appointment, location=location, method=method, attendee=attendee))
    return cal.to_ical()


def _session_event(appointment, *, location, method, attendee):
    event = icalendar.Event()
    event.add("uid", event_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", event_title(appointment))
    event.add("description", event_description(appointment))
    if location:
        event.add("location", location)
    if attendee:
        event.add("organizer", f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}", parameters={"CN": "Julie"})
        event.add("attendee", f"mailto:{attendee}", parameters={"RSVP": "FALSE", "PARTSTAT": "ACCEPTED"})
    cancelled = method == "CANCEL" or appointment.status == Appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


@dataclass(frozen=True)
class CalendarLink:
    label: str
    url: str
    elsewhere: bool  # another site's page (opened in a new tab), not a file from ours


def calendar_links(appointment, *, location):
    """Add-to-calendar links for one booking: Google Calendar, Apple Calendar (our .ics
    download) and Outlook.com. The entry says what the .ics says: the service, its time and
    place and the link to change it; never the client's name, note or anything about health."""

    def utc(moment, pattern):
        return moment.astimezone(UTC).strftime(pattern)

    title, details = event_title(appointment), event_description(appointment)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{utc(appointment.start, '%Y%m%dT%H%M%SZ')}/{utc(appointment.end, '%Y%m%dT%H%M%SZ')}",
        "details": details,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": utc(appointment.start, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": utc(appointment.end, "%Y-%m-%dT%H:%M:%SZ"),
        "body": details,
        "location": location,
    }
    return [
        CalendarLink("Google Calendar", f"{GOOGLE_CALENDAR_URL}?{urlencode(google)}", elsewhere=True),
        CalendarLink(
            "Apple Calendar", reverse("appointments:ics", kwargs={"token": appointment.manage_token}), elsewhere=False
        ),
        CalendarLink("Outlook.com", f"{OUTLOOK_CALENDAR_URL}?{urlencode(outlook)}", elsewhere=True),
    ]


def _feed_event(uid, *, start, end, summary, description="", sequence=0, status="CONFIRMED", stamp):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("status", status)
    if description:
        event.add("description", description)
    return event


def therapist_feed_ics(*, appointments, time_off, now):
    """Julie's private feed (bytes): her sessions, with client details, and her time off."""
    host = urlsplit(settings.SITE_URL).hostname
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Posture Massage sessions")
    appointments = list(appointments)
    # Julie knows her one service; once the feed holds several, each title says which.
    several_services = len({appointment.service_id for appointment in appointments}) > 1
    for appointment in appointments:
        cancelled = appointment.status == Appointment.Status.CANCELLED
        # The name and phone given for this booking; the email is the client's one address.
        lines = [
            f"{appointment.service.name}, {appointment.duration_minutes} minutes",
            f"Phone: {display_phone(appointment.client_phone)}",
            f"Email: {appointment.client.email}",
        ]
        if appointment.client_note:
            lines.append(f"Note: {appointment.client_note}")
        # Only whether it is missing: never an answer, nor that one needs Julie's attention.
        if not cancelled and intakes.state_at_session(appointment) == Intake.State.MISSING:
            lines.append("Intake missing")
        lines.append(f"{settings.SITE_URL}{reverse('admin:appointments_appointment_change', args=[appointment.pk])}")
        cal.add_component(
            _feed_event(
                event_uid(appointment),
                start=appointment.start,
                end=appointment.end,
                summary=(
                    f"{'Cancelled: ' if cancelled else ''}{appointment.client_name}"
                    f"{f' · {appointment.service.name}' if several_services else ''}"
                ),
                description="\n".join(lines),
                sequence=appointment.sequence,
                status="CANCELLED" if cancelled else "CONFIRMED",
                stamp=now,
            )
        )
    for block in time_off:
        cal.add_component(
            _feed_event(
                f"time-off-{block.pk}@{host}",
                start=block.start,
                end=block.end,
                summary=f"Time off{': ' + block.reason if block.reason else ''}",
                stamp=now,
            )
        )
    return cal.to_ical()
