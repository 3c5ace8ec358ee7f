"""Benchmark: the booking pages under gunicorn with PostgreSQL, against the framework floor.

Creates a scratch PostgreSQL database (dropped and created again each run) and,
for each size (0, 1,000 and 10,000 appointments by default), fills it with that
many sessions spread over past and future weeks inside Julie's working hours,
starts gunicorn on loopback with DEBUG off and bench.settings (the site's
settings plus /bench/floor/, a template view with a tiny template: the floor),
and times concurrent GETs of the floor, the days page (/book/), the times page
(/book/<day>/) of the day with the most free times, the same two pages made
anew without their page cache (bench/urls.py), and the policies page for
scale. Then, on the last size, booking POSTs from concurrent clients: each on
slots of its own, and rounds where every client races for one slot (exactly one
may win).

Prints the machine and date, then median and p95 latency per page with their
ratios to the floor's, and bookings per second. Exits 1 if a page answers
anything but 200, a POST gets a 5xx, a race round has other than one winner,
or two active sessions overlap afterwards. Usage: see bench/README.md.
"""

import argparse
import gzip
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from _common import (
    BASE_DIR,
    DEFAULT_DATABASE_URL,
    drop_database,
    free_port,
    machine_summary,
    production_like_environment,
    recreate_database,
    stop_process_group,
)

BENCH_QUEUE = "bench-pages"  # bench.settings.CELERY_TASK_DEFAULT_QUEUE: no worker listens to it
# Issue 13's targets at 10,000 appointments, as medians over the one-query floor's.
TARGETS = {
    "days page /book/": 1.0,  # cached: less than one query
    "times page /book/": 1.0,
    "details page (booking form)": 2.0,
    "days page, not cached": 3.0,
    "times page, not cached": 3.0,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="0,1000,10000",
        type=lambda text: [int(size) for size in text.split(",")],
        help="appointments in the database, one run each (default %(default)s)",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed GETs per page and size (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed GETs per page first (default 30)")
    parser.add_argument(
        "--passes",
        type=int,
        default=10,
        help="the pages take turns this many times, so that bursts of other load fall on all alike (default 10)",
    )
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients for the GETs (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--post-clients", type=int, default=8, help="concurrent booking clients (default 8)")
    parser.add_argument("--posts-per-client", type=int, default=8, help="bookings per client, own slots (default 8)")
    parser.add_argument("--race-rounds", type=int, default=10, help="slots every client races for (default 10)")
    parser.add_argument("--no-posts", action="store_true", help="skip the booking POSTs")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="scratch database, DROPPED and created again (default %(default)s)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/3",
        help="cache (rate-limit counters) and broker; bookings queue their emails to a queue of their own, "
        "deleted afterwards (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated calendar")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database behind")
    return parser.parse_args()


# --- the calendar ---------------------------------------------------------------------------


def session_starts(day, hours_by_weekday, rules, length):
    """Where Julie's sessions go on a day: back to back inside each interval, a buffer apart, on the grid."""
    from appointments.availability import wall_clock_to_utc

    step = rules.slot_step_minutes
    for interval in hours_by_weekday.get(day.weekday(), []):
        wall = datetime.combine(day, interval.start_time)
        end = datetime.combine(day, interval.end_time)
        while wall + length <= end:
            yield wall_clock_to_utc(day, wall.time())
            after = wall + length + rules.buffer
            minutes = after.hour * 60 + after.minute
            wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=-(-minutes // step) * step)


def fill_calendar(count, *, now, seed):
    """`count` sessions: the coming weeks booked more near today than at the horizon, the rest history.

    Sessions never overlap (the exclusion constraint would refuse them); some are
    cancelled, past ones are mostly completed. One client per eight sessions.
    Returns (future, past) counts.
    """
    from django.db import connection

    from appointments.availability import business_today
    from appointments.models import Appointment, BookingRules, Client, OutgoingEmail, WorkingHours
    from services.models import Service

    with connection.cursor() as cursor:
        tables = [OutgoingEmail._meta.db_table, Appointment._meta.db_table, Client._meta.db_table]
        # CASCADE: what refers to sessions or clients (check-ins, waitlist...) goes with them.
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # noqa: S608 (our own table names)
    if not count:
        return 0, 0

    rng = random.Random(seed)  # noqa: S311 (a repeatable calendar, not a secret)
    rules = BookingRules.load()
    hours_by_weekday = {}
    for interval in WorkingHours.objects.all():
        hours_by_weekday.setdefault(interval.weekday, []).append(interval)
    today = business_today(now)
    Status = Appointment.Status
    service = Service.objects.get(slug="craniosacral-therapy")  # seeded by the migrations

    future = []
    for offset in range(1, rules.horizon_days + 1):
        day = today + timedelta(days=offset)
        booked_share = 0.8 - 0.6 * offset / rules.horizon_days  # busy next week, sparse at the horizon
        for start in session_starts(day, hours_by_weekday, rules, service.duration):
            if rng.random() < booked_share:
                future.append((start, Status.CANCELLED if rng.random() < 0.08 else Status.BOOKED))
    future = future[:count]
    past = []
    day = today
    while len(future) + len(past) < count:
        day -= timedelta(days=1)
        for start in reversed(list(session_starts(day, hours_by_weekday, rules, service.duration))):
            if len(future) + len(past) < count and rng.random() < 0.75:
                roll = rng.random()
                status = Status.CANCELLED if roll < 0.1 else Status.NO_SHOW if roll < 0.14 else Status.COMPLETED
                past.append((start, status))

    clients = Client.objects.bulk_create(
        (
            Client(name=f"Bench Client {i}", email=f"client{i}@example.com", phone="(860) 555-0100")
            for i in range(max(1, count // 8))
        ),
        batch_size=1000,
    )
    Appointment.objects.bulk_create(
        (
            Appointment(
                client=(client := rng.choice(clients)),
                client_name=client.name,
                client_phone=client.phone,
                service=service,
                start=start,
                end=start + service.duration,
                status=status,
                source=Appointment.Source.ADMIN if rng.random() < 0.2 else Appointment.Source.WEB,
                cancelled_at=start - timedelta(days=2) if status == Status.CANCELLED else None,
            )
            for start, status in future + past
        ),
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        # What autovacuum would have done long ago on a live database: planner statistics.
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    return len(future), len(past)


# --- HTTP clients ---------------------------------------------------------------------------


class InputValues(HTMLParser):
    """name -> value of a page's <input> elements."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


class Browser:
    """One client with its own cookies. gunicorn's sync workers close every connection, so each request
    opens one (as it does for the floor too)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        """(status, headers, body, seconds from sending the request to the end of the body)."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Encoding": "gzip, deflate, br"}  # as browsers do
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"  # as a browser sends with a POST
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data, seconds


def wait_until_serving(port, process, logfile, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, *_ = Browser(port).request("GET", "/bench/floor/")
            if status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process_group(process)
            sys.exit(f"gunicorn did not start; its log:\n{Path(logfile).read_text(errors='replace')}")
        time.sleep(0.2)


def start_gunicorn(*, env, port, workers, logfile):
    command = [
        sys.executable, "-m", "gunicorn", "posture_booking.wsgi",
        "--config", str(BASE_DIR / "bench" / "gunicorn.conf.py"),
    ]  # fmt: skip
    with open(logfile, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=BASE_DIR,
            env={**env, "BENCH_BIND": f"127.0.0.1:{port}", "BENCH_WORKERS": str(workers)},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    wait_until_serving(port, process, logfile)
    return process


def get_many(port, path, *, count, clients, expect):
    """`count` GETs of path from `clients` threads; returns (latencies in seconds, Counter of problems)."""

    def client(share):
        browser = Browser(port)
        latencies, problems = [], Counter()
        for _ in range(share):
            status, _, body, seconds = browser.request("GET", path)
            latencies.append(seconds)
            if status != 200:
                problems[f"HTTP {status}"] += 1
            elif expect not in body:
                problems[f"200 without {expect.decode()!r}"] += 1
        return latencies, problems

    shares = [count // clients + (i < count % clients) for i in range(clients)]
    latencies, problems = [], Counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for client_latencies, client_problems in pool.map(client, shares):
            latencies += client_latencies
            problems += client_problems
    return latencies, problems


def p95(values):
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def measure_pages(port, pages, *, requests, warmup, passes, clients):
    """Each page in turn, `passes` times over, so that load from elsewhere falls on all of them alike."""
    latencies = {name: [] for name, _, _ in pages}
    problems = {name: Counter() for name, _, _ in pages}
    for _, path, expect in pages:
        get_many(port, path, count=warmup, clients=clients, expect=expect)
    for pass_number in range(passes):
        share = requests // passes + (pass_number < requests % passes)
        for name, path, expect in pages:
            page_latencies, page_problems = get_many(port, path, count=share, clients=clients, expect=expect)
            latencies[name] += page_latencies
            problems[name] += page_problems
    return latencies, problems


# --- booking POSTs --------------------------------------------------------------------------


def separate_free_slots(*, now, rules):
    """Free slots none of which blocks another (a buffer apart), far enough past the minimum notice
    that none runs into it while the benchmark runs."""
    from appointments.availability import horizon_slots
    from services.models import Service

    length = Service.objects.get(slug="craniosacral-therapy").duration
    chosen = []
    for slot in horizon_slots(now=now, length=length, rules=rules):
        if slot.start < now + rules.minimum_notice + timedelta(hours=1):
            continue
        if not chosen or slot.start >= chosen[-1].end + rules.buffer:
            chosen.append(slot)
    return chosen


def booking_form(browser, slot, *, email):
    """GET the details page for a slot, as a client does, and fill in the form it gives; None if refused."""
    from appointments.forms import slot_value

    status, _, body, _ = browser.request("GET", "/book/details/?" + urlencode({"start": slot_value(slot.start)}))
    if status != 200:
        return None
    parser = InputValues()
    parser.feed(body.decode())
    inputs = parser.values
    return {
        "csrfmiddlewaretoken": inputs["csrfmiddlewaretoken"],
        "start": inputs["start"],
        "booking_key": inputs["booking_key"],
        "name": "Bench Booker",
        "email": email,
        "phone": "(860) 555-0142",
        "note": "Migraines twice a week lately.",
        "accept_policy": "on",
        "website": "",  # the honeypot, left empty as people do
    }


def outcome(status, headers, body):
    from django.utils.html import escape

    from appointments.booking import SLOT_TAKEN

    if status == 302 and "/book/confirmed/" in (headers.get("Location") or ""):
        return "booked"
    if status == 200 and escape(SLOT_TAKEN).encode() in body:
        return "conflict"
    if status >= 500:
        return "5xx"
    return f"other (HTTP {status})"


def post_all(port, forms_by_client, barrier):
    """Each client posts its forms one after another, all clients starting together.

    Returns (outcomes, latencies, first start, last end) with perf_counter times."""

    def client(item):
        browser, forms = item
        results = []
        barrier.wait()
        started = time.perf_counter()
        for form in forms:
            status, headers, body, seconds = browser.request("POST", "/book/details/", form)
            results.append((outcome(status, headers, body), seconds, b'type="radio"' in body))
        return started, time.perf_counter(), results

    outcomes, latencies, alternatives, starts, ends = Counter(), [], 0, [], []
    with ThreadPoolExecutor(max_workers=len(forms_by_client)) as pool:
        for started, ended, results in pool.map(client, forms_by_client):
            starts.append(started)
            ends.append(ended)
            for result, seconds, offered_others in results:
                outcomes[result] += 1
                latencies.append(seconds)
                alternatives += result == "conflict" and offered_others
    return outcomes, latencies, alternatives, min(starts), max(ends)


def bench_posts(port, *, clients, per_client, race_rounds):
    from django.utils import timezone

    from appointments.models import BookingRules

    now = timezone.now()
    slots = separate_free_slots(now=now, rules=BookingRules.load())
    wanted = clients * per_client + race_rounds
    if len(slots) < wanted:
        print(f"Only {len(slots)} separate free slots for {wanted}: fewer bookings per client.")
        per_client = max(1, (len(slots) - race_rounds) // clients)
    rng = random.Random(2)  # noqa: S311 (a repeatable order, not a secret)
    rng.shuffle(slots)  # clients spread over the calendar, as people are
    own_slots, race_slots = slots[: clients * per_client], slots[clients * per_client :][:race_rounds]
    browsers = [Browser(port) for _ in range(clients)]
    email_number = iter(range(10**9))

    def email():
        # Every fourth booker is a returning client (their details are updated).
        number = next(email_number)
        return f"client{number}@example.com" if number % 4 == 0 else f"new{number}@example.com"

    report = {}
    # Each client on slots of its own: the forms are fetched first, then every client posts.
    forms = [
        (browser, [booking_form(browser, slot, email=email()) for slot in own_slots[i::clients]])
        for i, browser in enumerate(browsers)
    ]
    unavailable = sum(form is None for _, client_forms in forms for form in client_forms)
    forms = [(browser, [form for form in client_forms if form]) for browser, client_forms in forms]
    outcomes, latencies, alternatives, first, last = post_all(port, forms, threading.Barrier(clients))
    report["own slots"] = (outcomes, latencies, alternatives, last - first, unavailable)

    # Every client at once on one slot, round after round: exactly one may win each.
    outcomes, latencies, alternatives, seconds, unavailable, bad_rounds = Counter(), [], 0, 0.0, 0, 0
    for slot in race_slots:
        round_forms = [(browser, [booking_form(browser, slot, email=email())]) for browser in browsers]
        unavailable += sum(form is None for _, (form,) in round_forms)
        round_forms = [(browser, client_forms) for browser, client_forms in round_forms if client_forms[0]]
        round_outcomes, round_latencies, round_alternatives, first, last = post_all(
            port, round_forms, threading.Barrier(len(round_forms))
        )
        bad_rounds += round_outcomes["booked"] != 1
        outcomes += round_outcomes
        latencies += round_latencies
        alternatives += round_alternatives
        seconds += last - first
    report["race for one slot"] = (outcomes, latencies, alternatives, seconds, unavailable)
    return report, bad_rounds, len(race_slots)


def overlapping_pairs():
    """Active sessions that start before an earlier one has ended (must be none)."""
    from appointments.models import Appointment

    overlaps, latest_end = 0, None
    active = Appointment.objects.exclude(status=Appointment.Status.CANCELLED).order_by("start")
    for start, end in active.values_list("start", "end").iterator():
        if latest_end is not None and start < latest_end:
            overlaps += 1
        latest_end = end if latest_end is None else max(latest_end, end)
    return overlaps


def delete_queue(redis_url):
    """The confirmation tasks the bookings queued (no worker takes them): count them, then delete them."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    queued = connection.llen(BENCH_QUEUE)
    for key in connection.scan_iter(match=f"*{BENCH_QUEUE}*"):
        connection.delete(key)
    return queued


# --- the run ------------------------------------------------------------------------------------


def print_pages(size, latencies, floor):
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'median/floor':>13} {'p95/floor':>10}")
    rows = []
    for name, values in latencies.items():
        median, high = statistics.median(values), p95(values)
        median_ratio, p95_ratio = median / floor[0], high / floor[1]
        rows.append((size, name, median * 1000, high * 1000, median_ratio, p95_ratio))
        print(f"{name:34} {median * 1000:10.1f} {high * 1000:8.1f} {median_ratio:13.2f} {p95_ratio:10.2f}")
    return rows


def main():
    args = parse_args()
    sys.path.insert(0, str(BASE_DIR))
    port = free_port()
    static_root = tempfile.TemporaryDirectory(prefix="posture-bench-static-")
    env = production_like_environment(  # before django.setup(): settings read the environment
        database_url=args.database_url,
        redis_url=args.redis_url,
        site_url=f"http://127.0.0.1:{port}",
        static_root=static_root.name,
    )

    print(machine_summary(args.database_url))
    print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; {args.clients} concurrent clients, ", end="")
    print(f"{args.requests} timed GETs per page after {args.warmup} warm-up ones, in {args.passes} passes\n")
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from appointments.availability import horizon_slots
    from appointments.forms import slot_value
    from appointments.models import Appointment, BookingRules
    from services.models import Service

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the manifest DEBUG-off pages need

    ok = True
    rows, post_report = [], None
    gunicorn = None
    try:
        for size in args.sizes:
            future, past = fill_calendar(size, now=timezone.now(), seed=args.seed)
            # The times page of the day with the most free times (the first such): each one
            # is a link to render, so this is the heaviest times page the calendar has.
            free_by_day = Counter(
                slot.local_start.date()
                for slot in horizon_slots(
                    now=timezone.now(), length=Service.objects.get(slug="craniosacral-therapy").duration
                )
            )
            if not free_by_day:
                sys.exit("No free slot in the generated calendar: nothing to time on a times page.")
            day = min(free_by_day, key=lambda day: (-free_by_day[day], day))
            free_that_day = free_by_day[day]
            details_path = "/book/details/?" + urlencode(
                {"start": slot_value(separate_free_slots(now=timezone.now(), rules=BookingRules.load())[0].start)}
            )
            connections.close_all()  # the bench process holds no connection while gunicorn works
            logfile = Path(tempfile.gettempdir()) / f"posture-bench-gunicorn-{size}.log"
            gunicorn = start_gunicorn(env=env, port=port, workers=args.workers, logfile=logfile)
            pages = [
                # The ratios' base: the least a page that reads the database costs.
                ("one-query floor /bench/floor-query/", "/bench/floor-query/", b"one-query floor"),
                ("(template floor /bench/floor/)", "/bench/floor/", b"framework floor"),
                ("days page /book/", "/book/", b"Choose a day"),
                (f"times page /book/{day}/", f"/book/{day}/", b"/book/details/?start="),
                # The booking form for a free time that day (each GET makes a new one-time key).
                ("details page (booking form)", details_path, b'name="booking_key"'),
                # The same pages made anew (nothing saved for the minute in appointments.page_cache):
                # the first visit after a booking or a change, or when the minute turns.
                ("days page, not cached", "/bench/uncached/book/", b"Choose a day"),
                ("times page, not cached", f"/bench/uncached/book/{day}/", b"/book/details/?start="),
                # For scale: the site's plainest page (base.html and one query), not a booking page.
                ("(policies page /policies/)", "/policies/", b"cancellation policy"),
            ]
            latencies, problems = measure_pages(
                port, pages, requests=args.requests, warmup=args.warmup, passes=args.passes, clients=args.clients
            )
            floor_values = latencies[pages[0][0]]
            print(f"== {size:,} appointments ({future} inside the booking horizon, {past} past); ", end="")
            print(f"times page day {day}: {free_that_day} free times")
            rows += print_pages(size, latencies, (statistics.median(floor_values), p95(floor_values)))
            for name, page_problems in problems.items():
                for problem, count in page_problems.items():
                    ok = False
                    print(f"   !! {name}: {count} x {problem}")
            if size == args.sizes[-1] and not args.no_posts:
                started_with = Appointment.objects.count()
                post_report = bench_posts(
                    port, clients=args.post_clients, per_client=args.posts_per_client, race_rounds=args.race_rounds
                )
                made = Appointment.objects.count() - started_with
            stop_process_group(gunicorn)
            gunicorn = None
            log = logfile.read_text(errors="replace")
            if "Traceback" in log or "ERROR" in log:
                ok = False
                print(f"   !! errors in the gunicorn log: {logfile}")
            print()
    finally:
        if gunicorn is not None:
            stop_process_group(gunicorn)
        static_root.cleanup()

    if post_report:
        report, bad_rounds, rounds = post_report
        print(f"== booking POSTs at {args.sizes[-1]:,} appointments, {args.post_clients} concurrent clients")
        print(f"{'run':20} {'POSTs':>6} {'POSTs/s':>8} {'median ms':>10} {'p95 ms':>8} ", end="")
        print(f"{'booked':>7} {'conflicts':>10} {'5xx':>4}  other")
        for name, (outcomes, latencies, alternatives, seconds, unavailable) in report.items():
            posts = sum(outcomes.values())
            other = {key: value for key, value in outcomes.items() if key not in ("booked", "conflict", "5xx")}
            print(f"{name:20} {posts:6} {posts / seconds:8.1f} {statistics.median(latencies) * 1000:10.1f} ", end="")
            print(f"{p95(latencies) * 1000:8.1f} {outcomes['booked']:7} {outcomes['conflict']:10} ", end="")
            print(f"{outcomes['5xx']:4}  {other or ''}", end="")
            print(f" (conflicts offered other times: {alternatives})" if outcomes["conflict"] else "", end="")
            print(f" (details page refused {unavailable} slots)" if unavailable else "")
            ok = ok and outcomes["5xx"] == 0 and not other and not unavailable
        overlaps = overlapping_pairs()
        booked = sum(outcomes["booked"] for outcomes, *_ in report.values())
        print(f"race rounds with other than one winner: {bad_rounds} of {rounds}")
        print(f"sessions created: {made} (booked answers: {booked}); overlapping active sessions: {overlaps}")
        print(f"confirmation tasks queued: {delete_queue(args.redis_url)} (deleted)")
        ok = ok and bad_rounds == 0 and overlaps == 0 and made == booked

    if max(args.sizes) >= 10_000:
        print(f"targets at {max(args.sizes):,} appointments (median / one-query floor):")
        for size, name, _, _, median_ratio, _ in rows:
            target = next((ratio for page, ratio in TARGETS.items() if name.startswith(page)), None)
            if size == max(args.sizes) and target is not None:
                verdict = "met" if median_ratio <= target else "NOT met"
                print(f"   {name:34} {median_ratio:5.2f}  (at most {target:g}) {verdict}")
    print("\n| appointments | page | median ms | p95 ms | median / one-query floor | p95 / one-query floor |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for size, name, median, high, median_ratio, p95_ratio in rows:
        print(f"| {size:,} | {name} | {median:.1f} | {high:.1f} | {median_ratio:.2f} | {p95_ratio:.2f} |")

    connections.close_all()
    if not args.keep_db:
        drop_database(args.database_url)
    print(f"load at the end: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
