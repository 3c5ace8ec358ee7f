"""Staff two-step login through the real admin views: an authenticator app (TOTP codes
computed here from the device's key, as the phone would) and one-time recovery codes."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from posture_booking import two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log in dozens of times; the real hasher's deliberate slowness is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "a-known-password-for-staff"
START = datetime(2026, 12, 1, 14, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)  # a new app code every 30 seconds


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["therapist", "superuser"])
def staff(request, db):
    """Julie (staff in the Therapist group) and the site's superuser: the same rules for both."""
    if request.param == "therapist":
        call_command("create_therapist", "julie", "--email", "julie@example.com", stdout=io.StringIO())
        user = get_user_model().objects.get(username="julie")
        assert user.groups.filter(name="Therapist").exists() and not user.is_superuser
    else:
        user = get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def required(settings):
    settings.ADMIN_REQUIRE_2FA = True


def app_code(device):
    """What the authenticator app shows now for this device."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def log_in(client, user):
    return client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": "/admin/"})


def follow_to(client, response):
    """Follow redirects; the path where they end."""
    while response.status_code == 302:
        response = client.get(response["Location"])
    return response


def enter(client, url_name, code):
    return client.post(reverse(url_name), {"code": code, "next": reverse("admin:index")})


def set_up(client, user, clock):
    """Log in with the password, scan the QR code, confirm a first code; the recovery codes shown."""
    page = follow_to(client, log_in(client, user))
    assert page.request["PATH_INFO"] == reverse("admin:two_factor_set_up")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = enter(client, "admin:two_factor_set_up", app_code(device))
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    return device, codes


def test_required_set_up_then_a_code_at_every_login(client, staff, required, clock):
    page = follow_to(client, log_in(client, staff))
    # Signed in with the password, but admin stays shut until an app is set up.
    assert page.request["PATH_INFO"] == reverse("admin:two_factor_set_up")
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:appointments_appointment_changelist")).status_code == 302
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline: no image file, no script
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert two_factor.secret_text(device) in html  # the key to type in by hand

    wrong = enter(client, "admin:two_factor_set_up", "000000" if app_code(device) != "000000" else "111111")
    assert two_factor.WRONG_SET_UP_CODE in wrong.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302

    clock.shift(STEP)  # past django-otp's delay after a wrong code
    confirmed = enter(client, "admin:two_factor_set_up", app_code(device))
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", confirmed.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    assert confirmed["Cache-Control"].startswith("max-age=0") or "no-store" in confirmed["Cache-Control"]
    assert client.get(reverse("admin:index")).status_code == 200

    # Next login: password, then a code from the app.
    client.logout()
    page = follow_to(client, log_in(client, staff))
    assert page.request["PATH_INFO"] == reverse("admin:two_factor_verify")
    assert client.get(reverse("admin:index")).status_code == 302
    # The code already used (same 30 seconds) is refused...
    assert two_factor.WRONG_CODE in enter(client, "admin:two_factor_verify", app_code(device)).content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    # ...the next one lets them in, where they asked to go.
    clock.shift(STEP)
    response = enter(client, "admin:two_factor_verify", app_code(device))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_works_once(client, staff, required, clock):
    _device, codes = set_up(client, staff, clock)
    client.logout()

    follow_to(client, log_in(client, staff))
    typed = codes[0].upper()[:4] + " " + codes[0][4:]  # as read off paper: capitals, a space
    assert enter(client, "admin:two_factor_verify", typed).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()

    clock.shift(STEP)
    follow_to(client, log_in(client, staff))
    assert two_factor.WRONG_CODE in enter(client, "admin:two_factor_verify", codes[0]).content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    clock.shift(STEP)
    assert enter(client, "admin:two_factor_verify", codes[1]).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_set_up_two_factor_is_asked_for_even_when_not_required(client, staff, clock, settings):
    settings.ADMIN_REQUIRE_2FA = False
    # Not required and not set up: the password alone opens admin (outside testers log in so).
    assert follow_to(client, log_in(client, staff)).request["PATH_INFO"] == reverse("admin:index")
    # Julie turns it on herself from "Two-step login" in the header.
    assert b"Two-step login" in client.get(reverse("admin:index")).content
    page = client.get(reverse("admin:two_factor_recovery_codes"))
    assert reverse("admin:two_factor_set_up") in page.content.decode()
    client.get(reverse("admin:two_factor_set_up"))
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert enter(client, "admin:two_factor_set_up", app_code(device)).status_code == 200
    client.logout()

    assert follow_to(client, log_in(client, staff)).request["PATH_INFO"] == reverse("admin:two_factor_verify")
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_password_alone_cannot_replace_the_app(client, staff, required, clock):
    """Someone who learned the password must not set up their own phone instead of Julie's."""
    device, _codes = set_up(client, staff, clock)
    client.logout()
    follow_to(client, log_in(client, staff))
    response = client.get(reverse("admin:two_factor_set_up"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:two_factor_verify"))
    response = client.post(reverse("admin:two_factor_set_up"), {"code": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=staff).get() == device
    assert client.get(reverse("admin:two_factor_recovery_codes")).status_code == 302


def test_wrong_codes_are_slowed_down(client, staff, required, clock):
    device, _codes = set_up(client, staff, clock)
    client.logout()
    clock.shift(STEP)
    follow_to(client, log_in(client, staff))
    right = app_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        enter(client, "admin:two_factor_verify", wrong)
    # Even the right code waits out the delay (4 seconds after the third miss)...
    assert two_factor.TOO_MANY_TRIES in enter(client, "admin:two_factor_verify", right).content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    # ...and then works. A recovery code is not slowed by misses on the app.
    clock.shift(timedelta(seconds=5))
    assert enter(client, "admin:two_factor_verify", app_code(device)).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_new_recovery_codes_cancel_the_old_ones(client, staff, required, clock):
    _device, old = set_up(client, staff, clock)
    response = client.post(reverse("admin:two_factor_recovery_codes"))
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == two_factor.RECOVERY_CODE_COUNT and not set(new) & set(old)
    client.logout()
    follow_to(client, log_in(client, staff))
    assert two_factor.WRONG_CODE in enter(client, "admin:two_factor_verify", old[0]).content.decode()
    clock.shift(STEP)
    assert enter(client, "admin:two_factor_verify", new[0]).status_code == 302


def test_lost_phone_an_admin_turns_two_factor_off(client, staff, required, clock):
    set_up(client, staff, clock)
    client.logout()
    out = io.StringIO()
    call_command("turn_off_two_factor", staff.username, stdout=out)
    assert "Two-step login is off" in out.getvalue()
    # With the setting on, the next login goes straight to setting up the new phone.
    page = follow_to(client, log_in(client, staff))
    assert page.request["PATH_INFO"] == reverse("admin:two_factor_set_up")


def test_the_second_step_pages_need_the_password_first(client):
    response = client.get(reverse("admin:two_factor_verify"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    response = client.post(reverse("admin:two_factor_set_up"), {"code": "123456"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_an_extra_recovery_code_from_the_command_line(client, staff, required, clock):
    """django-otp's addstatictoken, as the README offers: one more code, good once."""
    set_up(client, staff, clock)
    client.logout()
    out = io.StringIO()
    call_command("addstatictoken", staff.username, stdout=out)
    follow_to(client, log_in(client, staff))
    assert enter(client, "admin:two_factor_verify", out.getvalue().strip()).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_log_out_before_the_second_step(client, staff, required, clock):
    """Changed their mind on the code page: "Log out" ends the half-done login."""
    follow_to(client, log_in(client, staff))
    assert "_auth_user_id" in client.session
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
