"""A client's data: Julie exports all of it, or erases it so that none is left anywhere."""

import json
import logging
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import models
from django.urls import reverse
from django.utils import timezone

from appointments import booking, dispatch, privacy
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, Client, OutgoingEmail
from tests.conftest import free_port

from .conftest import business_time

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Philippa Quennell", "philippa.q@example.org", "(203) 555-0148"
NOTE = "Migraines since the spring, worse on the left"
CLIENT_NOTES = "Prefers a softer pillow; neck surgery in 2019"
JULIES_NOTE = "Asked about the parking behind the building"
# What must be gone after the erase: each piece of the name, the address, the phone, what she told us.
TRACES = ["Philippa", "Quennell", EMAIL, "555-0148", "Migraines since the spring", "neck surgery", "parking behind"]
PAST_SESSION = business_time(2026, 11, 12, 10)
NEXT_SESSION = business_time(2026, 12, 2, 10)


class _Forms(HTMLParser):
    """The fields of each <form> on a page, as a browser would submit them (no JavaScript)."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1].setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.forms[-1].setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.forms[-1][self._textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea][0] += data.removeprefix("\n")


def form_on(response, field):
    """The page's form that has this field (admin's header also holds a logout form)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    return next(form for form in parser.forms if field in form)


def submit(browser, url, **changes):
    """Open an admin change page and save it with these fields changed, as Julie does."""
    data = form_on(browser.get(url), next(iter(changes)))
    data.update({name: [value] for name, value in changes.items()})
    response = browser.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302, response.context["errors"] if response.context else response


@pytest.fixture
def philippa(service, now, time_machine):
    """Philippa: a session last month (completed), one tomorrow with a note; Julie is told of both."""
    time_machine.move_to(now)
    details = ClientDetails(name=NAME, email=EMAIL, phone=PHONE)
    past = book_appointment(
        start=PAST_SESSION, client_details=details, service=service, now=business_time(2026, 11, 10, 8)
    )
    booking.set_appointment_status(appointment=past, status=Appointment.Status.COMPLETED, now=now)
    upcoming = book_appointment(start=NEXT_SESSION, client_details=details, service=service, now=now, note=NOTE)
    return upcoming.client


@pytest.fixture
def saved_mail(settings, tmp_path):
    """The embedded default's mail: each message printed and saved as a file, here in a temporary folder."""
    settings.EMAIL_BACKEND = "posture_booking.mail.ConsoleAndFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


class RefusingSmtpHandler:
    """A mail server that refuses one recipient the way real ones do: quoting the address."""

    def __init__(self, refused):
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


@pytest.fixture
def smtp_refusing(settings):
    """Switch sending to a real SMTP server on loopback that refuses this address."""
    controllers = []

    def start(address):
        controller = Controller(RefusingSmtpHandler(address), hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False

    yield start
    for controller in controllers:
        controller.stop()


def rows_mentioning(text):
    """Every row of every table with this text in any of its text columns."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        if not columns:
            continue
        anywhere = models.Q()
        for column in columns:
            anywhere |= models.Q(**{f"{column}__icontains": text})
        found += [
            f"{model._meta.label} #{pk}" for pk in model._base_manager.filter(anywhere).values_list("pk", flat=True)
        ]
    return found


def files_mentioning(folder, text):
    return [path.name for path in folder.iterdir() if text.lower().encode() in path.read_bytes().lower()]


def project_log(caplog):
    """What the project logged (the test's own SMTP server logs whole conversations: not ours)."""
    return "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("mail.log"))


def test_erase_end_to_end_leaves_nothing_personal_anywhere(
    philippa, saved_mail, smtp_refusing, julie_in_admin, settings, caplog, time_machine
):
    caplog.set_level(logging.DEBUG)
    upcoming = philippa.appointments.get(start=NEXT_SESSION)

    # Sent: copies saved for her and for Julie. Then her mail server refuses tomorrow's reminder.
    dispatch.send_due_emails(now=business_time(2026, 12, 1, 8))
    assert files_mentioning(saved_mail, EMAIL)
    backend, mail_path = settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH
    smtp_refusing(EMAIL)
    dispatch.send_due_emails(now=business_time(2026, 12, 1, 10))
    reminder = upcoming.emails.get(kind=OutgoingEmail.Kind.REMINDER)
    assert "SMTP 550" in reminder.last_error and EMAIL not in reminder.last_error  # why, without the address
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = backend, mail_path

    # Julie's own edits, through admin: history entries that name her.
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[philippa.pk]), notes=CLIENT_NOTES)
    submit(
        julie_in_admin,
        reverse("admin:appointments_appointment_change", args=[upcoming.pk]),
        client_note=f"{NOTE}. {JULIES_NOTE}",
    )
    assert LogEntry.objects.filter(object_repr__contains=NAME).count() == 2
    for trace in TRACES:
        assert rows_mentioning(trace), trace  # the search below can find each of them

    # The erase, through its confirmation page.
    time_machine.move_to(business_time(2026, 12, 1, 11))
    changelist = reverse("admin:appointments_client_changelist")
    page = julie_in_admin.post(changelist, {"action": "erase_personal_data", "_selected_action": [philippa.pk]})
    confirm = form_on(page, "confirmed")
    response = julie_in_admin.post(changelist, confirm, follow=True)
    assert "Erased 1 client." in response.content.decode()
    julie_in_admin.get(reverse("admin:index"))  # "Recent actions"
    julie_in_admin.get(changelist + "?q=Quennell")  # Julie checks she is gone

    for trace in TRACES:
        assert rows_mentioning(trace) == [], trace
        assert files_mentioning(saved_mail, trace) == [], trace
        assert trace not in project_log(caplog), trace
    assert PHONE not in project_log(caplog)
    # Her sessions stay, anonymised; the erase itself is in admin's history, without her name.
    assert Appointment.objects.filter(client=philippa).count() == 2
    erase_entry = LogEntry.objects.get(change_message=privacy.ERASED_LOG_MESSAGE)
    assert erase_entry.object_repr.startswith(privacy.ERASED_NAME)


def test_erase_asks_first_listing_the_sessions_it_cancels_and_how_to_reach_her(philippa, julie_in_admin):
    page = julie_in_admin.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "erase_personal_data", "_selected_action": [philippa.pk]},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert NAME in text and PHONE in text and 'href="tel:+1-203-555-0148"' in text
    assert "Wednesday, December 2, 2026, 10:00 AM" in text  # tomorrow's session, to be cancelled
    assert "November 12" not in text  # the past one stays as it is
    assert "No email can be sent" in text and "call them" in text
    assert Client.objects.get(pk=philippa.pk).name == NAME  # nothing erased yet
    assert form_on(page, "confirmed")["_selected_action"] == [str(philippa.pk)]


def test_erase_cancels_future_sessions_without_email_and_keeps_the_books(philippa, now):
    privacy.erase_client(client=philippa, now=now)
    past, upcoming = philippa.appointments.order_by("start")
    assert past.status == Appointment.Status.COMPLETED
    assert upcoming.status == Appointment.Status.CANCELLED
    assert upcoming.sequence == 1  # calendars that hold it see the change
    assert not OutgoingEmail.objects.filter(appointment__client=philippa, status=OutgoingEmail.Status.PENDING).exists()
    assert not upcoming.emails.filter(kind=OutgoingEmail.Kind.CANCELLATION).exists()
    philippa.refresh_from_db()
    assert (philippa.name, philippa.phone, philippa.notes) == (privacy.ERASED_NAME, "", "")
    assert philippa.email == f"erased-{philippa.pk}@invalid.example"


def test_erase_keeps_the_saved_emails_of_other_clients(philippa, saved_mail, book, now):
    other = book(business_time(2026, 12, 3, 10), email="x" + EMAIL)  # an address that contains hers
    dispatch.send_due_emails(now=now)
    privacy.erase_client(client=philippa, now=now)
    assert files_mentioning(saved_mail, "x" + EMAIL)
    assert files_mentioning(saved_mail, f"<appointment-{other.pk}-")
    assert not files_mentioning(saved_mail, f"<appointment-{philippa.appointments.first().pk}-")


def test_a_refused_email_is_logged_without_the_address(philippa, smtp_refusing, caplog, now):
    smtp_refusing(EMAIL)
    caplog.set_level(logging.DEBUG)
    dispatch.send_due_emails(now=now)
    assert "failed after 1 attempt(s)" in project_log(caplog)
    assert "(SMTP 550)" in project_log(caplog)
    assert EMAIL not in project_log(caplog)


def test_julie_exports_everything_held_about_a_client(philippa, julie_in_admin, smtp_refusing, service, now):
    smtp_refusing(EMAIL)
    dispatch.send_due_emails(now=now)
    submit(julie_in_admin, reverse("admin:appointments_client_change", args=[philippa.pk]), notes=CLIENT_NOTES)
    booking.cancel_appointment(appointment=philippa.appointments.get(start=NEXT_SESSION), now=now, reason="Flu")

    response = julie_in_admin.post(
        reverse("admin:appointments_client_changelist"),
        {"action": "export_data", "_selected_action": [philippa.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="client-data.json"'
    [data] = json.loads(response.content)
    # Saved through Julie's form: the phone in its one stored form, E.164.
    assert (data["name"], data["email"], data["phone"], data["notes"]) == (NAME, EMAIL, "+12035550148", CLIENT_NOTES)
    assert data["created_at"] == timezone.localtime(philippa.created_at).isoformat()
    past, upcoming = data["appointments"]
    assert past["start"] == PAST_SESSION.isoformat() and past["status"] == "completed"
    assert upcoming["service"] == service.name
    assert upcoming["end"] == business_time(2026, 12, 2, 11).isoformat()
    assert (upcoming["status"], upcoming["source"]) == ("cancelled", "web")
    assert (upcoming["client_note"], upcoming["cancellation_reason"]) == (NOTE, "Flu")
    assert upcoming["cancelled_at"] and upcoming["created_at"] and upcoming["updated_at"]
    confirmation = next(email for email in upcoming["emails"] if email["kind"] == "confirmation")
    assert confirmation["attempts"] == 1 and "SMTP 550" in confirmation["last_error"]
    assert set(confirmation) == {"kind", "status", "due_at", "sent_at", "attempts", "last_error"}
    assert any(email["kind"] == "therapist_new" and email["status"] == "sent" for email in upcoming["emails"])
    [history] = data["admin_history"]
    assert history["action"] == "changed" and history["details"] == "Changed Notes."


def test_deleting_a_client_or_a_session_in_admin_keeps_no_name_in_the_history(julie_in_admin, book, django_user_model):
    julie = django_user_model.objects.get(username="julie")
    julie.user_permissions.add(
        *Permission.objects.filter(codename__in=["delete_client", "delete_appointment", "delete_outgoingemail"])
    )
    session = book(business_time(2026, 12, 2, 10), email="deleted@example.com")
    loner = Client.objects.create(name="Dora Deleted", email="dora@example.com", phone="(860) 555-0177")
    julie_in_admin.post(reverse("admin:appointments_appointment_delete", args=[session.pk]), {"post": "yes"})
    julie_in_admin.post(reverse("admin:appointments_client_delete", args=[loner.pk]), {"post": "yes"})
    assert not Appointment.objects.filter(pk=session.pk).exists()
    assert not Client.objects.filter(pk=loner.pk).exists()
    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs and all("Someone" not in text and "Dora" not in text for text in reprs), reprs


def test_export_and_erase_include_her_waitlist_entries(philippa, now):
    from waitlist.models import Entry

    Entry.objects.create(day=NEXT_SESSION.date(), name=NAME, email=EMAIL, phone=PHONE, joined_at=now)
    Entry.objects.create(
        day=NEXT_SESSION.date(), name="Someone else", email="else@example.com", phone=PHONE, joined_at=now
    )
    exported = privacy.export_client(philippa)
    assert [(e["day"], e["name"], e["email"]) for e in exported["waitlist"]] == [
        (NEXT_SESSION.date().isoformat(), NAME, EMAIL)
    ]
    json.dumps(exported)  # JSON-ready as the export action sends it
    privacy.erase_client(client=philippa, now=now)
    assert list(Entry.objects.values_list("email", flat=True)) == ["else@example.com"]
