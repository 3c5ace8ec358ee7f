"""The site's Redis cache: Django's, with its redis-py clients reused (posture_booking/redis_cache.py)."""

import threading

import pytest

from posture_booking.redis_cache import RedisCache


@pytest.fixture
def redis_cache(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-redis-cache"})
    yield cache
    cache.delete_many(["shared", *(f"thread-{n}" for n in range(8))])


def test_one_client_serves_every_call(redis_cache):
    first = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is first
    assert redis_cache._cache.get_client(write=True) is first  # one server: reads and writes share its pool
    redis_cache.set("shared", {"a": 1})
    assert redis_cache.get("shared") == {"a": 1}


def test_threads_share_the_client_safely(redis_cache):
    wrong = []

    def write_and_read(n):
        for i in range(50):
            redis_cache.set(f"thread-{n}", (n, i))
            if (read := redis_cache.get(f"thread-{n}")) != (n, i):
                wrong.append(read)

    threads = [threading.Thread(target=write_and_read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert [redis_cache.get(f"thread-{n}") for n in range(8)] == [(n, 49) for n in range(8)]
