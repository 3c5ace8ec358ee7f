"""The embedded default's mail backend: print each message and keep a copy."""

from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

# Backends that keep a copy of each message in a file under EMAIL_FILE_PATH.
SAVING_BACKENDS = {
    "posture_booking.mail.ConsoleAndFileEmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


class ConsoleAndFileEmailBackend(FileBackend):
    """Save messages under EMAIL_FILE_PATH and also print them to the console."""

    def send_messages(self, email_messages):
        ConsoleBackend(fail_silently=self.fail_silently).send_messages(email_messages)
        return super().send_messages(email_messages)


def saved_copies():
    """The files holding the messages this site saved (var/mail in the embedded default); none with SMTP."""
    if settings.EMAIL_BACKEND not in SAVING_BACKENDS:
        return []
    folder = Path(settings.EMAIL_FILE_PATH)
    return sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []
