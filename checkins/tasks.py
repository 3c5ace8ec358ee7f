"""Thin Celery tasks for check-ins; beat records the week's rows hourly and sends due ones every minute."""

from celery import shared_task
from django.utils import timezone

from . import outbox, weeks
from .models import SessionFeedback


@shared_task(ignore_result=True)
def record_due_checkins():
    return weeks.record_due_checkins(now=timezone.now())


@shared_task(ignore_result=True)
def send_due_checkins():
    return outbox.send_due(now=timezone.now())


@shared_task(ignore_result=True)
def send_notice(feedback_id):
    outbox.send_one(SessionFeedback, feedback_id, now=timezone.now())
