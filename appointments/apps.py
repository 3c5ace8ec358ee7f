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

        # Whatever can free or take a time makes the saved pages obsolete; what the booking pages
        # remember besides (rules, working hours, time off, services, footer) is read anew too.
        receivers = {
            page_cache.availability_changed: (Appointment,),
            page_cache.rows_changed: (BookingRules, BusinessDetails, Service, WorkingHours, TimeOff),
        }
        for receiver, models in receivers.items():
            for model in models:
                for signal in (post_save, post_delete):
                    signal.connect(receiver, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
