"""Building the emails a booking owes: one template trio per kind, one shared layout.

Templates live in templates/emails/<kind>-subject.txt, -body.txt and -body.html.
Links are absolute (SITE_URL); times are shown in the business time zone.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checkins import answers as checkin_answers
from intake import intakes

from .calendar import sessions_ics
from .models import Appointment, BookingRules, BusinessDetails, OutgoingEmail

Kind = OutgoingEmail.Kind

TO_JULIE = {Kind.THERAPIST_NEW, Kind.THERAPIST_CANCELLED, Kind.THERAPIST_MOVED}
# The calendar file each client email carries, by iCalendar METHOD.
CALENDAR_METHOD = {Kind.CONFIRMATION: "REQUEST", Kind.RESCHEDULE: "REQUEST", Kind.CANCELLATION: "CANCEL"}
WHAT_TO_EXPECT_SLUG = "what-to-expect"


def message_id_prefix(appointment_id):
    """How every Message-ID about this appointment starts (erasing finds saved copies by it)."""
    return f"<appointment-{appointment_id}-"


def message_id(email):
    """Stable per (appointment, kind, sequence): a repeat after a crash folds into one in mail clients."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{message_id_prefix(email.appointment_id)}{email.kind}-{email.sequence}@{host}>"


def _sessions(email):
    """The sessions an email is about: a repeat's confirmation lists every active date of it;
    a cancellation, every session of it cancelled at the same moment (the rest of a course)."""
    appointment = email.appointment
    if appointment.series is None or email.kind not in {Kind.CONFIRMATION, Kind.CANCELLATION}:
        return [appointment]
    sessions = Appointment.objects.select_related("service").filter(series=appointment.series).order_by("start")
    if email.kind == Kind.CANCELLATION:
        return list(sessions.filter(status=Appointment.Status.CANCELLED, cancelled_at=appointment.cancelled_at))
    return list(sessions.exclude(status=Appointment.Status.CANCELLED))


def _context(email, rules, business, now):
    appointment = email.appointment
    sessions = _sessions(email)
    return {
        # Each session with its own link to change or cancel it.
        "sessions": [(session, settings.SITE_URL + session.get_manage_url()) for session in sessions],
        "email": email,
        "appointment": appointment,
        "client": appointment.client,
        "service": appointment.service,
        "name_service": appointment.service.is_one_of_several(),
        "rules": rules,
        "business": business,
        # Whether the client can still change it online as they read this (sent now).
        "can_change": appointment.client_can_change(now=now, rules=rules),
        "change_deadline": rules.change_deadline(appointment.start),
        "manage_url": settings.SITE_URL + appointment.get_manage_url(),
        "book_url": settings.SITE_URL + reverse("appointments:days"),
        "admin_url": settings.SITE_URL + reverse("admin:appointments_appointment_change", args=[appointment.pk]),
        # Only the aftercare email quotes the service's "what to expect" section.
        "what_to_expect": (
            appointment.service.sections.filter(slug=WHAT_TO_EXPECT_SLUG).first()
            if email.kind == Kind.AFTERCARE
            else None
        ),
    }


# Client emails that carry the intake link: the reminder only while the intake is missing.
WITH_INTAKE_LINK = {Kind.CONFIRMATION, Kind.REMINDER}


def build_message(email, *, rules=None, now=None):
    """The EmailMultiAlternatives for one OutgoingEmail row (text, HTML and any .ics), as sent at `now`."""
    rules = rules or BookingRules.load()
    business = BusinessDetails.load()
    context = _context(email, rules, business, now or timezone.now())
    if email.kind == Kind.AFTERCARE:  # Two one-tap questions, for clients who asked for check-ins.
        context["session_questions"] = checkin_answers.session_questions(email.appointment)
    if email.kind in WITH_INTAKE_LINK:
        path, context["intake_missing"] = intakes.link_for_session(email.appointment)
        context["intake_url"] = settings.SITE_URL + path
    sessions = [session for session, _ in context["sessions"]]
    prefix = f"emails/{email.kind}"
    subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).split())
    text = render_to_string(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    client = email.appointment.client
    to = [settings.THERAPIST_EMAIL] if email.kind in TO_JULIE else [client.email]
    # Julie's own notifications go to THERAPIST_EMAIL; a client's reply goes to the address they were shown.
    reply_to = [client.email] if email.kind in TO_JULIE else [business.email]
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers={"Message-ID": message_id(email)},
    )
    message.attach_alternative(html, "text/html")
    method = CALENDAR_METHOD.get(email.kind)
    if method:
        # One calendar file holding every session, each its own event (which later changes
        # update). iTIP wants one event per REQUEST or CANCEL, so several are PUBLISHed.
        method = method if len(sessions) == 1 else "PUBLISH"
        ics = sessions_ics(sessions, location=business.location, method=method, attendee=client.email)
        filename = "session.ics" if len(sessions) == 1 else "sessions.ics"
        message.attach(calendar_attachment(ics, method=method, filename=filename))
    return message


def calendar_attachment(ics, *, method, filename="session.ics"):
    """The .ics (bytes) as a MIME part whose Content-Type names its method and its charset once.

    Built here because EmailMessage.attach() adds its own charset to a text/* type,
    so a type that already named one ended up with two.
    """
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.replace_header("Content-Type", f'text/calendar; method={method}; charset="utf-8"')
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


# Why an owed email is no longer sent, in Julie's words (shown by "Send again").
SESSION_CANCELLED = "The session was cancelled."
ALL_CANCELLED = "Every session it lists was cancelled."
SESSION_MOVED = "The session was moved since: the client gets emails for its new time."
SESSION_STARTED = "The session has already started."
ALL_STARTED = "Every session it lists has already started."
SESSION_COMPLETED = "The session is over (marked completed)."
SESSION_NO_SHOW = "The session did not happen (marked no-show)."
BOOKED_AGAIN = "The session is booked again since: the client got a new confirmation."


def why_not_wanted(email, *, now):
    """Why an owed email no longer makes sense to send now, in plain words; None if it does.

    The one rule for the sender (checked again at send time) and for Julie's "Send again".
    """
    appointment = email.appointment
    Status = Appointment.Status
    if email.kind == Kind.CONFIRMATION and appointment.series is not None:
        # A repeat's one confirmation lists the sessions still on (_sessions): it is wanted
        # while any is, even if the first, which carries it, was moved or cancelled since.
        sessions = _sessions(email)
        if not sessions:
            return ALL_CANCELLED
        return ALL_STARTED if all(now >= session.start for session in sessions) else None
    if email.kind in {Kind.CONFIRMATION, Kind.REMINDER, Kind.AFTERCARE}:
        if not appointment.is_active:
            return SESSION_CANCELLED
        if email.sequence != appointment.sequence:
            return SESSION_MOVED
    if email.kind in {Kind.CONFIRMATION, Kind.REMINDER}:
        if appointment.status == Status.COMPLETED:
            return SESSION_COMPLETED
        if appointment.status == Status.NO_SHOW:
            return SESSION_NO_SHOW
        if now >= appointment.start:
            return SESSION_STARTED
    if email.kind == Kind.AFTERCARE and appointment.status == Status.NO_SHOW:
        return SESSION_NO_SHOW
    if email.kind == Kind.CANCELLATION and appointment.status == Status.BOOKED:
        return BOOKED_AGAIN
    return None


def is_still_wanted(email, *, now):
    """Whether an owed email still makes sense to send now (why_not_wanted has no reason)."""
    return why_not_wanted(email, now=now) is None
