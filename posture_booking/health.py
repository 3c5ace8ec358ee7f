"""/healthz: can this web process reach its database and its Celery broker?"""

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from appointments.tasks import last_worker_heartbeat

from .celery import app

BROKER_TIMEOUT_SECONDS = 2


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok():
    """One try: with Redis hung each costs a socket timeout, and /healthz must answer within 5 s."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        return False


def _heartbeat_age_seconds():
    try:
        heartbeat = last_worker_heartbeat()
    except Exception:
        return None  # the cache (Redis) is down; the broker check reports that
    return round((timezone.now() - heartbeat).total_seconds()) if heartbeat else None


@never_cache
@require_GET
def healthz(request):
    """200 when the database and broker answer, 503 otherwise; JSON either way.

    The worker heartbeat's age is reported for information: a stopped worker
    delays emails but does not stop the site serving bookings.
    """
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {
        "status": "ok" if all(checks.values()) else "error",
        **{name: "ok" if passed else "error" for name, passed in checks.items()},
        "worker_heartbeat_age_seconds": _heartbeat_age_seconds(),
    }
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
