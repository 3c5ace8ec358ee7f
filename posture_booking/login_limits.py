"""Admin login limits on top of django-axes' own.

django-axes locks one address (an IPv6 /64, see client_ip.client_network) and username
after AXES_FAILURE_LIMIT wrong passwords. A guesser with many addresses gets that many
tries from each, so a second, looser limit counts one username's failures from all
addresses together. It locks that username for minutes, not for good: the lock lifts
LOGIN_USERNAME_COOLOFF after the last failure it counted, so Julie can log in again
soon after the guessing stops, and a guesser keeps getting a few tries per cool-off.

A guesser who keeps sending twenty wrong passwords per cool-off would keep that lock on
for good, so the username cap does not apply to a browser that has logged in as that
username before (OWASP's "device cookie"): after each successful password, the answer
sets a signed cookie naming the username, and a login for a capped username that comes
with it goes ahead. Only the username cap is lifted: the per-address lock, the counting
of its wrong passwords and the second step (two_factor.py) stay as they are.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.urls import reverse

KNOWN_DEVICE_COOKIE = "known_device"
# Its own salt: no other signed value of the site (sessions, links) can pass for this cookie.
KNOWN_DEVICE_SALT = "posture_booking.login_limits.known_device"
KNOWN_DEVICE_MAX_AGE = timedelta(days=180)


def username_is_capped(*, username, now):
    """True when ``username`` had LOGIN_USERNAME_FAILURE_LIMIT or more failed logins,
    from any addresses, whose latest try is within LOGIN_USERNAME_COOLOFF of ``now``.

    django-axes keeps one row per address, username and browser, with its failure
    count and the time of its latest failure: those rows are what is added up.
    """
    if not username:
        return False
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gt=now - settings.LOGIN_USERNAME_COOLOFF
    ).aggregate(failures=Sum("failures_since_start"))
    return (recent["failures"] or 0) >= settings.LOGIN_USERNAME_FAILURE_LIMIT


def is_known_device(request, *, username):
    """True when ``request`` carries a valid known-device cookie for ``username``: signed
    by this site with KNOWN_DEVICE_SALT, less than KNOWN_DEVICE_MAX_AGE old, same name."""
    if not username:
        return False
    signed_username = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default=None, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    return signed_username == username


def remember_device(response, *, username):
    """Set the known-device cookie for ``username`` on ``response``, for another KNOWN_DEVICE_MAX_AGE.

    HttpOnly: no script needs it. Lax: another site's form cannot post a login with it.
    Sent to admin pages only, where the login form is.
    """
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        username,
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        path=reverse("admin:index"),
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


class LoginLimitsHandler(AxesDatabaseHandler):
    """django-axes' database handler, also locking a username guessed at from many
    addresses, except for a browser that has logged in as it before."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if is_known_device(request, username=username):
            return False
        return username_is_capped(username=username, now=request.axes_attempt_time)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # The cookie goes on the answer, which the login view has not made yet:
        # PostureAdminSite.login sets it from this mark.
        request.logged_in_username = user.get_username()
