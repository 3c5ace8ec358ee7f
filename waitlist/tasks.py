"""Thin Celery tasks for waitlist emails (waitlist.outbox); the sweep runs every minute from beat."""

from celery import shared_task
from django.utils import timezone

from . import outbox


@shared_task(ignore_result=True)
def send_waitlist_email(email_id):
    outbox.send_waitlist_email(email_id, now=timezone.now())


@shared_task(ignore_result=True)
def send_due_waitlist_emails():
    return outbox.send_due_waitlist_emails(now=timezone.now())
