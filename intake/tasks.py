"""Thin Celery tasks for intake emails (intake.outbox); the sweep runs every minute from beat."""

from celery import shared_task
from django.utils import timezone

from . import outbox


@shared_task(ignore_result=True)
def send_intake_email(email_id):
    outbox.send_intake_email(email_id, now=timezone.now())


@shared_task(ignore_result=True)
def send_due_intake_emails():
    return outbox.send_due_intake_emails(now=timezone.now())
