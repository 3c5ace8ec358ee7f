"""The site's URLs with the framework floor in front, and the booking pages without their page cache.

The floor is a template view with a tiny template (no base.html). The /bench/uncached/
pages run the booking pages' own code but skip appointments.page_cache: what the first
visitor after a booking, or after the minute turns, waits for.
"""

from django.urls import path
from django.views.generic import TemplateView

from appointments import views
from appointments.availability import parse_date
from posture_booking.urls import urlpatterns as site_urlpatterns


def days_uncached(request):
    return views._days_page(request)


def day_uncached(request, day):
    return views._day_page(request, parse_date(day))


urlpatterns = [
    # First, so resolving it costs the least: the floor is as low as the framework goes.
    path("bench/floor/", TemplateView.as_view(template_name="bench/floor.html"), name="bench_floor"),
    path("bench/uncached/book/", days_uncached),
    path("bench/uncached/book/<str:day>/", day_uncached),
    *site_urlpatterns,
]
