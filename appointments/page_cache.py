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

The few rows every booking page reads and Julie rarely changes (booking rules, working hours,
time off, open services, business details) are kept in each process by remembered(), under a
version of their own that only changing them renews: after a booking, they are not read again.
Saved pages are kept gzipped as well, once for every visitor (_saved_page).
"""

import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from asgiref.local import Local
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from posture_booking.themes import theme_of

VERSION_KEY = "appointments:availability-version"
# Changes only when Julie changes what remembered() keeps (booking rules, services, business details):
# a booking makes a new availability version but leaves these rows as they were.
ROWS_VERSION_KEY = "appointments:rows-version"
PAGE_TIMEOUT = 60  # seconds: a page is only ever used within the minute it was made
# Seconds remembered rows are kept at most: saving them makes a new rows version at once, so this
# only bounds how long a change written outside the site (psql, say) goes unseen.
REMEMBERED_AT_MOST = 300

logger = logging.getLogger(__name__)

# What the request being served has read and made: the versions (so that it reads each from Redis
# once), what it read ahead or made by key, and what it will save when it ends (all in one round trip:
# a round trip costs a page more than most of its work, bench/RESULTS.md). Outside requests (tasks, the
# shell) nothing is kept: every use reads, and every value is saved at once.
_request = Local()


class CacheUnreachable(Exception):
    pass


def _start_request():
    _request.serving, _request.unreachable = True, False
    _request.versions, _request.found, _request.pending = {}, {}, {}


@contextmanager
def serving_request():
    """While a request is served, the versions and values it reads are kept, and what it makes is saved
    when it ends (or not at all once it found Redis unreachable)."""
    _start_request()
    try:
        yield
    finally:
        _save_pending()
        _request.serving, _request.unreachable = False, False
        _request.versions, _request.found, _request.pending = {}, {}, {}


def request_version_middleware(get_response):
    def middleware(request):
        with serving_request():
            return get_response(request)

    return middleware


def _serving():
    return getattr(_request, "serving", False)


def _keep_for_this_request(key, version):
    if _serving():
        _request.versions.setdefault(key, version)


def _keep_unreachable():
    if _serving():
        _request.unreachable = True


def _found_unreachable():
    """Whether this request found Redis unreachable: it does not try again, as with Redis hanging
    each try waits for its timeout."""
    return getattr(_request, "unreachable", False)


def _kept_version(key):
    """The version under `key` this request has read, or None (raises if it found Redis unreachable)."""
    if _found_unreachable():
        raise CacheUnreachable("not reachable earlier in this request")
    return getattr(_request, "versions", {}).get(key)


def _version(key=VERSION_KEY):
    """The availability version, or the rows version (may raise: Redis unreachable)."""
    version = _kept_version(key)
    if version is None:
        try:
            version = cache.get_or_set(key, lambda: uuid.uuid4().hex, timeout=None)
        except Exception:
            _keep_unreachable()
            raise
        _keep_for_this_request(key, version)
    return version


def _minute():
    return f"{timezone.now():%Y-%m-%dT%H:%M}"


def _key(name):
    return f"appointments:page:{name}:{_minute()}"


def _lookup(name, also=()):
    """The cache key of `name` for this minute, the availability version, and what is saved under the key
    for that version (None if nothing). One round trip, as the version is saved with each value, which
    also reads the rows version (for remembered()) and, for later in this request, the values named in
    `also`; nothing for what this request already read. May raise: Redis unreachable."""
    key = _key(name)
    kept = _kept_version(VERSION_KEY)
    if kept and key in _request.found:
        return key, kept, _request.found[key]
    keys = [key, *(_key(other) for other in also)]
    try:
        found = cache.get_many([VERSION_KEY, ROWS_VERSION_KEY, *keys])
    except Exception:
        _keep_unreachable()
        raise
    # A request keeps to the versions it read first: what it worked out under them (the remembered
    # rules, say) must never be saved under newer ones.
    version = kept or found.get(VERSION_KEY) or _version()
    _keep_for_this_request(VERSION_KEY, version)
    if ROWS_VERSION_KEY in found:
        _keep_for_this_request(ROWS_VERSION_KEY, found[ROWS_VERSION_KEY])
    values = {}
    for each in keys:
        saved_version, value = found.get(each, (None, None))
        values[each] = value if saved_version == version else None
    if _serving():
        _request.found.update(values)
    return key, version, values[key]


def read_ahead(*names):
    """Read what is saved under `names` now, in one round trip, for cached_value() later in this request."""
    try:
        _lookup(names[0], also=names[1:])
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): %s to be worked out anew.", exc, ", ".join(names))


def _save(key, version, value):
    """Save `value` for the minute under `version`: when this request ends, with whatever else it made."""
    if _found_unreachable():
        return
    if _serving():
        _request.found[key] = value
        _request.pending[key] = (version, value)
        return
    try:
        cache.set(key, (version, value), PAGE_TIMEOUT)
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): %s not saved.", exc, key)


def _save_pending():
    pending = getattr(_request, "pending", {})
    if not pending or _found_unreachable():
        return
    try:
        cache.set_many(pending, PAGE_TIMEOUT)
    except Exception as exc:
        _keep_unreachable()
        logger.warning("Page cache unreachable (%s): %s not saved.", exc, ", ".join(pending))


def cached_page(request, name, make_response, also=()):
    """The page called `name` for this minute and availability version, made by make_response() if need be.
    also: the names of the values (cached_value) making it needs, read in the same round trip."""
    if messages.get_messages(request):
        return make_response()  # a message is for this visitor only
    try:
        key, version, page = _lookup(f"{name}:{theme_of(request)}", also)
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): making the page anew.", exc)
        return make_response()
    if page is not None:
        return _sent(request, HttpResponse(), page)
    response = make_response()
    if response.status_code != 200:
        return response
    page = _saved_page(response.content)
    _save(key, version, page)
    return _sent(request, response, page)


def _saved_page(body):
    """A page as saved: its HTML, and the same gzipped once (None if that is no smaller). The page is
    the same for every visitor and holds no secret (no CSRF token, nothing typed), so one compression
    serves them all; compressing each response cost more than the rest of sending a saved page.
    Django's BREACH padding is kept, per saved page."""
    gzipped = compress_string(body, max_random_bytes=GZipMiddleware.max_random_bytes)
    return body, gzipped if len(gzipped) < len(body) else None


def _sent(request, response, page):
    """The response with the saved page, gzipped if the browser accepts it (GZipMiddleware then leaves
    it be), as GZipMiddleware would send it."""
    body, gzipped = page
    patch_vary_headers(response, ("Accept-Encoding",))
    if gzipped is not None and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = gzipped
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.content = body
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


# What remembered() keeps: the rows version, when it was read, and the values by name, swapped as one
# tuple so that a thread never files a value under another version.
_remembered = (None, None, {})


def remembered(name, make):
    """What make() returns, kept in this process for the rows version (and REMEMBERED_AT_MOST).

    For the rows every booking page reads and Julie rarely changes (booking rules, open services,
    business details): saving any of them makes a new rows version (rows_changed), and a booking
    leaves them as they were. Pages only: a booking reads them afresh. Without a reachable cache,
    make() every time.
    """
    try:
        version = _version(ROWS_VERSION_KEY)
    except Exception as exc:
        logger.warning("Page cache unreachable (%s): reading %s anew.", exc, name)
        return make()
    global _remembered
    kept_for, read_at, values = _remembered
    now = timezone.now()
    if kept_for != version or now - read_at > timedelta(seconds=REMEMBERED_AT_MOST):
        values = {}
        _remembered = (version, now, values)
    if name not in values:
        values[name] = make()
    return values[name]


def _new_version(key):
    if _found_unreachable():
        return  # saved pages stay until their minute is over
    version = uuid.uuid4().hex
    try:
        cache.set(key, version, timeout=None)
    except Exception as exc:
        _keep_unreachable()
        logger.warning("Page cache unreachable (%s): saved pages stay until their minute is over.", exc)
        return
    if _serving():
        _request.versions[key] = version
        _request.found.clear()  # read under the version before


def _changed(key):
    """A new version under `key`: now, for this process, and again on commit, so that what another
    request made between the two, from data not yet committed, is dropped with the first one."""
    _new_version(key)
    transaction.on_commit(partial(_new_version, key), robust=True)


def availability_changed(**_signal_kwargs):
    """Make every saved page obsolete; a signal receiver, also called after bulk updates."""
    _changed(VERSION_KEY)


def rows_changed(**_signal_kwargs):
    """Make every process read the remembered rows anew, and every saved page obsolete; a signal receiver.

    The rows version first: a page made between the two under the new availability version then
    uses the new rows, never old rows under a new version.
    """
    _changed(ROWS_VERSION_KEY)
    _changed(VERSION_KEY)
