"""The "Therapist" group: what Julie needs to run her calendar, and nothing more.

She is staff, not superuser: she manages bookings, clients, hours, time off,
rules, her calendar feed and the service content, and can look at emails; she
cannot touch user accounts or permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Therapist"
PERMISSIONS = {
    "appointments": {
        "appointment": ["view", "add", "change"],
        "client": ["view", "add", "change", "delete"],
        "workinghours": ["view", "add", "change", "delete"],
        "timeoff": ["view", "add", "change", "delete"],
        "bookingrules": ["view", "change"],
        "calendarfeed": ["view", "change"],
        "outgoingemail": ["view", "change"],
    },
    "services": {
        "service": ["view", "change"],
        "section": ["view", "add", "change", "delete"],
    },
}


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips apps without one
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        f"{action}_{model}" for models in PERMISSIONS.values() for model, actions in models.items() for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=PERMISSIONS, codename__in=codenames)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_calendar_feed"),
        ("services", "0002_seed_csmt"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
