"""Keep secrets and clients out of logs.

Manage-link tokens and the calendar feed's token live in URLs; so do the words Julie
types into admin's search and the client picker (a client's name, email or phone).
"""

import logging
import re

MANAGE_TOKEN = re.compile(r"(/book/(?:manage|confirmed)/)[^/\s\"?]+")
# The feed is /calendar/<token>.ics; admin's own .../calendar/week/ and /month/ are no secret.
FEED_TOKEN = re.compile(r"(/calendar/)[^/\s\"?]+(\.ics)")
# Admin's changelist search (?q=) and autocomplete (?term=).
SEARCH_IN_QUERY = re.compile(r"([?&](?:q|term)=)[^&\s\"]+")


def redact(text):
    text = FEED_TOKEN.sub(r"\1[redacted]\2", MANAGE_TOKEN.sub(r"\1[redacted]", text))
    return SEARCH_IN_QUERY.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message with URL tokens and search words replaced by [redacted]."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def stdout_logging(*, level="INFO", loggers=None):
    """A dictConfig sending every record to stdout, tokens and searches redacted: for Django and gunicorn."""
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
