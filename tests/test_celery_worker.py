"""The heartbeat task, in process and through a real worker over Redis."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from appointments.tasks import HEARTBEAT_CACHE_KEY, last_worker_heartbeat, worker_heartbeat


def test_heartbeat_stores_the_time_in_the_cache():
    from django.core.cache import cache

    assert last_worker_heartbeat() is None
    before = timezone.now()
    worker_heartbeat()
    beat = cache.get(HEARTBEAT_CACHE_KEY)
    assert before <= beat <= timezone.now()
    assert last_worker_heartbeat() == beat


def test_beat_runs_the_heartbeat_every_minute():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == worker_heartbeat.name]
    assert len(entries) == 1, settings.CELERY_BEAT_SCHEDULE
    schedule = entries[0]["schedule"]
    seconds = schedule.total_seconds() if isinstance(schedule, timedelta) else float(schedule)
    assert seconds == 60


def wait_for_task(worker, task_id, timeout=30):
    deadline = time.monotonic() + timeout
    while f"[{task_id}] succeeded" not in worker.log():
        assert time.monotonic() < deadline, (
            f"task {task_id} did not succeed in this worker within {timeout} s (if another worker uses the "
            f"same REDIS_URL database it may have taken it: give the tests their own); log:\n{worker.log()}"
        )
        time.sleep(0.2)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_queued_heartbeat(celery_worker_process):
    assert last_worker_heartbeat() is None
    before = timezone.now()

    queued = worker_heartbeat.delay()
    wait_for_task(celery_worker_process, queued.id)

    beat = last_worker_heartbeat()
    assert beat is not None, "the worker ran the task but the test process's cache has no heartbeat"
    assert before <= beat <= timezone.now()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_has_its_own_queue(celery_worker_process):
    sent = worker_heartbeat.apply_async(queue=celery_worker_process.queue)
    wait_for_task(celery_worker_process, sent.id)
    assert last_worker_heartbeat() is not None
