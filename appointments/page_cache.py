"""A one-minute cache for the pages that show free times (the days page and a day's times)
and for a day's free times, which the booking form's page checks its time against.

Every visitor sees the same page until availability changes, and working availability
out is most of those pages' cost (bench/RESULTS.md). A saved page is used only within
the minute it was made, because time moves slots into the minimum notice, and only
under the availability version it was made with: any saved or deleted session, time
off, working hours, booking rules, business details or service makes a new version, so
a booking or a blocked afternoon shows at once. A page carrying a one-off message is never
saved, and each display (posture_booking.themes) has its own copy, as the page is written for it.
The cache only saves work, and no booking relies on it (the booking itself checks the
slot afresh); when it cannot be reached, pages and free times are worked out anew.

The few rows every booking page reads and Julie rarely changes (booking rules, open services,
business details) are kept in each process the same way, by remembered().
"""

import logging
import uuid
from contextlib import contextmanager

from asgiref.local import Local
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from posture_booking.themes import theme_of

VERSION_KEY = "appointments:availability-version"
PAGE_TIMEOUT = 60  # seconds: a page is only ever used within the minute it was made

logger = logging.getLogger(__name__)

# The version read by the request being served, so that it reads it from Redis once: a round trip
# costs a page more than most of its work (bench/RESULTS.md). Outside requests (tasks, the shell)
# nothing is kept and every use reads it.
_request = Local()


class CacheUnreachable(Exception):
    pass


@contextmanager
def serving_request():
    """While a request is served, the version it first reads (or CacheUnreachable) is kept."""
    _request.serving, _request.version = True, None
    try:
        yield
    finally:
        _request.serving, _request.version = False, None


def request_version_middleware(get_response):
    def middleware(request):
        with serving_request():
            return get_response(request)

    return middleware


def _keep_for_this_request(version):
    if getattr(_request, "serving", False):
        _request.version = version


def _found_unreachable():
    """Whether this request found Redis unreachable: it does not try again, as with Redis hanging
    each try waits for its timeout."""
    return getattr(_request, "version", None) is CacheUnreachable


def _kept_version():
    """The version this request has read, or None (raises if it found Redis unreachable)."""
    if _found_unreachable():
        raise CacheUnreachable("not reachable earlier in this request")
    return getattr(_request, "version", None)


def _version():
    """The availability version (may raise: Redis unreachable)."""
    version = _kept_version()
    if version is None:
        try:
            version = cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)
        except Exception:
            _keep_for_this_request(CacheUnreachable)
            raise
        _keep_for_this_request(version)
    return version


def _minute():
    return f"{timezone.now():%Y-%m-%dT%H:%M}"


def _lookup(name):
    """The cache key of `name` for this minute, the availability version, and what is saved under the key
    for that version (None if nothing): one round trip, as the version is saved with the value.
    May raise: Redis unreachable."""
    kept = _kept_version()
    key = f"appointments:page:{name}:{_minute()}"
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:
        _keep_for_this_request(CacheUnreachable)
        raise
    # A request keeps to the version it read first: what it worked out under that version (the
    # remembered rules, say) must never be saved under a newer one.
    version = kept or found.get(VERSION_KEY) or _version()
    _keep_for_this_request(version)
    saved_version, value = found.get(key, (None, None))
    return key, version, value if saved_version == version else None


def _save(key, version, value):
    if _found_unreachable():
        return
    try:
        cache.set(key, (version, value), PAGE_TIMEOUT)
    except Exception as exc:
        _keep_for_this_request(CacheUnreachable)
        logger.warning("Page cache unreachable (%s): %s not saved.", exc, key)


def cached_page(request, name, make_response):
    """The page called `name` for this minute and availability version, made by make_response() if need be."""
    if messages.get_messages(request):
        return make_response()  # a message is for this visitor only
    try:
        key, version, content = _lookup(f"{name}:{theme_of(request)}")
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): making the page anew.", exc)
        return make_response()
    if content is not None:
        return HttpResponse(content)
    response = make_response()
    if response.status_code == 200:
        _save(key, version, response.content)
    return response


def cached_value(name, make):
    """What make() returns, saved like a page: for this minute and availability version."""
    try:
        key, version, value = _lookup(name)
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): working %s out anew.", exc, name)
        return make()
    if value is None:
        value = make()
        _save(key, version, value)
    return value


# What remembered() keeps: the (version, minute) and its values by name, swapped as one tuple so
# that a thread never files a value under another minute's key.
_remembered = (None, {})


def remembered(name, make):
    """What make() returns, kept in this process for this availability version and minute.

    For the rows every booking page reads and Julie rarely changes (booking rules, open services,
    business details): saving any of them makes a new version, and any other change shows within
    the minute, as on the saved pages. Pages only: a booking reads them afresh. Without a reachable
    cache, make() every time.
    """
    try:
        key = (_version(), _minute())
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): reading %s anew.", exc, name)
        return make()
    global _remembered
    kept_for, values = _remembered
    if kept_for != key:
        values = {}
        _remembered = (key, values)
    if name not in values:
        values[name] = make()
    return values[name]


def _new_version():
    if _found_unreachable():
        return  # saved pages stay until their minute is over
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_KEY, version, timeout=None)
    except Exception as exc:
        _keep_for_this_request(CacheUnreachable)
        logger.warning("Page cache unreachable (%s): saved pages stay until their minute is over.", exc)
        return
    _keep_for_this_request(version)


def availability_changed(**_signal_kwargs):
    """Make every saved page obsolete; a signal receiver, also called after bulk updates.

    Now, for this process, and again on commit: a page made by another request
    between the two, from data not yet committed, is dropped with the first version.
    """
    _new_version()
    transaction.on_commit(_new_version, robust=True)
