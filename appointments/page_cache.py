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

from asgiref.local import Local
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
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


def _request_started(**_signal_kwargs):
    _request.serving, _request.version = True, None


def _request_finished(**_signal_kwargs):
    _request.serving, _request.version = False, None


request_started.connect(_request_started, dispatch_uid="page-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="page-cache-request-finished")


def _keep_for_this_request(version):
    if getattr(_request, "serving", False):
        _request.version = version


class CacheUnreachable(Exception):
    pass


def _version():
    """The availability version (may raise: Redis unreachable). A request that found Redis unreachable
    does not try again: with Redis hanging, each try waits for its timeout."""
    version = getattr(_request, "version", None)
    if version is CacheUnreachable:
        raise CacheUnreachable("not reachable earlier in this request")
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
    if getattr(_request, "version", None) is CacheUnreachable:
        raise CacheUnreachable("not reachable earlier in this request")
    key = f"appointments:page:{name}:{_minute()}"
    try:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or _version()
    except Exception:
        _keep_for_this_request(CacheUnreachable)
        raise
    _keep_for_this_request(version)
    saved_version, value = found.get(key, (None, None))
    return key, version, value if saved_version == version else None


def _save(key, version, value):
    try:
        cache.set(key, (version, value), PAGE_TIMEOUT)
    except Exception as exc:
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
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_KEY, version, timeout=None)
        _keep_for_this_request(version)
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): saved pages stay until their minute is over.", exc)


def availability_changed(**_signal_kwargs):
    """Make every saved page obsolete; a signal receiver, also called after bulk updates.

    Now, for this process, and again on commit: a page made by another request
    between the two, from data not yet committed, is dropped with the first version.
    """
    _new_version()
    transaction.on_commit(_new_version, robust=True)
