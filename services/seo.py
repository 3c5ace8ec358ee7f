"""What search engines and link previews read: the business as schema.org data, the sitemap.

Only the pages written for anyone to find are listed and indexed: home, each service page
and the policies. Booking steps, manage links and the calendar feed are nobody's search
result (robots.txt keeps crawlers out and every other page says noindex, base.html).
"""

import json
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

from .models import Service

# The characters that could end a <script> element or open a comment, as JSON escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path):
    return settings.SITE_URL + path


def opening_hours(working_hours):
    """OpeningHoursSpecification from WorkingHours rows: the days that share an interval, together."""

    def interval(hours):
        return hours.start_time, hours.end_time

    specs = []
    for (opens, closes), rows in groupby(sorted(working_hours, key=lambda h: (interval(h), h.weekday)), key=interval):
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [row.get_weekday_display() for row in rows],
                "opens": f"{opens:%H:%M}",
                "closes": f"{closes:%H:%M}",
            }
        )
    return specs


def business_data(*, business, services, working_hours):
    """The practice as schema.org HealthAndBeautyBusiness: only what Julie states, no ratings or reviews.

    Its area, never a street address: the session address is for booked clients only.
    """
    business_id = absolute("/#business")
    address = {"@type": "PostalAddress", "addressRegion": business.state, "addressCountry": "US"}
    if business.town:
        address["addressLocality"] = business.town
    data = {
        "@context": "https://schema.org",
        "@type": "HealthAndBeautyBusiness",
        "@id": business_id,
        "name": business.name,
        "description": business.description,
        "url": absolute("/"),
        "image": absolute(static("img/share.png")),
        "logo": absolute(static("img/icon-512.png")),
        "email": business.email,
        "address": address,
        "areaServed": {"@type": "State", "name": business.state},
        "openingHoursSpecification": opening_hours(working_hours),
        "makesOffer": [
            {
                "@type": "Offer",
                "itemOffered": {
                    "@type": "Service",
                    "name": service.name,
                    "description": service.description,
                    "url": absolute(service.get_absolute_url()),
                    "provider": {"@id": business_id},
                },
            }
            for service in services
        ],
    }
    if business.phone:
        data["telephone"] = business.phone
    return data


def json_ld(data):
    """The data as the body of a <script type="application/ld+json">, safe inside HTML."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308  # nosec B308, B703


class SiteSitemap(Sitemap):
    """Addresses under SITE_URL, whatever host the request came by."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(SiteSitemap):
    def items(self):
        return ["services:home", "services:policies"]

    def location(self, item):
        return reverse(item)


class ServicesSitemap(SiteSitemap):
    def items(self):
        return Service.objects.filter(is_active=True).order_by("pk")


SITEMAPS = {"pages": PagesSitemap, "services": ServicesSitemap}
