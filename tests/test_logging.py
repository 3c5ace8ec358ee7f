import io
import logging

from django.conf import settings

from posture_booking.logging import RedactSecretsFilter, redact


def test_tokens_in_urls_are_redacted():
    line = '127.0.0.1 "GET /book/manage/abc123:sig-_x/cancel/ HTTP/1.1" 200; feed /calendar/s3cr3t.ics'
    assert redact(line) == '127.0.0.1 "GET /book/manage/[redacted]/cancel/ HTTP/1.1" 200; feed /calendar/[redacted]'
    assert redact("/book/confirmed/tok/") == "/book/confirmed/[redacted]/"
    assert redact("/book/2026-12-02/") == "/book/2026-12-02/"


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
