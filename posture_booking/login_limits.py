"""Admin login limits on top of django-axes' own.

django-axes locks one address (an IPv6 /64, see client_ip.client_network) and username
after AXES_FAILURE_LIMIT wrong passwords. A guesser with many addresses gets that many
tries from each, so a second, looser limit counts one username's failures from all
addresses together. It locks that username for minutes, not for good: the lock lifts
LOGIN_USERNAME_COOLOFF after the last failure it counted, so Julie can log in again
soon after the guessing stops, and a guesser keeps getting a few tries per cool-off.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


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


class LoginLimitsHandler(AxesDatabaseHandler):
    """django-axes' database handler, also locking a username guessed at from many addresses."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return username_is_capped(username=get_client_username(request, credentials), now=request.axes_attempt_time)
