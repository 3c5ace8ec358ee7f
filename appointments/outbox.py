"""What each booking change owes in emails, recorded in the same transaction.

Rows of OutgoingEmail are the single source of truth for email: the sender (see
appointments.tasks) only ever sends rows that are pending and due, so a change
recorded here can never be lost by a broker outage.
"""

from datetime import timedelta

from django.db import transaction

from .models import OutgoingEmail
from .tasks import queue_emails

Kind = OutgoingEmail.Kind
Status = OutgoingEmail.Status

# Emails about when and how the session happens; a moved or cancelled
# session's old versions of these are no longer wanted.
SESSION_EMAILS = [Kind.CONFIRMATION, Kind.REMINDER, Kind.AFTERCARE]


def _session_emails(appointment, *, rules, now):
    """Reminder and aftercare for the appointment's current time."""
    emails = []
    reminder_at = appointment.start - timedelta(hours=rules.reminder_hours_before)
    if reminder_at > now:
        # Booked inside the reminder window: the confirmation is the reminder.
        emails.append((Kind.REMINDER, reminder_at))
    emails.append((Kind.AFTERCARE, appointment.end + timedelta(hours=rules.aftercare_hours_after)))
    return emails


def _record(appointment, emails, *, previous_start=None, now):
    """Store the owed emails; once the change commits, ask a worker to send the due ones."""
    created = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            appointment=appointment,
            kind=kind,
            sequence=appointment.sequence,
            due_at=due_at,
            previous_start=previous_start,
        )
        for kind, due_at in emails
    )
    due_now = [email.pk for email in created if email.due_at <= now]
    if due_now:
        transaction.on_commit(lambda: queue_emails(due_now))


def skip_pending(appointment, *, kinds):
    """Mark unsent emails of these kinds as not needed any more. Runs in the caller's transaction.

    Called before the change's own emails are recorded, so only older versions' are pending.
    An email a worker holds right now (appointments.dispatch locks it for its SMTP conversation)
    is left to that worker: waiting for a slow mail server here, under the calendar lock, would
    hold up every booking. If that send fails, the next try finds the email stale and skips it
    (emails.is_still_wanted).
    """
    pending = OutgoingEmail.objects.filter(appointment=appointment, kind__in=kinds, status=Status.PENDING)
    free = pending.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)
    OutgoingEmail.objects.filter(pk__in=list(free)).update(status=Status.SKIPPED)


def _notice(kind, now, tell_julie):
    """Julie's notice of a change, unless she made the change herself."""
    return [(kind, now)] if tell_julie else []


def record_booked(appointment, *, rules, now, tell_julie=True, confirm=True):
    """confirm=False: no confirmation for this session (another email confirms it)."""
    _record(
        appointment,
        [
            *([(Kind.CONFIRMATION, now)] if confirm else []),
            *_notice(Kind.THERAPIST_NEW, now, tell_julie),
            *_session_emails(appointment, rules=rules, now=now),
        ],
        now=now,
    )


def record_cancelled(appointment, *, now, tell_julie=True, tell_client=True):
    skip_pending(appointment, kinds=SESSION_EMAILS + [Kind.RESCHEDULE])
    notice = [(Kind.CANCELLATION, now)] if tell_client else []
    _record(appointment, [*notice, *_notice(Kind.THERAPIST_CANCELLED, now, tell_julie)], now=now)


def record_moved(appointment, *, previous_start, rules, now, tell_julie=True):
    skip_pending(appointment, kinds=SESSION_EMAILS + [Kind.RESCHEDULE])
    _record(
        appointment,
        [
            (Kind.RESCHEDULE, now),
            *_notice(Kind.THERAPIST_MOVED, now, tell_julie),
            *_session_emails(appointment, rules=rules, now=now),
        ],
        previous_start=previous_start,
        now=now,
    )
