import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from appointments.models import BusinessDetails

from .themes import theme_of

logger = logging.getLogger(__name__)


def _business_details():
    try:
        return BusinessDetails.load()
    except DatabaseError as exc:
        # The 400 and 403 pages must show even when the database cannot be read: they get the defaults.
        logger.warning("Business details unreadable (%s): the page shows the defaults.", exc)
        return BusinessDetails(email=settings.THERAPIST_EMAIL)


def business(request):
    """What every page needs to know about the practice.

    The details are read once a page, when the page first uses them: one primary-key
    query. Pages saved by the page cache are sent without rendering, so need none.
    """
    return {"site_url": settings.SITE_URL, "business": SimpleLazyObject(_business_details)}


def theme(request):
    """The display chosen (auto, light or dark), which base.html writes into every page."""
    return {"theme": theme_of(request)}
