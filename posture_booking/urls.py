from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from appointments.views import calendar_feed

from .health import healthz

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("book/", include("appointments.urls")),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("healthz", healthz, name="healthz"),
    path("", include("services.urls")),
]
