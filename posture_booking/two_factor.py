"""Staff two-factor login: an authenticator app (TOTP) and one-time recovery codes.

The rules live here; the pages are in admin_site.py. A staff user who has set up an
authenticator app is asked for a code at every login. One who has not is sent to set
one up when ADMIN_REQUIRE_2FA is on, and let in with the password alone when it is off.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"

VERIFY = "verify"
SET_UP = "set_up"

WRONG_CODE = "That code did not work. Check the 6 digits in your authenticator app and try again."
WRONG_SET_UP_CODE = (
    "That code did not work. Make sure the app shows Posture Massage, then type the 6 digits it shows now."
)
TOO_MANY_TRIES = "Too many wrong codes. Wait a minute, then try again."
EMPTY_CODE = "Type the code from your authenticator app, or one of your recovery codes."


def second_step(user):
    """What a signed-in staff user must still do before admin opens: VERIFY (type a
    code), SET_UP (add an authenticator app) or None (nothing more)."""
    if user.is_verified():
        return None
    if user_has_device(user):
        return VERIFY
    if settings.ADMIN_REQUIRE_2FA:
        return SET_UP
    return None


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def may_set_up(user):
    """Setting up a new app needs the old one first: someone with only the password
    must not be able to replace Julie's authenticator with their own."""
    return user.is_verified() or not user_has_device(user)


def pending_authenticator(user):
    """The not yet confirmed authenticator being set up: the same secret on every
    reload of the set-up page, so a scanned QR code stays good."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_svg(device):
    """The device's otpauth:// link as an inline SVG QR code (no image file, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title="QR code for your app")


def secret_text(device):
    """The secret for typing into an app by hand, in groups of four letters."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code):
    """Codes as people type them: spaces, dashes and capitals do not matter."""
    return "".join((code or "").split()).replace("-", "").lower()


def is_app_code(code):
    return code.isdigit() and len(code) == 6


def throttled(device):
    return device is not None and not device.verify_is_allowed()[0]


def check_code(*, user, code):
    """The device ``code`` proves, or None. A 6-digit code is tried on the app only and
    anything else on the recovery codes only, so a mistyped code never counts as a
    failure against the other (both have django-otp's growing delays between failures).
    Returns (device or None, error text or None)."""
    code = normalize_code(code)
    if not code:
        return None, EMPTY_CODE
    if is_app_code(code):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if throttled(device):
        return None, TOO_MANY_TRIES
    if device is not None and device.verify_token(code):
        return device, None
    return None, WRONG_CODE


def confirm_authenticator(*, device, code):
    """Confirm a pending authenticator with its first code: it replaces any older one,
    and fresh recovery codes are made. Returns the recovery codes, or None and an error."""
    if throttled(device):
        return None, TOO_MANY_TRIES
    if not device.verify_token(normalize_code(code)):
        return None, WRONG_SET_UP_CODE
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
    return codes, None


def new_recovery_codes(user):
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, each good once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(user):
    """Remove a user's authenticator and recovery codes (a lost phone, done by an admin)."""
    with transaction.atomic():
        return TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
