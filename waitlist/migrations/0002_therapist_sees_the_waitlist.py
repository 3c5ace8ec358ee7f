"""Julie sees the waitlist in admin: the Therapist group may view entries (and change or
remove one), offers and their emails."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Therapist"
CODENAMES = ["view_entry", "change_entry", "delete_entry", "view_offer", "view_waitlistemail"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs these now.
    app_config = apps.get_app_config("waitlist")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="waitlist", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="waitlist", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("waitlist", "0001_initial"),
        ("appointments", "0005_therapist_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
