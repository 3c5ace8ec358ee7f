from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from appointments.views import calendar_feed

from .health import healthz
from .themes import choose_theme

# The site's own 400 and 403 pages; 404 and 500 are Django's views with our templates.
handler400 = "posture_booking.errors.bad_request"
handler403 = "posture_booking.errors.permission_denied"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("book/", include("appointments.urls")),
    path("intake/", include("intake.urls")),
    path("waitlist/", include("waitlist.urls")),
    path("checkins/", include("checkins.urls")),
    path("your-sessions/", include("clients.urls")),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("healthz", healthz, name="healthz"),
    path("theme/", choose_theme, name="theme"),
    path("", include("services.urls")),
]
