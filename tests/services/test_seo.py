"""Found and shared: schema.org data, sitemap, robots.txt, noindex, canonical and share tags, icons, manifest."""

import json
import re
import struct
from datetime import time
from html import unescape
from xml.etree import ElementTree

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import get_resolver, reverse
from django.utils.http import urlencode

from appointments.forms import slot_value
from appointments.models import Appointment, BusinessDetails, WorkingHours
from services import seo
from services.models import Service
from tests.appointments.conftest import booking_data, business_time

pytestmark = pytest.mark.django_db

SITE = "https://posture.example"
CSMT = "/services/craniosacral-therapy/"
PUBLIC_PATHS = ["/", CSMT, "/policies/"]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def json_ld_of(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def home_data(client):
    return json_ld_of(client.get("/").content.decode())


def keys_anywhere(data):
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys_anywhere(value)}
    if isinstance(data, list):
        return {key for value in data for key in keys_anywhere(value)}
    return set()


def meta(html, attribute, name):
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return [unescape(value) for value in found]


def canonical(html):
    return re.findall(r'<link rel="canonical" href="([^"]*)">', html)


def png_size(path):
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


# --- schema.org ---------------------------------------------------------------------------


def test_home_describes_the_business_as_schema_org_data(client):
    data = home_data(client)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "HealthAndBeautyBusiness"
    assert data["name"] == "Posture Massage"
    assert data["url"] == f"{SITE}/"
    assert data["email"] == BusinessDetails.load().email
    assert data["address"] == {"@type": "PostalAddress", "addressRegion": "Connecticut", "addressCountry": "US"}
    assert data["areaServed"] == {"@type": "State", "name": "Connecticut"}
    assert "telephone" not in data, "no phone given, none made up"
    [offer] = data["makesOffer"]
    csmt = Service.objects.get(slug="craniosacral-therapy")
    assert offer["itemOffered"]["@type"] == "Service"
    assert offer["itemOffered"]["name"] == csmt.name
    assert offer["itemOffered"]["description"] == csmt.description
    assert offer["itemOffered"]["url"] == SITE + CSMT
    assert offer["itemOffered"]["provider"] == {"@id": data["@id"]}


def test_the_schema_org_data_states_no_rating_or_review(client):
    assert not keys_anywhere(home_data(client)) & {"aggregateRating", "review", "reviews", "ratingValue"}


def test_the_area_names_the_town_once_julie_gives_one_and_never_a_street(client):
    business = BusinessDetails.load()
    business.town = "Hartford"
    business.location = "12 Elm Street, Hartford, CT"
    business.phone = "(860) 555-0142"
    business.save()

    data = home_data(client)

    assert data["address"]["addressLocality"] == "Hartford"
    assert "streetAddress" not in data["address"]
    assert "Elm Street" not in json.dumps(data), "the session address is for booked clients only"
    assert data["telephone"] == "(860) 555-0142"


def test_opening_hours_are_julies_working_hours_and_follow_her_changes(client):
    # Seeded: weekdays 9-12 and 13-17, Saturday 9-13.
    hours = home_data(client)["openingHoursSpecification"]
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert {(spec["opens"], spec["closes"]): spec["dayOfWeek"] for spec in hours} == {
        ("09:00", "12:00"): weekdays,
        ("13:00", "17:00"): weekdays,
        ("09:00", "13:00"): ["Saturday"],
    }
    assert all(spec["@type"] == "OpeningHoursSpecification" for spec in hours)

    WorkingHours.objects.filter(weekday=5).delete()
    WorkingHours.objects.create(weekday=6, start_time=time(10), end_time=time(14, 30))

    hours = home_data(client)["openingHoursSpecification"]
    assert {(spec["opens"], spec["closes"]): spec["dayOfWeek"] for spec in hours} == {
        ("09:00", "12:00"): weekdays,
        ("13:00", "17:00"): weekdays,
        ("10:00", "14:30"): ["Sunday"],
    }


def test_schema_org_data_cannot_end_its_script_element(client):
    business = BusinessDetails.load()
    business.description = "Calm </script><script>alert(1)</script> & kind"
    business.save()

    html = client.get("/").content.decode()

    assert "</script><script>alert(1)" not in html
    assert json_ld_of(html)["description"] == "Calm </script><script>alert(1)</script> & kind"


def test_opening_hours_group_the_days_that_share_an_interval():
    rows = [
        WorkingHours(weekday=2, start_time=time(9), end_time=time(12)),
        WorkingHours(weekday=0, start_time=time(9), end_time=time(12)),
        WorkingHours(weekday=0, start_time=time(13), end_time=time(17)),
    ]
    assert seo.opening_hours(rows) == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["Monday", "Wednesday"],
            "opens": "09:00",
            "closes": "12:00",
        },
        {"@type": "OpeningHoursSpecification", "dayOfWeek": ["Monday"], "opens": "13:00", "closes": "17:00"},
    ]


# --- sitemap and robots.txt -----------------------------------------------------------------


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    return [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def test_the_sitemap_lists_the_public_pages_only_at_site_url(client):
    assert sorted(sitemap_locations(client)) == sorted(SITE + path for path in PUBLIC_PATHS)


def test_the_sitemap_leaves_out_a_hidden_service(client):
    Service.objects.update(is_active=False)
    assert sorted(sitemap_locations(client)) == [f"{SITE}/", f"{SITE}/policies/"]


def test_robots_txt_keeps_crawlers_out_of_bookings_and_the_feed_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /book/", "Disallow: /calendar/", "Disallow: /admin/"} <= set(lines)
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /" not in lines, "the public pages stay open"


def test_robots_txt_keeps_crawlers_out_of_every_area_but_the_public_pages(client, settings):
    """A new area of the site (its own prefix in posture_booking/urls.py) must be listed, or made public."""
    public = {"", settings.ADMIN_URL, "healthz"}  # services' pages (robots.txt, sitemap too); admin; a probe
    prefixes = {str(pattern.pattern).split("<")[0] for pattern in get_resolver().url_patterns} - public
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert {f"Disallow: /{prefix}" for prefix in prefixes} <= set(lines)


def test_robots_txt_never_names_a_custom_admin_path(client, settings):
    settings.ADMIN_URL = "julies-desk-7f3a/"
    text = client.get("/robots.txt").content.decode()
    assert "julies-desk" not in text
    assert "admin" not in text


# --- what each page tells search engines and link previews -----------------------------------


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_each_public_page_has_its_canonical_address_and_share_tags(client, path):
    html = client.get(path, {"utm_source": "newsletter"}).content.decode()

    assert canonical(html) == [SITE + path], "SITE_URL and the path, without the query"
    assert meta(html, "property", "og:url") == [SITE + path]
    assert meta(html, "property", "og:site_name") == ["Posture Massage"]
    assert meta(html, "property", "og:image") == [f"{SITE}/static/img/share.png"]
    assert meta(html, "name", "twitter:card") == ["summary_large_image"]
    assert meta(html, "name", "twitter:image") == [f"{SITE}/static/img/share.png"]
    for tag in ("og:title", "og:description"):
        assert meta(html, "property", tag)[0].strip()
    [description] = meta(html, "name", "description")
    assert meta(html, "property", "og:description") == meta(html, "name", "twitter:description") == [description]
    assert meta(html, "property", "og:title") == meta(html, "name", "twitter:title")
    assert not meta(html, "name", "robots")


def test_every_sitemap_page_is_indexable_at_its_own_canonical_address(client):
    for location in sitemap_locations(client):
        html = client.get(location.removeprefix(SITE)).content.decode()
        assert canonical(html) == [location]
        assert not meta(html, "name", "robots")


def test_the_service_page_is_shared_under_the_service_name(client):
    html = client.get(CSMT).content.decode()
    assert meta(html, "property", "og:title") == ["Craniosacral Massage Therapy for Migraines"]


def test_booking_manage_and_error_pages_say_noindex_and_name_no_canonical(client):
    with time_machine.travel(business_time(2026, 12, 1, 8), tick=False):
        details = (
            f"{reverse('appointments:details')}?{urlencode({'start': slot_value(business_time(2026, 12, 3, 10))})}"
        )
        pages = ["/book/", "/book/2026-12-02/", details, "/no-such-page/"]
        confirmed = client.post(reverse("appointments:details"), booking_data(), follow=True)
        token = Appointment.objects.get().manage_token
        pages += [
            reverse(name, kwargs={"token": token})
            for name in (
                "appointments:confirmed",
                "appointments:manage",
                "appointments:cancel",
                "appointments:reschedule",
            )
        ]
        pages += ["/book/manage/not-a-real-link/"]
        responses = {path: client.get(path) for path in pages}
    responses["confirmed after booking"] = confirmed

    for path, response in responses.items():
        assert response.status_code in {200, 404}, path
        html = response.content.decode()
        assert meta(html, "name", "robots") == ["noindex"], path
        assert not canonical(html), path
        assert not meta(html, "property", "og:url"), path


def test_admin_pages_say_noindex_at_any_path(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert meta(html, "name", "robots") == ["NONE,NOARCHIVE"], "Django admin's own: no index, no archive"


# --- icons and the web manifest ----------------------------------------------------------


def test_the_manifest_is_served_as_a_web_manifest_with_icons_that_exist(client):
    response = client.get("/site.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "Posture Massage"
    assert manifest["start_url"] == "/"
    assert manifest["display"] in {"browser", "standalone"}
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(path)
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add(width)
    assert {192, 512} <= sizes


def test_every_page_links_its_icons_and_the_manifest(client):
    html = client.get("/policies/").content.decode()
    for rel, name, size in [
        ("icon", "favicon-32.png", 32),
        ("apple-touch-icon", "apple-touch-icon.png", 180),
    ]:
        assert re.search(rf'<link rel="{rel}" href="/static/img/{name}"', html), name
        assert png_size(finders.find(f"img/{name}")) == (size, size)
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert f'<link rel="manifest" href="{reverse("services:web_manifest")}">' in html


def test_the_share_image_is_1200_by_630():
    assert png_size(finders.find("img/share.png")) == (1200, 630)


def test_favicon_ico_is_found_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    path = finders.find(response["Location"].removeprefix("/static/"))
    with open(path, "rb") as ico:
        assert ico.read(4) == b"\x00\x00\x01\x00", "an .ico file"
