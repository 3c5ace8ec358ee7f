"""Thin Celery task for sign-in emails (clients.outbox): asked for by each request, and run every minute from beat."""

from celery import shared_task
from django.utils import timezone

from . import outbox


@shared_task(ignore_result=True)
def send_due_sign_in_emails():
    return outbox.send_due_sign_in_emails(now=timezone.now())
