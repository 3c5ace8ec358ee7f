from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from appointments.models import BookingRules, BusinessDetails, WorkingHours

from . import seo
from .models import Service


def home(request):
    services = Service.objects.filter(is_active=True)
    business = BusinessDetails.load()
    data = seo.business_data(business=business, services=services, working_hours=WorkingHours.objects.all())
    context = {"services": services, "rules": BookingRules.load(), "business": business, "json_ld": seo.json_ld(data)}
    return render(request, "services/home.html", context)


def service_detail(request, slug):
    service = get_object_or_404(Service.objects.prefetch_related("sections"), slug=slug, is_active=True)
    # With one service open, "Book" is the plain /book/ it always was.
    book_url = service.get_booking_url() if service.is_one_of_several() else reverse("appointments:days")
    context = {"service": service, "book_url": book_url, "rules": BookingRules.load()}
    return render(request, "services/service_detail.html", context)


def policies(request):
    return render(request, "services/policies.html", {"rules": BookingRules.load()})


@require_safe
def robots_txt(request):
    """Crawlers stay out of everything but the public pages: the booking steps, the private links
    (manage, intake, waitlist, check-ins, a client's own page), the display switch and the calendar feed.

    Admin is named only at its well-known default path: a path of Julie's own choosing
    (ADMIN_URL) stays unpublished, and its pages say noindex themselves.
    """
    private = ["/book/", "/intake/", "/waitlist/", "/checkins/", "/your-sessions/", "/theme/", "/calendar/"]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in private)]
    if settings.ADMIN_URL == "admin/":
        lines.append("Disallow: /admin/")
    lines += ["", f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def web_manifest(request):
    """What a phone needs to put the site on its home screen: the name and the icons."""
    business = BusinessDetails.load()
    icons = [("img/icon-192.png", "192x192"), ("img/icon-512.png", "512x512")]
    manifest = {
        "name": business.name,
        "short_name": business.name,
        "description": business.description,
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "theme_color": "#fbfaf7",
        "background_color": "#f6f4ef",
        "icons": [{"src": static(path), "sizes": sizes, "type": "image/png"} for path, sizes in icons]
        + [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@require_safe
def favicon_ico(request):
    """Browsers and feed readers ask for /favicon.ico whatever a page names."""
    return redirect(static("img/favicon.ico"))
