"""Sensible defaults Julie can change in admin: booking rules and weekly hours."""

from datetime import time

from django.db import migrations

# Monday to Friday with a lunch break, Saturday mornings.
DEFAULT_HOURS = [
    *[(weekday, time(9), time(12)) for weekday in range(5)],
    *[(weekday, time(13), time(17)) for weekday in range(5)],
    (5, time(9), time(13)),
]


def seed(apps, schema_editor):
    BookingRules = apps.get_model("appointments", "BookingRules")
    WorkingHours = apps.get_model("appointments", "WorkingHours")
    BookingRules.objects.get_or_create(pk=1)
    if not WorkingHours.objects.exists():
        WorkingHours.objects.bulk_create(
            WorkingHours(weekday=weekday, start_time=start, end_time=end) for weekday, start, end in DEFAULT_HOURS
        )


def unseed(apps, schema_editor):
    apps.get_model("appointments", "WorkingHours").objects.all().delete()
    apps.get_model("appointments", "BookingRules").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0002_no_overlaps_on_postgresql")]

    operations = [migrations.RunPython(seed, unseed)]
