"""Settings come from the environment only; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable settings.py reads: each case starts with none of them set.
SETTINGS_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
    "SITE_URL", "TIME_ZONE", "DEFAULT_FROM_EMAIL", "THERAPIST_EMAIL", "CONN_MAX_AGE",
    "LOG_LEVEL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "FORM_RATE_LIMIT", "FORWARDED_ALLOW_IPS",
    "DJANGO_SETTINGS_MODULE", "ADMIN_URL", "ADMIN_REQUIRE_2FA", "MANAGE_LINK_DAYS_AFTER_SESSION",
    "INTAKE_ENCRYPTION_KEYS",
}  # fmt: skip

PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SITE_URL": settings.SITE_URL,
    "TIME_ZONE": settings.TIME_ZONE,
    "CELERY_TIMEZONE": settings.CELERY_TIMEZONE,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "PORT": db.get("PORT", ""),
    "USER": db.get("USER", ""),
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS"),
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_FILE_PATH": str(getattr(settings, "EMAIL_FILE_PATH", "")),
    "EMAIL_HOST": getattr(settings, "EMAIL_HOST", None),
    "EMAIL_PORT": getattr(settings, "EMAIL_PORT", None),
    "EMAIL_HOST_USER": getattr(settings, "EMAIL_HOST_USER", None),
    "EMAIL_USE_TLS": getattr(settings, "EMAIL_USE_TLS", None),
    "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
    "THERAPIST_EMAIL": settings.THERAPIST_EMAIL,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": str(settings.CACHES["default"]["LOCATION"]),
    "SESSION_COOKIE_SECURE": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "CSRF_COOKIE_SECURE": getattr(settings, "CSRF_COOKIE_SECURE", False),
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "SECURE_HSTS_SECONDS": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "ADMIN_REQUIRE_2FA": settings.ADMIN_REQUIRE_2FA,
}))
"""


def load_settings(**env):
    """Import settings in a new interpreter with only ``env`` of SETTINGS_VARIABLES set."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "posture_booking.settings"
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env):
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_variables_is_production_and_asks_for_a_secret_key():
    """Secure by default: a start that forgets DEBUG gets no debug pages, and without
    SECRET_KEY it stops with a message that says what to set."""
    result = load_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "DEBUG=True" in result.stderr  # how a developer gets going


def test_secret_key_without_debug_is_production():
    s = settings_with(SECRET_KEY="x" * 60)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["ALLOWED_HOSTS"] == []


def test_debug_on_is_the_embedded_default():
    s = settings_with(DEBUG="True")
    assert s["DEBUG"] is True
    assert s["SECRET_KEY"]
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(s["NAME"]) == BASE_DIR / "var" / "db.sqlite3"
    assert s["EMAIL_BACKEND"] == "posture_booking.mail.ConsoleAndFileEmailBackend"
    assert Path(s["EMAIL_FILE_PATH"]) == BASE_DIR / "var" / "mail"
    assert s["CELERY_BROKER_URL"].startswith("filesystem://")
    assert s["CACHE_BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert s["TIME_ZONE"] == s["CELERY_TIMEZONE"] == "America/New_York"
    assert s["SITE_URL"] == "http://127.0.0.1:8000"
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]
    assert s["SESSION_COOKIE_SECURE"] is False


def test_postgres_database_url():
    s = settings_with(DEBUG="True", DATABASE_URL="postgres://julie:s3cret@db.example.com:5433/posture")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert (s["NAME"], s["HOST"], s["PORT"], s["USER"]) == ("posture", "db.example.com", 5433, "julie")
    assert s["CONN_MAX_AGE"] == 60
    assert s["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_from_environment():
    s = settings_with(DEBUG="True", DATABASE_URL="postgresql://u@localhost/posture", CONN_MAX_AGE="0")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert s["CONN_MAX_AGE"] == 0


def test_production_without_secret_key_fails_loudly():
    result = load_settings(DEBUG="False")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_are_secure():
    s = settings_with(
        DEBUG="False",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="posturemassage.example,www.posturemassage.example",
        SITE_URL="https://posturemassage.example/",
    )
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["posturemassage.example", "www.posturemassage.example"]
    assert s["SITE_URL"] == "https://posturemassage.example"
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180


def test_production_has_no_default_hosts():
    s = settings_with(DEBUG="False", SECRET_KEY="x" * 60)
    assert s["ALLOWED_HOSTS"] == []


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "not a zone", "../../etc/passwd"])
def test_unknown_time_zone_fails(zone):
    result = load_settings(DEBUG="True", TIME_ZONE=zone)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "is not a known time zone" in result.stderr


def test_a_proxy_address_that_is_not_one_fails():
    result = load_settings(DEBUG="True", FORWARDED_ALLOW_IPS="127.0.0.1,proxy.example.com")
    assert result.returncode != 0
    assert "FORWARDED_ALLOW_IPS: 'proxy.example.com' is not an address" in result.stderr


@pytest.mark.parametrize("days", ["0", "-3"])
def test_manage_links_that_would_expire_before_the_day_is_out_fail(days):
    result = load_settings(DEBUG="True", MANAGE_LINK_DAYS_AFTER_SESSION=days)
    assert result.returncode != 0
    assert "MANAGE_LINK_DAYS_AFTER_SESSION must be a whole number of days, at least 1" in result.stderr


def test_time_zone_from_environment():
    s = settings_with(DEBUG="True", TIME_ZONE="America/Chicago")
    assert s["TIME_ZONE"] == s["CELERY_TIMEZONE"] == "America/Chicago"


def test_smtp_email_url():
    s = settings_with(
        DEBUG="True",
        EMAIL_URL="smtp+tls://julie%40example.com:app-password@smtp.example.com:587",
        DEFAULT_FROM_EMAIL="Julie <julie@example.com>",
        THERAPIST_EMAIL="julie@example.com",
    )
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert s["EMAIL_HOST_USER"] == "julie@example.com"
    assert s["EMAIL_USE_TLS"] is True
    assert s["DEFAULT_FROM_EMAIL"] == "Julie <julie@example.com>"
    assert s["THERAPIST_EMAIL"] == "julie@example.com"


def test_plain_smtp_email_url():
    s = settings_with(DEBUG="True", EMAIL_URL="smtp://localhost:1025")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"]) == ("localhost", 1025)


def test_redis_url_is_broker_and_cache():
    s = settings_with(DEBUG="True", REDIS_URL="redis://127.0.0.1:6379/3")
    assert s["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert s["CACHE_BACKEND"] == "posture_booking.redis_cache.RedisCache"
    assert s["CACHE_LOCATION"] == "redis://127.0.0.1:6379/3"


def test_two_step_login_is_required_only_when_turned_on():
    assert settings_with(DEBUG="True")["ADMIN_REQUIRE_2FA"] is False
    assert settings_with(DEBUG="True", ADMIN_REQUIRE_2FA="True")["ADMIN_REQUIRE_2FA"] is True


def test_an_intake_encryption_key_that_is_not_a_fernet_key_fails():
    result = load_settings(DEBUG="True", INTAKE_ENCRYPTION_KEYS="not-a-key")
    assert result.returncode != 0
    assert "INTAKE_ENCRYPTION_KEYS: each key must be a Fernet key" in result.stderr
