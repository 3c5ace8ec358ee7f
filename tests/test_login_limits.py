"""Admin login limits, through the real admin login view: per address (an IPv6 /64 counts
as one) and username, and a looser cap per username across all addresses, which a
browser that has logged in as that username before gets past."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from posture_booking.login_limits import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE, KNOWN_DEVICE_SALT

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
    """Julie as she logs in: staff in the Therapist group, not a superuser."""
    user = get_user_model().objects.create_user("julie", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Therapist"))
    return user


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


# --- a browser that has logged in before (the known-device cookie) ---------------------


def cap_the_username(settings, username="julie"):
    """A guesser with ten addresses sends the username's cap of wrong passwords, two from each."""
    guesser = Browser()
    for n in range(settings.LOGIN_USERNAME_FAILURE_LIMIT):
        assert log_in(guesser, f"203.0.113.{n // 2 + 1}", username=username).status_code == 200
    assert log_in(guesser, "203.0.113.200", PASSWORD, username=username).status_code == 429


def log_out(browser):
    """As Julie does, with the admin's log out button: the session ends, the browser stays."""
    assert browser.post(reverse("admin:logout")).status_code == 200
    assert browser.get(reverse("admin:index")).status_code == 302


@pytest.fixture
def julies_phone(julie):
    """The browser on Julie's phone, which logged in (and out) two months ago."""
    phone = Browser()
    with time_machine.travel(START - timedelta(days=60), tick=False):
        assert log_in(phone, "198.51.100.20", PASSWORD).status_code == 302
        log_out(phone)
    return phone


def test_a_browser_that_logged_in_before_gets_past_the_username_cap(julies_phone, settings):
    with time_machine.travel(START, tick=False):
        cap_the_username(settings)
        # Her phone, on the café's network: the right password lets her in...
        response = log_in(julies_phone, "192.0.2.60", PASSWORD)
        assert response.status_code == 302
        assert julies_phone.get(reverse("admin:index")).status_code == 200
        # ...while a browser that never logged in is still held off, even with the right password.
        assert log_in(Browser(), "192.0.2.61", PASSWORD).status_code == 429


def test_a_known_device_cookie_lasts_its_max_age_and_no_longer(julie, settings):
    def browser_that_logged_in(days_ago):
        browser = Browser()
        with time_machine.travel(START - timedelta(days=days_ago), tick=False):
            assert log_in(browser, "198.51.100.20", PASSWORD).status_code == 302
            log_out(browser)
        return browser

    max_days = KNOWN_DEVICE_MAX_AGE.days
    recent, too_old = browser_that_logged_in(max_days - 1), browser_that_logged_in(max_days + 1)
    with time_machine.travel(START, tick=False):
        cap_the_username(settings)
        assert log_in(too_old, "192.0.2.60", PASSWORD).status_code == 429
        assert log_in(recent, "192.0.2.61", PASSWORD).status_code == 302


def signed(value, *, salt=KNOWN_DEVICE_SALT):
    """``value`` signed as Django signs cookies."""
    response = HttpResponse()
    response.set_signed_cookie(KNOWN_DEVICE_COOKIE, value, salt=salt)
    return response.cookies[KNOWN_DEVICE_COOKIE].value


def signed_by_another_site(value):
    with override_settings(SECRET_KEY="another-site-secret-key-0123456789"):
        return signed(value)


def read_signed(value, **kwargs):
    request = HttpRequest()
    request.COOKIES[KNOWN_DEVICE_COOKIE] = value
    return request.get_signed_cookie(KNOWN_DEVICE_COOKIE, **kwargs)


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param(lambda: "julie", id="unsigned"),
        pytest.param(lambda: signed("julie", salt=""), id="signed-without-its-salt"),
        pytest.param(lambda: signed_by_another_site("julie"), id="another-key"),
        pytest.param(lambda: signed("julie") + "x", id="tampered"),
        pytest.param(lambda: signed("sam"), id="another-username"),
    ],
)
def test_a_forged_or_other_username_cookie_does_not_get_past_the_cap(julie, settings, cookie):
    with time_machine.travel(START, tick=False):
        cap_the_username(settings)
        browser = Browser()
        browser.cookies[KNOWN_DEVICE_COOKIE] = cookie()
        assert log_in(browser, "192.0.2.60", PASSWORD).status_code == 429
        # The same browser with the cookie this site signs for Julie gets in: only the forgery was refused.
        browser.cookies[KNOWN_DEVICE_COOKIE] = signed("julie")
        assert log_in(browser, "192.0.2.61", PASSWORD).status_code == 302


def test_a_cookie_for_one_username_does_not_help_another_capped_username(julies_phone, settings):
    get_user_model().objects.create_user("sam", password=PASSWORD, is_staff=True)
    with time_machine.travel(START, tick=False):
        cap_the_username(settings, username="sam")
        cap_the_username(settings, username="julie")
        assert log_in(julies_phone, "192.0.2.60", PASSWORD, username="sam").status_code == 429
        assert log_in(julies_phone, "192.0.2.61", PASSWORD, username="julie").status_code == 302


def test_the_known_device_cookie_is_signed_httponly_lax_and_secure_outside_debug(julie, settings):
    settings.DEBUG = False
    browser = Browser()
    with time_machine.travel(START, tick=False):
        # Only the right password makes a browser a known device.
        assert log_in(browser, "198.51.100.20").status_code == 200
        assert KNOWN_DEVICE_COOKIE not in browser.cookies
        assert log_in(browser, "198.51.100.20", PASSWORD).status_code == 302
        cookie = browser.cookies[KNOWN_DEVICE_COOKIE]
        assert cookie.value != "julie"
        assert read_signed(cookie.value, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE) == "julie"
        with pytest.raises(signing.BadSignature):
            read_signed(cookie.value)  # its own salt: no other signed cookie of the site reads it
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == int(KNOWN_DEVICE_MAX_AGE.total_seconds())
    assert cookie["path"] == reverse("admin:index")


def test_a_known_device_still_counts_its_wrong_passwords_and_has_its_address_locked(julies_phone, settings):
    with time_machine.travel(START, tick=False):
        cap_the_username(settings)
        # Past the username cap, its wrong passwords are answered (and counted) as usual...
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(julies_phone, "192.0.2.60").status_code == 200
        # ...and the per-address limit locks its address as any other.
        assert log_in(julies_phone, "192.0.2.60").status_code == 429
        assert log_in(julies_phone, "192.0.2.60", PASSWORD).status_code == 429


def test_a_known_device_past_the_cap_is_still_asked_for_the_second_step(julies_phone, julie, settings):
    TOTPDevice.objects.create(user=julie, name="Authenticator app", confirmed=True)
    with time_machine.travel(START, tick=False):
        cap_the_username(settings)
        response = log_in(julies_phone, "192.0.2.60", PASSWORD)
        assert response.status_code == 302
        assert julies_phone.get(reverse("admin:index")).status_code == 302
        assert julies_phone.get(reverse("admin:login")).url.startswith(reverse("admin:two_factor_verify"))
