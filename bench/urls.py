"""The site's URLs with the framework floor in front, and the booking pages without their page cache.

The floor is a template view with a tiny template (no base.html); the one-query floor the same
after one trivial query, the least a page that reads the database costs. The /bench/uncached/
pages are the booking pages after a change of availability (a new appointments.page_cache
version each time): what the first visitor after a booking waits for.
"""

from django.urls import path
from django.views.generic import TemplateView

from appointments import page_cache, views
from posture_booking.urls import urlpatterns as site_urlpatterns
from services.models import Service


class FloorQuery(TemplateView):
    template_name = "bench/floor_query.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "service_count": Service.objects.count()}


def days_uncached(request):
    # What the first visitor after a booking waits for: a new availability version, then the page
    # as /book/ makes it (its saved copy and free times are then of no use).
    page_cache.availability_changed()
    return views.days(request)


def day_uncached(request, day):
    page_cache.availability_changed()
    return views.day(request, day)


urlpatterns = [
    # First, so resolving it costs the least: the floor is as low as the framework goes.
    path("bench/floor/", TemplateView.as_view(template_name="bench/floor.html"), name="bench_floor"),
    path("bench/floor-query/", FloorQuery.as_view(), name="bench_floor_query"),
    path("bench/uncached/book/", days_uncached),
    path("bench/uncached/book/<str:day>/", day_uncached),
    *site_urlpatterns,
]
