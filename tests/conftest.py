"""Shared fixtures and the rule for tests that need a real service.

A test that needs PostgreSQL, Redis or Chromium asks for the ``postgres``,
``redis_url`` or ``chromium`` fixture (or carries the ``postgres``, ``redis``
or ``browser`` marker, which does the same). Where the service is missing the
test is skipped with the reason, except under ``CI=true`` (``.ci/run``), where
a missing service fails the test: CI must run those tests, not skip them.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
WORKER_READY_TIMEOUT = 60  # seconds for a Celery worker to start


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def service_missing(reason):
    """Skip the current test, or fail it under CI=true, where every service must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run here, not skip)", pytrace=False)
    pytest.skip(reason)


def free_port():
    """A loopback port nobody listens on: a closed service, or one a test is about to start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- checks --------------------------------------------------------------------


def require_postgres():
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        service_missing(f"needs PostgreSQL: set DATABASE_URL=postgres://... (database engine is {engine})")


def require_redis():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_missing("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"needs Redis: REDIS_URL={url} does not answer ({exc})")
    return url


def require_chromium():
    if not CHROMIUM.exists():
        service_missing(f"needs Chromium at {CHROMIUM} (Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        service_missing(f"needs Playwright for Python ({exc})")
    return str(CHROMIUM)


_MARKER_CHECKS = {"postgres": require_postgres, "redis": require_redis, "browser": require_chromium}


def pytest_runtest_setup(item):
    for name, check in _MARKER_CHECKS.items():
        if item.get_closest_marker(name):
            check()


# --- fixtures ------------------------------------------------------------------


@pytest.fixture
def postgres():
    """The test runs on PostgreSQL (DATABASE_URL=postgres://...)."""
    require_postgres()


@pytest.fixture
def redis_url():
    """REDIS_URL, set and answering."""
    return require_redis()


@pytest.fixture(scope="session")
def chromium():
    """Path of Debian's Chromium, with Playwright importable."""
    return require_chromium()


@pytest.fixture(scope="session", autouse=True)
def _private_file_caches(tmp_path_factory):
    """File-based caches (the embedded default's ./var/cache) move to a temporary
    folder, so tests neither see nor wipe a running ``make run``'s cache."""
    from django.conf import settings
    from django.test import override_settings

    caches = {
        alias: {**config, "LOCATION": str(tmp_path_factory.mktemp(f"cache-{alias}"))}
        if config["BACKEND"].endswith("FileBasedCache")
        else config
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_broker_folder(tmp_path_factory):
    """The embedded default's filesystem broker (./var/celery-broker) moves to a temporary
    folder: tasks that tests queue must not wait there for the next ``make run``'s worker,
    which would run them against the development database."""
    from posture_booking.celery import app

    options = app.conf.broker_transport_options
    if not str(app.conf.broker_url).startswith("filesystem"):
        yield
        return
    folder = tmp_path_factory.mktemp("celery-broker")
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir()
    app.conf.broker_transport_options = {
        **options,
        "control_folder": str(folder / "control"),
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
    }
    yield
    app.conf.broker_transport_options = options


def clear_cache(cache):
    """Empty one Django cache. For Redis, delete only the cache's own keys: FLUSHDB
    would also drop Celery's queues and bindings when broker and cache share a
    database (as they do with REDIS_URL), losing what running processes send."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        import redis

        try:
            client = cache._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.ConnectionError:
            pass  # Redis is down: tests that need it skip (or fail under CI) with the reason.
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_caches():
    """Every test starts with empty caches (rate-limit counters, heartbeat...)."""
    from django.core.cache import caches

    for cache in caches.all():
        clear_cache(cache)
    yield


def _database_url_for_worker():
    """A DATABASE_URL for the database this test process uses (the test database)."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.postgresql":
        auth = quote(s["USER"] or "", safe="")
        if s["PASSWORD"]:
            auth += ":" + quote(s["PASSWORD"], safe="")
        host = s["HOST"] or "localhost"
        port = f":{s['PORT']}" if s["PORT"] else ""
        return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"
    if s["ENGINE"] == "django.db.backends.sqlite3" and not connection.is_in_memory_db():
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    service_missing(
        "a Celery worker process cannot share the in-memory SQLite test database: set DATABASE_URL=postgres://..."
    )


class CeleryWorker:
    """A ``celery worker`` subprocess; ``log()`` returns what it printed so far.

    It consumes the default queue and also ``queue``, a queue of its own: send a
    task there (``task.apply_async(queue=worker.queue)``) to be sure that this
    worker, and not another one on the same Redis, runs it.
    """

    def __init__(self, process, logfile, hostname, queue):
        self.process = process
        self.logfile = logfile
        self.hostname = hostname
        self.queue = queue

    def log(self):
        return self.logfile.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            # Its own process group: the prefork pool's children go too.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def start_celery_worker(redis_url, transactional_db, tmp_path):
    """Factory: start real ``celery -A posture_booking worker`` processes.

    They use REDIS_URL as broker and cache, and the *test* database (so tests
    must commit what the worker should see: the fixture makes the test
    transactional; mark it ``@pytest.mark.django_db(transaction=True)`` too).
    ``start_celery_worker(pool="solo", concurrency=1, env={...})`` returns a
    ``CeleryWorker`` once it is ready; all are stopped after the test.
    """
    database_url = _database_url_for_worker()
    workers = []

    def start(pool="solo", concurrency=1, env=None):
        from posture_booking.celery import app

        name = f"pytest-{uuid.uuid4().hex[:8]}"
        hostname, queue = f"{name}@%h", name
        logfile = tmp_path / f"celery-worker-{len(workers) + 1}.log"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "posture_booking.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "posture_booking", "worker",
            f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=info",
            f"--hostname={hostname}", f"--queues={app.conf.task_default_queue},{queue}",
            "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        with logfile.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=worker_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        worker = CeleryWorker(process, logfile, hostname, queue)
        workers.append(worker)
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while " ready." not in worker.log():
            if process.poll() is not None:
                pytest.fail(f"celery worker exited with {process.returncode}:\n{worker.log()}", pytrace=False)
            if time.monotonic() > deadline:
                worker.stop()
                pytest.fail(f"celery worker not ready in {WORKER_READY_TIMEOUT}s:\n{worker.log()}", pytrace=False)
            time.sleep(0.2)
        return worker

    yield start

    for worker in workers:
        worker.stop()
    _forget_queues(redis_url, [worker.queue for worker in workers])


def _forget_queues(redis_url, queues):
    """Remove the workers' own queues and their bindings from Redis, so runs leave nothing behind."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    pidbox = "_kombu.binding.celery.pidbox"  # remote-control bindings, one per worker name
    for queue in queues:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        mine = [m for m in client.smembers(pidbox) if f"{queue}@".encode() in m]
        if mine:
            client.srem(pidbox, *mine)


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """One ready ``celery worker`` (solo pool) on REDIS_URL and the test database."""
    return start_celery_worker()


@pytest.fixture
def seeded(transactional_db):
    """A transactional test's database with the migrations' seed (CSMT, rules, hours)."""
    from tests.seed import seed_defaults

    seed_defaults()
