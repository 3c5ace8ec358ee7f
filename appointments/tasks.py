"""Celery tasks of the booking system: thin wrappers that take primary keys.

``send_due_emails`` runs every minute from beat and sends whatever is due;
``send_email`` is queued when a booking commits so its confirmation goes out at
once. Both only ever send pending rows (see appointments.dispatch), so a lost,
repeated or late task message never loses or doubles an email.

``worker_heartbeat`` runs every minute from beat and leaves the time it ran in
the shared cache, so a health check can tell whether beat and a worker are alive.
"""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import dispatch

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "appointments:worker-heartbeat"


@shared_task(ignore_result=True)
def send_due_emails():
    return dispatch.send_due_emails(now=timezone.now())


@shared_task(ignore_result=True)
def send_email(email_id):
    dispatch.send_email(email_id, now=timezone.now())


def queue_emails(email_ids):
    """Ask a worker to send these now. Never fails: if the broker is down, the sweep sends them.

    Stops at the first failure: each further try would cost another timeout while the
    client waits for their confirmation page.
    """
    for email_id in email_ids:
        try:
            send_email.delay(email_id)
        except Exception as exc:
            logger.warning("Could not queue emails %s (%s); the periodic sweep will send them.", email_ids, exc)
            return


@shared_task(ignore_result=True)
def worker_heartbeat():
    """Store the current time (aware, UTC) under HEARTBEAT_CACHE_KEY; never expires."""
    now = timezone.now()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now.isoformat()


def last_worker_heartbeat():
    """When a worker last ran ``worker_heartbeat`` (aware datetime), or None if never."""
    return cache.get(HEARTBEAT_CACHE_KEY)
