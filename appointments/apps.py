from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AppointmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appointments"
    verbose_name = "Calendar"

    def ready(self):
        from services.models import Service

        from . import page_cache
        from .models import Appointment, BookingRules, BusinessDetails, TimeOff, WorkingHours

        # Whatever can free or take a time, or change what the booking pages say (their footer too).
        for model in (Appointment, TimeOff, WorkingHours, BookingRules, BusinessDetails, Service):
            for signal in (post_save, post_delete):
                signal.connect(
                    page_cache.availability_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}"
                )
