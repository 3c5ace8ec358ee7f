"""The site's URLs with the framework floor in front: a template view with a tiny template, no base.html."""

from django.urls import path
from django.views.generic import TemplateView

from posture_booking.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    # First, so resolving it costs the least: the floor is as low as the framework goes.
    path("bench/floor/", TemplateView.as_view(template_name="bench/floor.html"), name="bench_floor"),
    *site_urlpatterns,
]
