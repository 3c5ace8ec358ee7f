"""Benchmark: a real Celery worker sending a backlog of due emails.

Creates a scratch PostgreSQL database (dropped and created again each run),
fills it with due OutgoingEmail rows, starts ``celery -A posture_booking
worker --pool=prefork`` against Redis with an aiosmtpd sink on loopback as its
SMTP server, queues the beat sweep (``appointments.tasks.send_due_emails``)
enough times for the whole backlog, and waits until every row is sent.

Prints: emails, seconds, emails/second, peak RSS of the worker's processes and
the duplicate count by Message-ID (must be 0). Exits 1 if an email is missing or
doubled. Usage: see bench/README.md.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

from _common import BASE_DIR, DEFAULT_DATABASE_URL, drop_database, free_port, recreate_database, stop_process_group

SWEEP_LIMIT = 500  # rows one send_due_emails run handles (dispatch.send_due_emails' default)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=10_000, help="due emails to send (default 10000)")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork pool size (default 2)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="scratch database, DROPPED and created again (default %(default)s)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--spread-due",
        action="store_true",
        help="give each row its own due time, a second apart (default: all due at one instant, as after "
        "an SMTP outage, whose retries share the failed sweep's time, or Julie's 'send again')",
    )
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database behind")
    return parser.parse_args()


def create_due_emails(count, *, spread_due=False):
    """`count` pending rows due a minute ago (or, spread, a second apart):
    a confirmation and Julie's notice per session."""
    from datetime import timedelta

    from django.utils import timezone

    from appointments.models import Appointment, Client, OutgoingEmail
    from services.models import Service

    service = Service.objects.get(slug="craniosacral-therapy")  # seeded by the migrations
    sessions = math.ceil(count / 2)
    clients = Client.objects.bulk_create(
        Client(name=f"Bench Client {i}", email=f"bench{i}@example.com", phone="(860) 555-0100")
        for i in range(min(sessions, 1000))
    )
    first = timezone.now().replace(microsecond=0) + timedelta(days=2)
    appointments = Appointment.objects.bulk_create(
        (
            Appointment(
                client=clients[i % len(clients)],
                client_name=clients[i % len(clients)].name,
                client_phone=clients[i % len(clients)].phone,
                service=service,
                start=first + timedelta(hours=2 * i),  # never overlapping: the exclusion constraint
                end=first + timedelta(hours=2 * i + 1),
            )
            for i in range(sessions)
        ),
        batch_size=1000,
    )
    kinds = [OutgoingEmail.Kind.CONFIRMATION, OutgoingEmail.Kind.THERAPIST_NEW]
    due_at = timezone.now() - timedelta(minutes=1)
    rows = [
        OutgoingEmail(appointment=appointment, kind=kind, sequence=appointment.sequence, due_at=due_at)
        for appointment in appointments
        for kind in kinds
    ][:count]
    if spread_due:
        for i, row in enumerate(rows):
            row.due_at = due_at - timedelta(seconds=count - i)
    OutgoingEmail.objects.bulk_create(rows, batch_size=1000)
    from appointments.emails import message_id

    return {message_id(row) for row in rows}


# --- SMTP sink ----------------------------------------------------------------------------


class MessageIdSink:
    """aiosmtpd handler: accepts everything and keeps each message's Message-ID."""

    def __init__(self):
        self.message_ids = []

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.message_ids.append(headers["Message-ID"])
        return "250 OK"


# --- worker processes and their memory -----------------------------------------------------


def descendants(pid):
    """pid and every process below it, from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def peak_rss_kib(pid):
    """VmHWM (peak resident set) of one process in KiB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class MemoryWatch:
    """Peak RSS per process of a process tree: VmHWM from /proc, else sampled RSS via psutil."""

    def __init__(self, root_pid):
        self.root_pid = root_pid
        self.peaks = {}  # pid -> KiB
        try:
            import psutil
        except ImportError:
            psutil = None
        self.psutil = psutil if not Path("/proc/self/status").exists() else None
        self.method = "psutil RSS samples" if self.psutil else "/proc VmHWM"

    def sample(self):
        if self.psutil:
            try:
                root = self.psutil.Process(self.root_pid)
                processes = [root, *root.children(recursive=True)]
            except self.psutil.Error:
                return
            for process in processes:
                try:
                    kib = process.memory_info().rss // 1024
                except self.psutil.Error:
                    continue
                self.peaks[process.pid] = max(kib, self.peaks.get(process.pid, 0))
            return
        for pid in descendants(self.root_pid):
            kib = peak_rss_kib(pid)
            if kib is not None:
                self.peaks[pid] = max(kib, self.peaks.get(pid, 0))


def start_worker(*, env, queue, concurrency, logfile):
    command = [
        sys.executable, "-m", "celery", "-A", "posture_booking", "worker",
        "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=info",
        f"--hostname={queue}@%h", f"--queues={queue}", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with open(logfile, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while " ready." not in Path(logfile).read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process_group(process)
            sys.exit(f"the worker did not start; its log:\n{Path(logfile).read_text(errors='replace')}")
        time.sleep(0.2)
    return process


# --- the run ------------------------------------------------------------------------------------


def main():
    args = parse_args()
    sys.path.insert(0, str(BASE_DIR))

    from aiosmtpd.controller import Controller

    sink = MessageIdSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "posture_booking.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        # As in production: DEBUG off (no query log kept in memory).
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)  # before django.setup(): settings read the environment

    print(f"Creating {args.database_url} and {args.emails} due emails...", flush=True)
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from appointments.models import OutgoingEmail
    from appointments.tasks import send_due_emails

    call_command("migrate", verbosity=0)
    expected = create_due_emails(args.emails, spread_due=args.spread_due)
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)

    queue = f"bench-{uuid.uuid4().hex[:8]}"  # its own queue: no other worker on this Redis takes the work
    logfile = Path(tempfile.gettempdir()) / f"{queue}-worker.log"
    worker = start_worker(env=env, queue=queue, concurrency=args.concurrency, logfile=logfile)
    memory = MemoryWatch(worker.pid)
    memory.sample()
    try:
        # What beat does every minute: each run sends up to SWEEP_LIMIT rows, so queue
        # enough runs for the whole backlog, plus one per pool process.
        sweeps = math.ceil(args.emails / SWEEP_LIMIT) + args.concurrency
        print(f"Worker {worker.pid} ready (log: {logfile}); queueing {sweeps} sweeps...", flush=True)
        started = time.monotonic()
        for _ in range(sweeps):
            send_due_emails.apply_async(queue=queue)
        left = pending.count()
        while left:
            if time.monotonic() - started > args.timeout:
                print(f"Gave up after {args.timeout:.0f} s with {left} emails still pending.", file=sys.stderr)
                break
            if worker.poll() is not None:
                print(f"The worker exited with {worker.returncode}; log: {logfile}", file=sys.stderr)
                break
            memory.sample()
            time.sleep(0.2)
            left = pending.count()
        seconds = time.monotonic() - started
        memory.sample()
    finally:
        stop_process_group(worker)
        time.sleep(0.2)  # the SMTP sink finishes any message in flight
        smtp.stop()
        connections.close_all()
        if not args.keep_db:
            drop_database(args.database_url)

    received = Counter(sink.message_ids)
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    missing = len(expected - set(received))
    sent = args.emails - left
    mib = {pid: kib / 1024 for pid, kib in memory.peaks.items()}
    main_mib = mib.pop(worker.pid, 0.0)
    children = ", ".join(f"{value:.1f}" for value in sorted(mib.values(), reverse=True)) or "none seen"

    print(f"emails sent:        {sent} of {args.emails} (due: {'spread' if args.spread_due else 'one instant'})")
    print(f"seconds:            {seconds:.1f}")
    print(f"emails/second:      {sent / seconds:.0f}")
    print(f"worker peak RSS:    main {main_mib:.1f} MiB; pool children {children} MiB; ", end="")
    print(f"sum {main_mib + sum(mib.values()):.1f} MiB ({memory.method})")
    print(f"duplicates:         {duplicates} (messages received {len(sink.message_ids)}, missing {missing})")
    ok = sent == args.emails and duplicates == 0 and missing == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
