"""Settings for the test run: the site's own, as on a developer's computer.

settings.py defaults to DEBUG off (production). A test run is a development run, so
DEBUG is turned on here unless the environment already says otherwise. It is set in
os.environ, before settings.py reads it, so the processes the tests start (Celery
workers, servers) inherit it too. pyproject.toml names this module for pytest-django,
which loads settings before any conftest.py runs.
"""

import os

os.environ.setdefault("DEBUG", "True")

from posture_booking.settings import *  # noqa: E402, F403
