"""Health answers encrypted at rest, field by field (django-fernet-encrypted-fields, Fernet).

The library's fields are used with three changes, each for one of its known pitfalls:

- Keys come from INTAKE_ENCRYPTION_KEYS, not from SECRET_KEY (its issue #13: rotating
  SECRET_KEY made every stored answer unreadable). The first key encrypts; every key
  decrypts, so a new key is put first and the old one kept until all rows are re-saved
  (README, "Health intake").
- A value that no key decrypts raises UnreadableAnswer. The library returns the
  ciphertext instead (issue #46), which shows garbage and, saved again, is encrypted twice.
- Falsy values are answers too: the library stores 0 and "" as NULL, so "0 headache days"
  would read back as "not answered".
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from encrypted_fields.fields import EncryptedFieldMixin


class UnreadableAnswer(Exception):
    """A stored answer that none of INTAKE_ENCRYPTION_KEYS decrypts: the key was changed or lost."""


def derived_key(secret):
    """The embedded default's key when INTAKE_ENCRYPTION_KEYS is unset: derived from SECRET_KEY."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"intake-encryption:{secret}".encode()).digest())


def encryption_keys():
    configured = settings.INTAKE_ENCRYPTION_KEYS
    return [key.encode() for key in configured] if configured else [derived_key(settings.SECRET_KEY)]


def fernet():
    return MultiFernet([Fernet(key) for key in encryption_keys()])


class EncryptedAnswerMixin(EncryptedFieldMixin):
    @cached_property
    def f(self):
        return fernet()

    def get_prep_value(self, value):
        # Not the plain field's get_prep_value: CharField's calls to_python, which decrypts.
        value = models.Field.get_prep_value(self, value)
        if value is None:
            return None
        return self.f.encrypt(str(value).encode()).decode()

    def to_python(self, value):
        if isinstance(value, str) and not hasattr(self, "_already_decrypted"):
            try:
                value = self.f.decrypt(value.encode()).decode()
            except InvalidToken as exc:
                raise UnreadableAnswer(
                    f"{self.model.__name__}.{self.name} cannot be decrypted with INTAKE_ENCRYPTION_KEYS."
                ) from exc
        return super(EncryptedFieldMixin, self).to_python(value)


class EncryptedCharField(EncryptedAnswerMixin, models.CharField):
    pass


class EncryptedTextField(EncryptedAnswerMixin, models.TextField):
    pass


class EncryptedIntegerField(EncryptedAnswerMixin, models.IntegerField):
    @cached_property
    def validators(self):
        # Stored as text (get_internal_type), so no database integer range applies; IntegerField's
        # own validators look that range up by the internal type, which PostgreSQL does not know.
        return [*self.default_validators, *self._validators]
