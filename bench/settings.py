"""Settings for the page benchmarks (bench/pages.py): the site's own, plus a floor page and no form rate limit.

Read from the environment like posture_booking.settings; gunicorn gets
DJANGO_SETTINGS_MODULE=bench.settings, so production code carries no bench URL.
"""

from posture_booking.settings import *  # noqa: F403 (the site's settings, changed below)
from posture_booking.settings import BASE_DIR, TEMPLATES

# The site's URLs plus /bench/floor/, a template view that does nothing else.
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]

# Every booking POST comes from 127.0.0.1: the limit still counts (in Redis) but never refuses.
FORM_RATE_LIMIT = "1000000/m"

# Booking confirmations are queued here, where no worker listens; pages.py deletes the queue afterwards.
CELERY_TASK_DEFAULT_QUEUE = "bench-pages"
