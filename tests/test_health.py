import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from posture_booking.celery import app
from tests.conftest import free_port


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, monkeypatch, settings):
    """Redis is both broker and cache in production: with it down, a JSON 503, not a server error."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setattr(app.conf, "broker_url", closed)
    settings.CACHES = {"default": {"BACKEND": "posture_booking.redis_cache.RedisCache", "LOCATION": closed}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error",
        "worker_heartbeat_age_seconds": None,
    }


PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "booking.example.com",
    "SITE_URL": "https://booking.example.com",
    "INTAKE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_are_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_files_collect_hashed_and_compressed_for_production(tmp_path):
    result = manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.glob("css/site.*.css.gz")), "hashed and gzipped site.css"
