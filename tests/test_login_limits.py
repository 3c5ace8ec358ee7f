"""Admin login limits, through the real admin login view: per address (an IPv6 /64 counts
as one) and username, and a looser cap per username across all addresses."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log in dozens of times; the real hasher's deliberate slowness is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "the-right-password-123"
WRONG = "wrong-password"
START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


@pytest.fixture
def julie():
    return get_user_model().objects.create_user("julie", password=PASSWORD, is_staff=True)


def log_in(client, address, password=WRONG, username="julie"):  # noqa: S107 (a test's wrong password)
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_rotating_addresses_inside_one_ipv6_64_is_one_guesser(client, julie, settings):
    with time_machine.travel(START, tick=False) as traveller:
        statuses = [log_in(client, f"2001:db8:1:2::{n:x}").status_code for n in range(1, 41)]
        assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
        assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
        # Another address of the same /64 with the right password is still locked out...
        assert log_in(client, "2001:db8:1:2:ffff::1", PASSWORD).status_code == 429
        # ...while Julie at home, in another /64, logs in.
        assert log_in(client, "2001:db8:1:3::1", PASSWORD).status_code == 302
        client.logout()
        # The lock lifts by itself an hour after the last counted failure.
        traveller.shift(timedelta(hours=1, seconds=5))
        assert log_in(client, "2001:db8:1:2::1", PASSWORD).status_code == 302


def test_ipv4_addresses_still_count_one_by_one(client, julie, settings):
    for _ in range(1, settings.AXES_FAILURE_LIMIT):
        assert log_in(client, "198.51.100.7").status_code == 200
    assert log_in(client, "198.51.100.8", PASSWORD).status_code == 302


def test_one_username_from_many_addresses_hits_the_cap_which_lifts_by_itself(client, julie, settings):
    limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False) as traveller:
        # Two wrong passwords from each address: each stays under the per-address limit.
        for n in range(limit):
            assert log_in(client, f"203.0.113.{n // 2 + 1}").status_code == 200
        # The username is capped now, even for the right password from a fresh address...
        assert log_in(client, "192.0.2.50", PASSWORD).status_code == 429
        assert log_in(client, "192.0.2.51").status_code == 429
        # ...but not another username.
        get_user_model().objects.create_user("sam", password=PASSWORD, is_staff=True)
        assert log_in(client, "192.0.2.52", PASSWORD, username="sam").status_code == 302
        client.logout()

        # Tries while capped do not restart the clock: it lifts after the cool-off.
        traveller.shift(settings.LOGIN_USERNAME_COOLOFF - timedelta(seconds=5))
        assert log_in(client, "192.0.2.53").status_code == 429
        traveller.shift(timedelta(seconds=10))
        assert log_in(client, "192.0.2.50", PASSWORD).status_code == 302
