"""The site's URLs with the framework floor in front, and the booking pages without their page cache.

The floor is a template view with a tiny template (no base.html); the one-query floor the same
after one trivial query, the least a page that reads the database costs. The /bench/uncached/
pages run the booking pages' own code but skip appointments.page_cache: what the first
visitor after a booking, or after the minute turns, waits for.
"""

from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from appointments import views
from appointments.availability import business_today, parse_date
from posture_booking.urls import urlpatterns as site_urlpatterns
from services.models import Service


class FloorQuery(TemplateView):
    template_name = "bench/floor_query.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "service_count": Service.objects.count()}


def days_uncached(request):
    # This week's page for the only service, as /book/ shows it.
    today = business_today(timezone.now())
    return views._days_page(request, views.week_start(today), "")


def day_uncached(request, day):
    return views._day_page(request, parse_date(day), "")


urlpatterns = [
    # First, so resolving it costs the least: the floor is as low as the framework goes.
    path("bench/floor/", TemplateView.as_view(template_name="bench/floor.html"), name="bench_floor"),
    path("bench/floor-query/", FloorQuery.as_view(), name="bench_floor_query"),
    path("bench/uncached/book/", days_uncached),
    path("bench/uncached/book/<str:day>/", day_uncached),
    *site_urlpatterns,
]
