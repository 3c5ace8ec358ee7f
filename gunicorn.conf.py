"""gunicorn settings for the `web` process (Procfile). Logs go to stdout, tokens redacted."""

import os

from posture_booking.logging import stdout_logging

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
accesslog = "-"
errorlog = "-"
# Behind the https proxy: trust its X-Forwarded-* headers (set FORWARDED_ALLOW_IPS to the proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
logconfig_dict = stdout_logging(
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    }
)
