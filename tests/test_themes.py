"""Light, dark or the device's own display: chosen without JavaScript, remembered, written
into every page by the server, and nothing on the site moves."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from posture_booking.themes import CHOICE_INVALID, COOKIE, COOKIE_MAX_AGE
from tests.test_error_pages import csrf_token_in, strict_client

pytestmark = pytest.mark.django_db

THEME = reverse("theme")
POLICIES = reverse("services:policies")


def choose(client, theme, next_url=POLICIES):
    return client.post(THEME, {"theme": theme, "next": next_url})


def html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def dark_css_link(response):
    """The <link> of dark.css, or None when the page never turns dark."""
    found = re.search(r'<link rel="stylesheet" href="[^"]*dark\.css"[^>]*>', response.content.decode())
    return found and found.group(0)


@pytest.mark.parametrize("theme", ["auto", "light", "dark"])
def test_choosing_a_display_sets_a_cookie_for_a_year_and_goes_back(client, theme):
    response = choose(client, theme)
    assert response.status_code == 302
    assert response["Location"] == POLICIES
    cookie = response.cookies[COOKIE]
    assert cookie.value == theme
    assert cookie["max-age"] == COOKIE_MAX_AGE == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_the_choice_page_works_with_a_real_browsers_csrf_token():
    browser = strict_client()
    page = browser.get(THEME, {"next": POLICIES})
    assert page.status_code == 200
    assert f'name="next" value="{POLICIES}"' in page.content.decode()
    response = browser.post(THEME, {"theme": "dark", "next": POLICIES, "csrfmiddlewaretoken": csrf_token_in(page)})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "dark"


def test_another_site_cannot_choose_for_the_client():
    response = Client(enforce_csrf_checks=True).post(THEME, {"theme": "dark", "next": POLICIES})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "/\\evil.example"]
)
def test_a_next_address_off_this_site_goes_home_instead(client, next_url):
    response = choose(client, "dark", next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("value", ["purple", "", "DARK"])
def test_a_choice_not_on_the_list_is_asked_again_kindly(client, value):
    response = choose(client, value)
    assert response.status_code == 200
    assert CHOICE_INVALID in response.content.decode()
    assert COOKIE not in response.cookies


def test_the_choice_page_marks_the_current_choice_and_is_not_cached(client):
    client.cookies[COOKIE] = "dark"
    response = client.get(THEME)
    assert re.search(r'value="dark"[^>]*checked', response.content.decode())
    assert "no-store" in response["Cache-Control"]
    assert client.put(THEME).status_code == 405


@pytest.mark.parametrize(
    ("cookie", "theme", "dark_css_media"),
    [
        (None, "auto", ' media="(prefers-color-scheme: dark)"'),
        ("auto", "auto", ' media="(prefers-color-scheme: dark)"'),
        ("nonsense", "auto", ' media="(prefers-color-scheme: dark)"'),
        ("dark", "dark", ""),
    ],
)
def test_every_page_is_written_in_the_chosen_display(client, cookie, theme, dark_css_media):
    if cookie:
        client.cookies[COOKIE] = cookie
    for url in ["/", POLICIES, reverse("appointments:days"), THEME]:
        response = client.get(url)
        assert html_tag(response) == f'<html lang="en" data-theme="{theme}">'
        assert dark_css_link(response).endswith(f'dark.css"{dark_css_media}>')


def test_the_light_display_never_loads_the_dark_colours(client):
    client.cookies[COOKIE] = "light"
    response = client.get("/")
    assert html_tag(response) == '<html lang="en" data-theme="light">'
    assert dark_css_link(response) is None
    assert '<meta name="color-scheme" content="light">' in response.content.decode()


def test_every_page_links_to_the_choice_and_back(client):
    html = client.get(POLICIES).content.decode()
    assert f'href="{THEME}?next=/policies/">Light or dark display</a>' in html


CSS = [settings.BASE_DIR / "static" / "css" / name for name in ("site.css", "dark.css")]


@pytest.mark.parametrize("path", CSS, ids=lambda path: path.name)
def test_nothing_on_the_site_moves_or_fades(path):
    css = path.read_text()
    for prop, value in re.findall(r"(transition|animation)[\w-]*\s*:\s*([^;}]+)", css):
        assert value.strip().startswith("none"), f"{path.name}: {prop}: {value}"
    assert "@keyframes" not in css
    assert "smooth" not in css


def test_bootstraps_own_transitions_are_switched_off():
    site_css = CSS[0].read_text()
    assert re.search(
        r"\*,\s*\*::before,\s*\*::after\s*{\s*transition: none !important;\s*animation: none !important;", site_css
    )


@pytest.mark.parametrize("path", CSS, ids=lambda path: path.name)
def test_no_pure_white_page_or_pure_black_text(path):
    css = path.read_text()
    for name in ("--pm-bg", "--pm-surface", "--pm-text"):
        value = re.search(rf"{name}:\s*(#[0-9a-f]+)", css).group(1)
        assert value not in {"#fff", "#ffffff", "#000", "#000000"}, (path.name, name, value)
