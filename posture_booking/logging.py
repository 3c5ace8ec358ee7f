"""Keep secrets out of logs: manage-link tokens and the calendar feed's token live in URLs."""

import logging
import re

SECRET_IN_PATH = re.compile(r"(/book/(?:manage|confirmed)/|/calendar/)[^/\s\"?]+")


def redact(text):
    return SECRET_IN_PATH.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message with URL tokens replaced by [redacted]."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def stdout_logging(*, level="INFO", loggers=None):
    """A dictConfig sending every record to stdout, tokens redacted: for Django and gunicorn."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "posture_booking.logging.RedactSecretsFilter"}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "plain",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": loggers or {},
    }
