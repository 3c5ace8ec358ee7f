"""The site's URLs with the framework floor in front, and the booking pages without their page cache.

The floor is a template view with a tiny template (no base.html); the one-query floor the same
after one trivial query, the least a page that reads the database costs. The /bench/uncached/
pages are the booking pages as the first visitor after a booking, or after the minute turns, meets
them: nothing saved for them yet (appointments.page_cache).
"""

import uuid
from unittest import mock

from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from appointments import page_cache, views
from posture_booking.urls import urlpatterns as site_urlpatterns
from services.models import Service


class FloorQuery(TemplateView):
    template_name = "bench/floor_query.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "service_count": Service.objects.count()}


def as_first_visitor(view):
    """The view as the first visitor after a booking, or of a minute, meets it: nothing saved for the minute
    yet (each request a minute of its own for appointments.page_cache), so the page and its free times are
    made and saved. What each process remembers of Julie's settings (page_cache.remembered) is kept, as
    after a booking: only her changes renew it."""

    def first_visit(request, *args, **kwargs):
        minute = f"{timezone.now():%Y-%m-%dT%H:%M}:{uuid.uuid4().hex}"
        with mock.patch.object(page_cache, "_minute", lambda: minute):
            return view(request, *args, **kwargs)

    return first_visit


urlpatterns = [
    # First, so resolving it costs the least: the floor is as low as the framework goes.
    path("bench/floor/", TemplateView.as_view(template_name="bench/floor.html"), name="bench_floor"),
    path("bench/floor-query/", FloorQuery.as_view(), name="bench_floor_query"),
    path("bench/uncached/book/", as_first_visitor(views.days)),
    path("bench/uncached/book/<str:day>/", as_first_visitor(views.day)),
    *site_urlpatterns,
]
