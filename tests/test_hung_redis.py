"""A hung Redis (SIGSTOP: it accepts connections and never answers) against the real site.

A private redis-server is started and stopped with SIGSTOP, and gunicorn serves the site
with REDIS_URL pointing at it (broker, cache, rate limit, heartbeat: the settings as
deployed) and the test database. Every answer must come within HUNG_REDIS_BUDGET
seconds: a booking saved while Redis hangs is confirmed, never a 500 that makes the
client book twice, and its emails wait, pending, for the sweep.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from appointments import dispatch
from appointments.availability import horizon_slots
from appointments.forms import slot_value
from appointments.models import Appointment, OutgoingEmail
from tests.conftest import _database_url_for_worker, free_port

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parent.parent
HUNG_REDIS_BUDGET = 5  # seconds: what the issue allows any answer to take while Redis hangs


def wait_for_port(port, *, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited with {process.returncode}", pytrace=False)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=0.5)  # noqa: S310 (loopback)  # nosec B310
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered on port {port} within {timeout} s", pytrace=False)


@pytest.fixture
def hung_redis():
    """URL of a private redis-server that accepts connections but never answers (SIGSTOP)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1).ping()
            break
        except redis.RedisError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("the private redis-server did not start", pytrace=False)
            time.sleep(0.1)
    process.send_signal(signal.SIGSTOP)
    yield f"redis://127.0.0.1:{port}/0"
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def site_on_hung_redis(seeded, hung_redis, tmp_path):
    """Base URL of gunicorn serving the site with REDIS_URL on the hung Redis."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "posture_booking.settings",
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": hung_redis,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "gunicorn", "posture_booking.wsgi", "--config", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


class Browser:
    """urllib with cookies; each request's status and seconds taken are returned with its body."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base_url + path}
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, content = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, content = exc.code, exc.read().decode()
        return status, content, time.monotonic() - started


def test_pages_answer_within_budget_while_redis_hangs(site_on_hung_redis):
    browser = Browser(site_on_hung_redis)
    first_free_day = timezone.localtime(horizon_slots(now=timezone.now(), length=timedelta(hours=1))[0].start).date()
    for path in ["/book/", f"/book/{first_free_day:%Y-%m-%d}/", "/"]:
        status, _, took = browser.request(path)
        assert status == 200, path
        assert took < HUNG_REDIS_BUDGET, f"{path} took {took:.1f} s with Redis hung"


def test_healthz_is_503_within_budget_while_redis_hangs(site_on_hung_redis):
    status, content, took = Browser(site_on_hung_redis).request("/healthz")
    assert status == 503
    assert '"broker": "error"' in content
    assert took < HUNG_REDIS_BUDGET, f"/healthz took {took:.1f} s with Redis hung"


def test_booking_is_confirmed_within_budget_while_redis_hangs(site_on_hung_redis):
    browser = Browser(site_on_hung_redis)
    slot = horizon_slots(now=timezone.now(), length=timedelta(hours=1))[0]
    status, page, _ = browser.request(f"/book/details/?start={urllib.parse.quote(slot_value(slot.start))}")
    assert status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    booking_key = re.search(r'name="booking_key" value="([^"]+)"', page).group(1)

    status, page, took = browser.request(
        "/book/details/",
        {
            "csrfmiddlewaretoken": csrf,
            "start": slot_value(slot.start),
            "booking_key": booking_key,
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "860-555-0100",
            "note": "",
            "accept_policy": "on",
            "website": "",
        },
    )  # follows the redirect to the confirmation page

    assert status == 200, page
    assert "You're booked" in page
    assert took < HUNG_REDIS_BUDGET, f"booking (with its confirmation page) took {took:.1f} s with Redis hung"
    appointment = Appointment.objects.get(start=slot.start)
    assert appointment.status == Appointment.Status.BOOKED
    owed = dict(appointment.emails.values_list("kind", "status"))
    assert (
        owed[OutgoingEmail.Kind.CONFIRMATION] == owed[OutgoingEmail.Kind.THERAPIST_NEW] == OutgoingEmail.Status.PENDING
    )

    # Once Redis answers, beat's next tick runs the sweep, which sends them.
    dispatch.send_due_emails(now=timezone.now())
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", settings.THERAPIST_EMAIL]
