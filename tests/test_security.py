import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy_and_permissions_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_login_is_locked_after_repeated_failures(client):
    get_user_model().objects.create_user("julie", password="the-right-password-123", is_staff=True)
    url = reverse("admin:login")
    for _ in range(4):
        assert client.post(url, {"username": "julie", "password": "wrong"}).status_code == 200
    assert client.post(url, {"username": "julie", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "julie", "password": "the-right-password-123"})
    assert locked.status_code == 429
