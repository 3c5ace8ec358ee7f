"""Emails through real Celery workers, Redis and PostgreSQL, to an SMTP server on loopback.

The worker processes send to an aiosmtpd server run by this test process
(EMAIL_URL=smtp://127.0.0.1:<port>), which counts what arrives by Message-ID:
one per (appointment, kind, sequence), so a Message-ID seen twice is an email
sent twice.
"""

import asyncio
import os
import re
import signal
import time
from collections import Counter
from datetime import timedelta
from email.parser import BytesHeaderParser

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from appointments import dispatch, emails
from appointments.availability import horizon_slots
from appointments.booking import ClientDetails, book_appointment
from appointments.models import Appointment, Client, OutgoingEmail
from appointments.tasks import send_due_emails, send_email
from posture_booking.celery import app
from services.models import Service
from tests.conftest import free_port

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Kind = OutgoingEmail.Kind
Status = OutgoingEmail.Status


# --- an SMTP server the workers can reach -----------------------------------------


class CountingSmtpHandler:
    """Keeps every message's Message-ID, and answers "250 OK" `delay` seconds later.

    It keeps the message as soon as it has it, as a slow server does that delivers what
    it received even if the sender hangs up before the answer (RFC 1047): a sender
    killed while waiting cannot know the email went out.
    """

    def __init__(self, delay=0.0):
        self.delay = delay
        self.message_ids = []

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.message_ids.append(headers["Message-ID"])
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def counts(self):
        return Counter(list(self.message_ids))

    def duplicates(self):
        return {message_id: n for message_id, n in self.counts().items() if n > 1}


@pytest.fixture
def smtp_sink():
    """Start a counting SMTP server: returns (handler, {"EMAIL_URL": ...} for the worker's env)."""
    controllers = []

    def start(delay=0.0):
        handler = CountingSmtpHandler(delay)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return handler, {"EMAIL_URL": f"smtp://127.0.0.1:{controller.port}"}

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(autouse=True)
def _empty_default_queue(redis_url):
    """Drop task messages other tests left in the shared default queue."""
    app.control.purge()


# --- data --------------------------------------------------------------------------


@pytest.fixture
def csmt(seeded):
    return Service.objects.get(slug="craniosacral-therapy")


def due_emails(count, *, service):
    """`count` pending emails due a minute ago: confirmation and Julie's notice for count/2 sessions."""
    client = Client.objects.create(name="Bulk Client", email="bulk@example.com", phone="(860) 555-0101")
    first = timezone.now().replace(microsecond=0) + timedelta(days=3)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            client=client,
            service=service,
            start=first + timedelta(hours=2 * i),
            end=first + timedelta(hours=2 * i + 1),
        )
        for i in range(count // 2)
    )
    due_at = timezone.now() - timedelta(minutes=1)
    rows = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(appointment=appointment, kind=kind, sequence=appointment.sequence, due_at=due_at)
        for appointment in appointments
        for kind in (Kind.CONFIRMATION, Kind.THERAPIST_NEW)
    )
    return {emails.message_id(row) for row in rows}


def book_now(service, email="ada@example.com"):
    """Book the first free slot for real now (the worker compares due times with its clock)."""
    now = timezone.now()
    slot = horizon_slots(now=now, length=timedelta(hours=1))[0]
    details = ClientDetails(name="Ada Lovelace", email=email, phone="(860) 555-0100")
    return book_appointment(start=slot.start, client_details=details, service=service, now=now)


def wait_until(condition, *, timeout, what, workers=()):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "".join(f"\n--- log of worker {w.hostname}:\n{w.log()}" for w in workers)
            pytest.fail(f"not within {timeout} s: {what}{logs}", pytrace=False)
        time.sleep(0.05)


def pending_count():
    return OutgoingEmail.objects.filter(status=Status.PENDING).count()


def sweep_results(worker):
    """What each send_due_emails run in this worker returned (rows handled)."""
    pattern = rf"{re.escape(send_due_emails.name)}\[[^\]]+\] succeeded in [\d.]+s: (\d+)"
    return [int(n) for n in re.findall(pattern, worker.log())]


# --- tests -------------------------------------------------------------------------


@pytest.fixture
def route_send_email_to():
    """Route send_email to one worker's own queue, not the default queue any worker on
    this Redis (another test session's, say) may take it from."""

    def route(worker):
        app.conf.update(task_routes={send_email.name: {"queue": worker.queue}})

    original = app.conf.task_routes
    yield route
    app.conf.update(task_routes=original)


def test_booking_confirmation_and_julies_notice_arrive(
    postgres, csmt, smtp_sink, start_celery_worker, route_send_email_to
):
    handler, email_env = smtp_sink()
    worker = start_celery_worker(env=email_env)
    route_send_email_to(worker)

    appointment = book_now(csmt)  # commits: its on_commit hook queues send_email for the due rows

    due_now = appointment.emails.filter(kind__in=[Kind.CONFIRMATION, Kind.THERAPIST_NEW])
    expected = {emails.message_id(row) for row in due_now}
    # The SMTP server has a message a moment before the worker commits its row as sent.
    wait_until(
        lambda: expected <= set(handler.message_ids) and not due_now.exclude(status=Status.SENT).exists(),
        timeout=10,
        what=f"{expected} at the SMTP server and marked sent; arrived: {handler.message_ids}",
        workers=[worker],
    )
    assert handler.counts() == Counter(expected)  # the aftercare (and any reminder) is not due yet
    assert appointment.emails.get(kind=Kind.AFTERCARE).status == Status.PENDING


def test_two_workers_and_a_repeated_sweep_send_each_email_once(postgres, csmt, smtp_sink, start_celery_worker):
    handler, email_env = smtp_sink(delay=0.01)  # a batch long enough for both workers to be at it
    expected = due_emails(200, service=csmt)
    workers = [start_celery_worker(env=email_env) for _ in range(2)]

    for _ in range(2):  # beat fired twice, and each tick reached a different worker
        for worker in workers:
            send_due_emails.apply_async(queue=worker.queue)

    wait_until(lambda: pending_count() == 0, timeout=30, what="every due email sent")
    wait_until(lambda: all(len(sweep_results(w)) >= 2 for w in workers), timeout=10, what="all four sweeps done")
    assert handler.duplicates() == {}
    assert set(handler.counts()) == expected
    assert len(handler.message_ids) == 200
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 200
    handled = [sum(sweep_results(w)) for w in workers]
    assert sum(handled) == 200, handled
    assert all(handled), f"one worker did all the sending, nothing ran in parallel: {handled}"


# Measured with this test on a 2-core machine (SMTP server answering 0.3 s after it has
# the message, worker concurrency 2, SIGKILL mid-batch, 3 runs): 2 emails sent twice per
# kill, the two the processes were handing over, each shown with 2 attempts; 60 of 60
# emails arrived, every other one once.
KILLED_WORKER_CONCURRENCY = 2


def test_worker_killed_mid_send_repeats_only_the_emails_in_flight(
    postgres, csmt, smtp_sink, start_celery_worker, settings
):
    handler, email_env = smtp_sink(delay=0.3)  # a slow server: both processes are mid-send most of the time
    total = 60
    expected = due_emails(total, service=csmt)
    doomed = start_celery_worker(pool="prefork", concurrency=KILLED_WORKER_CONCURRENCY, env=email_env)

    for _ in range(KILLED_WORKER_CONCURRENCY):  # beat's ticks, one per process
        send_due_emails.apply_async(queue=doomed.queue)
    wait_until(lambda: len(handler.message_ids) >= 10, timeout=30, what="the batch under way", workers=[doomed])
    killed_at = timezone.now()
    os.killpg(doomed.process.pid, signal.SIGKILL)  # the pool's children too: nobody gets to clean up
    doomed.process.wait(timeout=5)
    time.sleep(handler.delay + 0.2)  # what the server was taking in when the worker died arrives

    assert pending_count() > 0, "the batch finished before the kill: make the SMTP server slower"
    held = OutgoingEmail.objects.filter(status=Status.PENDING, attempts__gt=0)
    # The emails the dead processes held are due again when their lease ends, not after
    # Redis's one-hour visibility timeout: the every-minute sweep sends them within two minutes.
    assert all(email.due_at <= killed_at + dispatch.LEASE for email in held)

    # The next sweep once the lease is over (run here, as the worker would at that time).
    handler.delay = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(email_env["EMAIL_URL"].rsplit(":", 1)[1])
    dispatch.send_due_emails(now=killed_at + dispatch.LEASE)
    assert pending_count() == 0

    assert set(handler.counts()) == expected, "an email was lost"
    duplicates = handler.duplicates()
    # Only what the killed processes were handing to the SMTP server may go out twice.
    assert len(duplicates) <= KILLED_WORKER_CONCURRENCY and all(n == 2 for n in duplicates.values()), duplicates
    by_message_id = {emails.message_id(row): row for row in OutgoingEmail.objects.select_related("appointment")}
    for message_id in duplicates:
        assert by_message_id[message_id].attempts == 2, "an email sent twice shows both attempts"
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == total


def _use_broker(url):
    """Point the web side's Celery app at `url`, dropping connections pooled for the old one."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The web side's broker is a closed port (Redis down); call the result to bring it back."""
    original = app.conf.broker_url
    _use_broker(f"redis://127.0.0.1:{free_port()}/0")
    yield lambda: _use_broker(original)
    _use_broker(original)


def test_booking_succeeds_with_redis_down_and_the_sweep_sends_later(
    postgres, csmt, smtp_sink, broker_down, start_celery_worker
):
    started = time.monotonic()
    appointment = book_now(csmt)
    took = time.monotonic() - started

    assert Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.BOOKED).exists()
    assert took < 8, f"booking with Redis down took {took:.1f} s"
    owed = dict(appointment.emails.values_list("kind", "status"))
    assert owed[Kind.CONFIRMATION] == owed[Kind.THERAPIST_NEW] == Status.PENDING

    broker_down()  # Redis is back: the next sweep sends them.
    handler, email_env = smtp_sink()
    worker = start_celery_worker(env=email_env)
    send_due_emails.apply_async(queue=worker.queue)
    expected = {
        emails.message_id(appointment.emails.get(kind=kind)) for kind in (Kind.CONFIRMATION, Kind.THERAPIST_NEW)
    }
    wait_until(lambda: expected <= set(handler.message_ids), timeout=10, what="the sweep sending the owed emails")
    assert handler.counts() == Counter(expected)
