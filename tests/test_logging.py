import io
import logging

from django.conf import settings

from posture_booking.logging import RedactSecretsFilter, redact


def test_tokens_in_urls_are_redacted():
    line = '127.0.0.1 "GET /book/manage/abc123:sig-_x/cancel/ HTTP/1.1" 200; feed /calendar/s3cr3t.ics'
    assert redact(line) == '127.0.0.1 "GET /book/manage/[redacted]/cancel/ HTTP/1.1" 200; feed /calendar/[redacted].ics'
    assert redact("/book/confirmed/tok/") == "/book/confirmed/[redacted]/"
    assert redact("/book/2026-12-02/") == "/book/2026-12-02/"
    # Julie's calendar pages in admin are no secret: her logs say which she opened.
    admin_week = "GET /admin/appointments/appointment/calendar/week/?day=2026-12-02 200"
    assert redact(admin_week) == admin_week


def test_log_records_reach_the_console_without_tokens():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: %s", "/book/manage/secret-token/")
    finally:
        logger.removeHandler(handler)
    assert "secret-token" not in stream.getvalue()
    assert "/book/manage/[redacted]/" in stream.getvalue()
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]


def test_admin_searches_are_redacted_from_request_lines():
    """Julie searches admin for a client by name, email or phone: the access log keeps the page, not the words."""
    line = '"GET /admin/appointments/client/?q=Ada+Lovelace&o=1 HTTP/1.1" 200'
    assert redact(line) == '"GET /admin/appointments/client/?q=[redacted]&o=1 HTTP/1.1" 200'
    picker = "/admin/autocomplete/?term=ada%40example.com&app_label=appointments"
    assert redact(picker) == "/admin/autocomplete/?term=[redacted]&app_label=appointments"
    assert redact("/admin/appointments/appointment/?status__exact=booked") == (
        "/admin/appointments/appointment/?status__exact=booked"
    )


def test_runserver_request_lines_go_through_the_redacting_handler():
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
