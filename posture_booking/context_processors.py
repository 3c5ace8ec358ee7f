import functools
import logging

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.templatetags.static import static
from django.urls import reverse
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


@functools.cache
def _site_links():
    return {
        "home": reverse("services:home"),
        "csmt": reverse("services:detail", kwargs={"slug": "craniosacral-therapy"}),
        "policies": reverse("services:policies"),
        "book": reverse("appointments:days"),
        "your_sessions": reverse("clients:request"),
        "theme": reverse("theme"),
        "web_manifest": reverse("services:web_manifest"),
        "favicon_png": static("img/favicon-32.png"),
        "favicon_svg": static("img/favicon.svg"),
        "apple_touch_icon": static("img/apple-touch-icon.png"),
        "bootstrap_css": static("vendor/bootstrap/bootstrap.min.css"),
        "site_css": static("css/site.css"),
        "dark_css": static("css/dark.css"),
        "site_js": static("js/site.js"),
        "forms_js": static("js/forms.js"),
    }


# Tests that change settings (static storage, URLs) get the links worked out again.
setting_changed.connect(lambda **_kwargs: _site_links.cache_clear(), weak=False, dispatch_uid="site-links")


def site_links(request):
    """The links and static files base.html prints on every page, worked out once per process:
    its nineteen {% url %} and {% static %} tags were most of the cost of rendering it (bench/RESULTS.md)."""
    return {"links": _site_links()}
