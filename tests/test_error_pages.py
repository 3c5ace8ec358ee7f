"""Error pages wear the site's layout and plain words; a stale form comes back as typed; an
unreadable form body is a 400, never a 500."""

import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from html import unescape
from http.client import HTTPConnection

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse

from appointments.booking import ClientDetails, book_appointment
from appointments.forms import slot_value
from appointments.hygiene import PHONE_INVALID
from appointments.models import Appointment, BusinessDetails
from appointments.views import FORM_OPEN_TOO_LONG
from posture_booking.urls import handler400, handler403
from posture_booking.urls import urlpatterns as site_urlpatterns
from services.models import Service
from tests.appointments.conftest import business_time
from tests.appointments.test_views import booking_data
from tests.conftest import BASE_DIR, free_port

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
WEDNESDAY_10 = business_time(2026, 12, 2, 10)
THURSDAY_2PM = business_time(2026, 12, 3, 14)
# Words a client should never meet on an error page.
TECHNICAL_WORDS = re.compile(
    r"csrf|token|forbidden|bad request|exception|traceback|utf|charset|encod|http|status|\b[45]\d\d\b|error",
    re.IGNORECASE,
)

# This module doubles as a URLconf (pytest.mark.urls) with one view that refuses everyone.
__all__ = ["handler400", "handler403"]


def refuse(request):
    raise PermissionDenied("staff only")


urlpatterns = [path("only-staff/", refuse), *site_urlpatterns]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def text_of(response_or_html):
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>|<head>.*?</head>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_site_page_in_plain_words(response_or_html):
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    assert re.search(r"/static/css/site(\.\w+)?\.css", html)  # hashed by collectstatic in production
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    words = text_of(html)
    assert not TECHNICAL_WORDS.search(words), TECHNICAL_WORDS.search(words)


def strict_client():
    """A browser that, like a real one, must send the CSRF token; any exception in a view fails the test."""
    return Client(enforce_csrf_checks=True, raise_request_exception=True)


def csrf_token_in(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


# --- 400: a form body that cannot be read ------------------------------------------------


UNREADABLE_FORMS = {
    "utf-16": ("application/x-www-form-urlencoded; charset=utf-16", "name=Ada&email=ada@example.com"),
    "latin-1": ("application/x-www-form-urlencoded; charset=latin-1", "name=Zo\xeb"),
    "unknown charset": ("application/x-www-form-urlencoded; charset=klingon", "name=Ada"),
    "bytes that are not UTF-8": ("application/x-www-form-urlencoded", b"name=Zo\xeb&phone=860"),
    "escapes that are not UTF-8": ("application/x-www-form-urlencoded", "name=Zo%EB&phone=860"),
    "multipart in an unknown charset": ("multipart/form-data; boundary=x; charset=klingon", "--x--\r\n"),
    "multipart in utf-16": ("multipart/form-data; boundary=x; charset=utf-16", "--x--\r\n"),
    # Past Django's DATA_UPLOAD_MAX_NUMBER_FIELDS and DATA_UPLOAD_MAX_MEMORY_SIZE: refused, kindly.
    "too many fields": ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(1001))),
    "too big": ("application/x-www-form-urlencoded", "note=" + "a" * (2_621_440 + 1)),
}


def encoded(body, content_type):
    if isinstance(body, bytes):
        return body
    charset = re.search(r"charset=([\w-]+)", content_type)
    try:
        return body.encode(charset.group(1) if charset else "utf-8")
    except LookupError:
        return body.encode()


@pytest.mark.parametrize("kind", sorted(UNREADABLE_FORMS))
def test_an_unreadable_form_body_gets_the_sites_400_page(kind):
    content_type, body = UNREADABLE_FORMS[kind]
    client = strict_client()
    client.get(
        reverse("appointments:details"), {"start": "2026-12-02T15:00:00Z"}
    )  # the CSRF cookie, as a browser has it
    data = encoded(body, content_type) + b"&csrfmiddlewaretoken=" + client.cookies["csrftoken"].value.encode()
    response = client.generic("POST", reverse("appointments:details"), data, content_type=content_type)
    assert response.status_code == 400
    assert_site_page_in_plain_words(response)
    assert "nothing was booked or changed" in text_of(response)
    assert not Appointment.objects.exists()


def test_a_utf8_form_named_as_such_is_read():
    response = Client().generic(
        "POST",
        reverse("appointments:details"),
        b"name=Zo%C3%AB&phone=12",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
    assert 'value="Zoë"' in response.content.decode()


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """collectstatic into a temporary folder: gunicorn with DEBUG=False serves the hashed files."""
    static_root = tmp_path_factory.mktemp("static")
    env = {**production_env(), "STATIC_ROOT": str(static_root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    return static_root


def production_env():
    import os

    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}},
        "DEBUG": "False",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
    }


def wait_for_port(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not listen on port {port} within {timeout} s")


def test_gunicorn_answers_an_undecodable_form_with_the_400_page(collected_static, tmp_path):
    port = free_port()
    env = {
        **production_env(),
        "STATIC_ROOT": str(collected_static),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the page must not need the database
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "posture_booking.wsgi", "--config", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, server)
        token = "a" * 32
        answers = {}
        for kind, (content_type, body) in UNREADABLE_FORMS.items():
            connection = HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(
                "POST",
                "/book/details/",
                body=encoded(body, content_type) + f"&csrfmiddlewaretoken={token}".encode(),
                headers={"Content-Type": content_type, "Cookie": f"csrftoken={token}"},
            )
            response = connection.getresponse()
            answers[kind] = (response.status, response.read().decode())
        for kind, (status, html) in answers.items():
            assert status == 400, (kind, status)
            assert_site_page_in_plain_words(html)
    finally:
        server.terminate()
        log = server.communicate(timeout=15)[0].decode()
    # Django logs a too-large form as a security event, with its traceback; nothing is a server error.
    assert "Internal Server Error" not in log
    assert re.findall(r'HTTP/1\.1" (\d{3}) ', log) == ["400"] * len(UNREADABLE_FORMS)  # gunicorn's access log


# --- 403: a stale security token ---------------------------------------------------------


def stale_form_client(url, **params):
    """A client that opened a form page, then lost its cookie (it expired while the page was open)."""
    client = strict_client()
    token = csrf_token_in(client.get(url, params))
    client.cookies.clear()
    return client, token


def test_a_booking_sent_after_its_cookie_expired_comes_back_as_typed_and_books_nothing():
    url = reverse("appointments:details")
    client, stale_token = stale_form_client(url, start=slot_value(WEDNESDAY_10))
    response = client.post(url, {**booking_data(), "csrfmiddlewaretoken": stale_token})

    assert response.status_code == 403
    assert not Appointment.objects.exists()
    page = response.content.decode()
    assert FORM_OPEN_TOO_LONG.format(button="Confirm booking") in text_of(response)
    assert 'value="Ada Lovelace"' in page and 'value="ada@example.com"' in page
    assert "Migraines most mornings." in page
    assert "no-store" in response["Cache-Control"]

    # Pressing the button once more books: the page carried a fresh token and cookie.
    again = client.post(url, {**booking_data(), "csrfmiddlewaretoken": csrf_token_in(response)})
    assert again.status_code == 302
    assert Appointment.objects.get().client.name == "Ada Lovelace"


def test_a_stale_booking_form_also_shows_what_needs_fixing():
    url = reverse("appointments:details")
    client, stale_token = stale_form_client(url, start=slot_value(WEDNESDAY_10))
    response = client.post(url, {**booking_data(phone="12"), "csrfmiddlewaretoken": stale_token})
    assert response.status_code == 403
    assert PHONE_INVALID in text_of(response)
    assert not Appointment.objects.exists()


@pytest.fixture
def booked():
    return book_appointment(
        start=WEDNESDAY_10,
        client_details=ClientDetails(name="Ada Lovelace", email="ada@example.com", phone="(860) 555-0100"),
        service=Service.objects.get(slug="craniosacral-therapy"),
        now=NOW,
    )


def test_a_stale_cancel_form_comes_back_and_cancels_nothing(booked):
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    client, stale_token = stale_form_client(url)
    response = client.post(url, {"reason": "Feeling better", "website": "", "csrfmiddlewaretoken": stale_token})
    assert response.status_code == 403
    assert FORM_OPEN_TOO_LONG.format(button="Yes, cancel my session") in text_of(response)
    assert "Feeling better" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_stale_cancel_form_sent_once_its_link_has_expired_gets_the_expired_link_page(booked, settings):
    url = reverse("appointments:cancel", kwargs={"token": booked.manage_token})
    client, stale_token = stale_form_client(url)
    after_expiry = booked.end + timedelta(days=settings.MANAGE_LINK_DAYS_AFTER_SESSION, minutes=1)
    with time_machine.travel(after_expiry, tick=False):
        response = client.post(url, {"reason": "", "website": "", "csrfmiddlewaretoken": stale_token})
    assert response.status_code == 410
    assert "This booking link has expired" in text_of(response)
    assert f'href="mailto:{BusinessDetails.load().email}"' in response.content.decode()  # as on any visit
    assert_site_page_in_plain_words(response)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_stale_reschedule_form_comes_back_and_moves_nothing(booked):
    url = reverse("appointments:reschedule", kwargs={"token": booked.manage_token})
    client, stale_token = stale_form_client(url, day="2026-12-03")
    chosen = slot_value(THURSDAY_2PM)
    response = client.post(
        url, {"day": "2026-12-03", "start": chosen, "website": "", "csrfmiddlewaretoken": stale_token}
    )
    assert response.status_code == 403
    assert FORM_OPEN_TOO_LONG.format(button="Move my session") in text_of(response)
    assert re.search(rf'value="{re.escape(chosen)}"[^>]*checked', response.content.decode())
    booked.refresh_from_db()
    assert booked.start == WEDNESDAY_10


def test_any_other_form_with_a_stale_token_gets_the_sites_403_page():
    get_user_model().objects.create_user("julie", password="a-known-password-123", is_staff=True)
    response = strict_client().post(reverse("admin:login"), {"username": "julie", "password": "a-known-password-123"})
    assert response.status_code == 403
    assert_site_page_in_plain_words(response)
    assert "This page was open for a while" in text_of(response)


@pytest.mark.urls(__name__)
def test_a_refused_page_is_the_sites_403_page():
    response = strict_client().get("/only-staff/")
    assert response.status_code == 403
    assert_site_page_in_plain_words(response)
    assert "staff only" not in text_of(response)


# --- 404, 429, 500 ------------------------------------------------------------------------


def test_a_missing_page_is_the_sites_404_page():
    response = strict_client().get("/no-such-page/")
    assert response.status_code == 404
    assert_site_page_in_plain_words(response)


def test_the_500_page_is_the_sites_layout_without_any_context():
    assert_site_page_in_plain_words(render_to_string("500.html"))


def test_an_admin_lockout_is_the_sites_429_page_in_plain_words(client):
    get_user_model().objects.create_user("julie", password="the-right-password-123", is_staff=True)
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": "julie", "password": "wrong"})
    assert response.status_code == 429
    assert_site_page_in_plain_words(response)
    words = text_of(response)
    assert "Please wait up to 1 hour, then try again" in words
    assert "ask whoever runs the site" in words
