"""Settings for Posture Massage booking, read from the environment only.

With no variables set the site runs as an embedded default: SQLite and the
Celery broker in ./var, mail printed to the console and saved to files.
Every variable is documented in the README. Bad values fail at start-up.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .logging import stdout_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: the embedded database, broker and mail

env = environ.Env()

MISSING_SETTING_HELP = (
    "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
    '(python -c "import secrets; print(secrets.token_urlsafe(50))"); '
    "for development on your own computer set DEBUG=True (make run does)."
)

# Off unless turned on: a deployment that forgets DEBUG must not serve debug pages
# (they show settings and request data). `make run` and the tests turn it on.
DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)  # nosec B105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(MISSING_SETTING_HELP)

# Health intake answers are encrypted field by field (intake/crypto.py) with these Fernet keys,
# comma-separated: the first encrypts, every one decrypts (rotation: README, "Health intake").
# Unset, a key derived from SECRET_KEY is used, and check --deploy warns.
INTAKE_ENCRYPTION_KEYS = env.list("INTAKE_ENCRYPTION_KEYS", default=[])
for _key in INTAKE_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "INTAKE_ENCRYPTION_KEYS: each key must be a Fernet key "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
        ) from exc

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000").geturl().rstrip("/")

TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone.") from exc
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False
# US dates and 12-hour times, typed and shown (Django's English formats refuse "2:30 PM").
FORMAT_MODULE_PATH = ["posture_booking.formats"]

INSTALLED_APPS = [
    "posture_booking.apps.PostureAdminConfig",  # django.contrib.admin with the two-step login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",  # its sitemap.xml template
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    # The app before the recovery codes: django-otp tries devices in this order.
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "services",
    "appointments",
    "intake",
    "waitlist",
    "checkins",
    "clients",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages leave gzipped (the days page: 19.5 KB, about 2.5 KB), after WhiteNoise, which serves static
    # files already compressed, and before anything that writes the body. Django pads each gzip with
    # 0-100 random bytes against BREACH, and masks the CSRF token anew in every response. The saved
    # booking pages come gzipped already (appointments.page_cache), which this leaves as they are.
    "django.middleware.gzip.GZipMiddleware",
    # What a request reads from the page cache is kept for the rest of it, and what it makes is saved
    # when it ends: one Redis read and one write at most.
    "appointments.page_cache.request_version_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, the first to read a form: an unreadable body is a 400 page, not a 500.
    "posture_booking.unreadable_forms.UnreadableFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: adds request.user.is_verified() (the second step done).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with admin's one exception (posture_booking/csp.py).
    "posture_booking.csp.SiteCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks the address out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords from one address (an IPv6 /64) and username lock them out for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
# The lockout answer (429): the site's page in plain words, not axes' one-line text.
AXES_LOCKOUT_TEMPLATE = "admin_locked_out.html"
# Tries while locked out do not restart the clock, so every lock lifts by itself.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# And a looser cap per username across all addresses, against a guesser with many:
# 20 failures lock the username until 15 minutes after the last one, except for a
# browser that has logged in as it before (login_limits.py).
AXES_HANDLER = "posture_booking.login_limits.LoginLimitsHandler"
LOGIN_USERNAME_FAILURE_LIMIT = 20
LOGIN_USERNAME_COOLOFF = timedelta(minutes=15)
AXES_CLIENT_IP_CALLABLE = "posture_booking.client_ip.client_network"  # IPv6 counted per /64

# Staff two-step login (posture_booking/two_factor.py). A staff user with an
# authenticator app is always asked for its code; with this on, one without is
# sent to set one up before admin opens. Off by default; turn it on (README).
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "Posture Massage"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # device secrets never shown in admin

ROOT_URLCONF = "posture_booking.urls"
# Admin lives at a path of your choosing: bots look for /admin/.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
WSGI_APPLICATION = "posture_booking.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "posture_booking.context_processors.business",
                "posture_booking.context_processors.theme",
                "posture_booking.context_processors.site_links",
            ],
        },
    },
]

# Database: SQLite in ./var unless DATABASE_URL names another (postgres://...).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two bookings
    # queue for it instead of both reading "free" and failing on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Every use of Redis (broker publish, cache, rate limit, heartbeat, health check) gives
# up after half a second when Redis hangs (connections accepted, no answer): a booking
# makes about five such calls and must still be confirmed within 5 s (tests/test_hung_redis.py).
# Nothing relies on them: the booking is saved in the database first, the sweep sends
# its emails later, pages are made anew and the rate limit stays open.
REDIS_SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

# Shared cache (rate limits): Redis in production, files in the embedded default,
# so every gunicorn and Celery process sees the same counters.
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, reusing its redis-py clients (posture_booking/redis_cache.py).
            "BACKEND": "posture_booking.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_SOCKET_TIMEOUTS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. EMAIL_URL such as smtp+tls://user:password@smtp.example.com:587;
# unset, mail is printed to the console and saved under ./var/mail.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Posture Massage <bookings@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
THERAPIST_EMAIL = env.str("THERAPIST_EMAIL", default="julie@localhost")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "posture_booking.mail.ConsoleAndFileEmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: REDIS_URL when set; otherwise kombu's filesystem transport in ./var,
# so the embedded default needs no server at all.
# Redis re-delivers an unacknowledged message after visibility_timeout seconds:
# longer than any task may run (CELERY_TASK_TIME_LIMIT). A killed worker's emails do
# not wait for it: their claim in the database ends after a minute (dispatch.LEASE).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Without a socket timeout a publish to a hung Redis waits for ever (kombu's default).
    CELERY_BROKER_TRANSPORT_OPTIONS |= REDIS_SOCKET_TIMEOUTS
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "control_folder": str(_broker_dir / "control"),
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
# JSON only: tasks take primary keys, and pickle would let the broker run code.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nobody reads task results; the database records what happened.
CELERY_TASK_IGNORE_RESULT = True
# Keep trying to reach the broker at start-up instead of exiting (Celery 6 default).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Acknowledge a task only once it has run, and hand it back if the worker dies,
# so a killed worker's task runs again elsewhere (tasks are safe to repeat).
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: with late acks, prefetched ones would wait.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck SMTP server must not hold a worker (and a row lock) for ever.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Queueing from a web request gives up fast when Redis is down: the booking is
# already saved and the periodic sweep sends its emails later.
# No retry: each try may cost a socket timeout while the client waits, and the
# sweep sends within a minute what could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Sends every email that is due; expires so a backlog of ticks does not pile up.
    "send-due-emails": {"task": "appointments.tasks.send_due_emails", "schedule": 60.0, "options": {"expires": 55}},
    "send-due-intake-emails": {
        "task": "intake.tasks.send_due_intake_emails",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "send-due-waitlist-emails": {
        "task": "waitlist.tasks.send_due_waitlist_emails",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "send-due-sign-in-emails": {
        "task": "clients.tasks.send_due_sign_in_emails",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Records each client's weekly check-in (insert-or-skip, so hourly is safe and a missed Monday catches up).
    "record-due-checkins": {
        "task": "checkins.tasks.record_due_checkins",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    "send-due-checkins": {"task": "checkins.tasks.send_due_checkins", "schedule": 60.0, "options": {"expires": 55}},
    "worker-heartbeat": {"task": "appointments.tasks.worker_heartbeat", "schedule": 60.0, "options": {"expires": 55}},
}
EMAIL_TIMEOUT = 20

LOGGING = stdout_logging(
    level=env.str("LOG_LEVEL", default="INFO"),
    # runserver's request lines, redacted like gunicorn's (Django's own handler would print them as they are).
    loggers={"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
# Content security policy: everything from this site only, no inline script and no
# inline style. Under ADMIN_URL, SiteCSPMiddleware adds 'unsafe-inline' to style-src
# for Django admin's own style="" attributes; nowhere else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The site uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: [] for feature in ["accelerometer", "camera", "geolocation", "gyroscope", "microphone", "payment", "usb"]
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form sent with a stale token (its cookie expired while the page was open) comes back as typed.
CSRF_FAILURE_VIEW = "posture_booking.errors.csrf_failure"

# Days after a session's end until its manage link stops working (cancelled sessions too).
# A month: the aftercare email comes a day after the session and a client may read their
# emails late, or come back from the link to book their next monthly session; beyond that an
# old email in a shared or lost inbox should no longer show their name, phone and note.
MANAGE_LINK_DAYS_AFTER_SESSION = env.int("MANAGE_LINK_DAYS_AFTER_SESSION", default=30)
if MANAGE_LINK_DAYS_AFTER_SESSION < 1:
    raise ImproperlyConfigured("MANAGE_LINK_DAYS_AFTER_SESSION must be a whole number of days, at least 1.")

# Bookings, cancellations and moves allowed per client address (django-ratelimit rate).
# Form errors and lost races do not count; without a reachable cache nothing is limited.
FORM_RATE_LIMIT = env.str("FORM_RATE_LIMIT", default="30/h")
RATELIMIT_FAIL_OPEN = True
# Reverse proxies whose X-Forwarded-For names the client (the variable gunicorn reads too).
TRUSTED_PROXIES = [entry.strip() for entry in env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])]
for _proxy in TRUSTED_PROXIES:
    try:
        if _proxy != "*":
            ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FORWARDED_ALLOW_IPS: {_proxy!r} is not an address, a network or *.") from exc
RATELIMIT_IP_META_KEY = "posture_booking.client_ip.client_network"  # IPv6 counted per /64, as lockouts
