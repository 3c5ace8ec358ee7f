"""The site's own error pages: its layout and plain words instead of Django's bare ones.

404 and 500 are Django's default views with templates/404.html and templates/500.html.
"""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from appointments.views import form_again_after_csrf_failure


def bad_request(request, exception=None):
    """handler400. Unlike Django's own it does not ask for a CSRF token: that reads the body
    again, and a body that could not be read the first time raised again (a bare 500)."""
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    """handler403."""
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a stale or missing security token.

    Mostly a page left open until its cookie expired. The booking, cancel and reschedule
    forms come back as typed with a fresh token; anything else gets the site's 403 page.
    """
    response = form_again_after_csrf_failure(request)
    if response is None:
        response = render(request, "403.html", {"form_open_too_long": True}, status=403)
        add_never_cache_headers(response)
    return response
