from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self):
        from appointments.booking import time_freed

        from . import offers

        # Whenever a cancellation, a move or shorter time off frees a time, in its transaction.
        time_freed.connect(offers.on_time_freed, dispatch_uid="waitlist-offers")
