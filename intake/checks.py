"""At start-up, prove the key still opens the stored answers.

It reads the database, so it is a database check (Django runs those only where a database is
named): `manage.py migrate` (the release step, before a new version serves) and
`manage.py check --database default` run it.

A changed or lost INTAKE_ENCRYPTION_KEYS would otherwise show up only when Julie opens an
intake; and a field that swallowed the error would have saved ciphertext encrypted twice.
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

KEY_UNREADABLE = (
    "INTAKE_ENCRYPTION_KEYS cannot read the stored health intakes: the key was changed or lost. "
    "Put the previous key back (after the new one, while rotating: README, 'Health intake')."
)
DERIVED_KEY_WARNING = (
    "INTAKE_ENCRYPTION_KEYS is not set: health intakes are encrypted with a key derived from "
    "SECRET_KEY, so changing SECRET_KEY would lock them. Set INTAKE_ENCRYPTION_KEYS (README)."
)


@checks.register(checks.Tags.database)
def encryption_key_reads_the_answers(app_configs, databases=None, **kwargs):
    if "default" not in (databases or []):
        return []  # Django names the databases a check may read; none named, none read.
    from .crypto import UnreadableAnswer
    from .models import EncryptionCheck

    try:
        check = EncryptionCheck.objects.first()
    except UnreadableAnswer:
        return [checks.Error(KEY_UNREADABLE, id="intake.E001")]
    except DatabaseError:
        return []  # Not migrated yet: nothing stored to read.
    if check is not None and check.value != EncryptionCheck.KNOWN:
        return [checks.Error(KEY_UNREADABLE, id="intake.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def encryption_key_is_set(app_configs, **kwargs):
    if settings.INTAKE_ENCRYPTION_KEYS:
        return []
    return [checks.Warning(DERIVED_KEY_WARNING, id="intake.W001")]
