from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = "Health intake"

    def ready(self):
        from . import checks  # noqa: F401 (registers the start-up check of the encryption key)
