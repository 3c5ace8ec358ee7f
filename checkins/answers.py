"""Writing the client's answers: the week's four counts, and the two questions after a session."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from appointments.models import Appointment

from . import outbox, weeks
from .models import SESSION_SALT, AfterEffect, CheckinView, Feeling, SessionFeedback, WeeklyCheckin

WEEK_CLOSED = "This week's check-in has closed, so it can no longer be changed."
# How long after a session its two questions can be answered from the aftercare email.
FEEDBACK_OPEN = timedelta(days=28)
# Julie hears (once) of these answers after a session.
NOTABLE_FEELINGS = {Feeling.MUCH_WORSE}
NOTABLE_EFFECTS = {AfterEffect.HEADACHE}


def open_checkin(client, *, now):
    """The check-in the client can answer or correct now: the latest one whose week has not closed."""
    latest = WeeklyCheckin.objects.filter(client=client).order_by("-week").first()
    return latest if latest is not None and latest.is_open(now=now) and now >= latest.opens_at else None


def save_answer(*, checkin, answers, now):
    """Record or correct a week's answers; a second sending changes the same row. False once closed."""
    with transaction.atomic():
        checkin = WeeklyCheckin.objects.select_for_update().get(pk=checkin.pk)
        if not checkin.is_open(now=now):
            return False
        for name in ["headache_days", "migraine_days", "medicine_days", "worst_pain"]:
            setattr(checkin, name, answers[name])
        checkin.answered_at = now
        checkin.save()
    return True


def session_token(appointment):
    return signing.Signer(salt=SESSION_SALT).sign(str(appointment.pk))


def appointment_from_session_token(token):
    try:
        pk = int(signing.Signer(salt=SESSION_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Appointment.objects.select_related("client").filter(pk=pk).first()


def can_answer_session(appointment, *, now):
    """A held session of a client who is asked, within FEEDBACK_OPEN of its end."""
    return (
        appointment.status in weeks.SESSIONS
        and appointment.end <= now < appointment.end + FEEDBACK_OPEN
        and weeks.is_asked(appointment.client)
    )


def session_questions(appointment):
    """What the aftercare email needs for its one-tap answers, or None if the client is not asked."""
    if not weeks.is_asked(appointment.client):
        return None
    url = settings.SITE_URL + reverse("checkins:session", kwargs={"token": session_token(appointment)})
    return {"url": url, "feelings": Feeling.choices, "after_effects": AfterEffect.choices}


def answer_session(*, appointment, feeling, after_effect, now):
    """Record (or change) the two answers after a session; Julie is told once if one is notable."""
    with transaction.atomic():
        feedback = SessionFeedback.objects.select_for_update().filter(appointment=appointment).first()
        if feedback is None:
            feedback = SessionFeedback(appointment=appointment, status=SessionFeedback.Status.SKIPPED, due_at=now)
        feedback.feeling, feedback.after_effect, feedback.answered_at = feeling, after_effect, now
        feedback.notable = feeling in NOTABLE_FEELINGS or after_effect in NOTABLE_EFFECTS
        never_owed = feedback.status == SessionFeedback.Status.SKIPPED and feedback.attempts == 0
        if feedback.notable and never_owed:
            feedback.status, feedback.due_at = SessionFeedback.Status.PENDING, now
        feedback.save()
    if feedback.status == SessionFeedback.Status.PENDING:
        transaction.on_commit(lambda: outbox.queue_notice(feedback.pk))
    return feedback


def record_view(*, client, viewer, now, what):
    """Someone on Julie's side saw the client's answers: call it wherever they are shown or exported."""
    CheckinView.objects.create(
        client=client, viewer=viewer, viewer_name=viewer.get_username(), viewed_at=now, what=what
    )
