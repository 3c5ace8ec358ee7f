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
