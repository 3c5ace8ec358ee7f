"""Julie's business details in one row she edits in admin ("Your business details").

The phone and the session address move here from the booking rules, as they were; the
email shown to clients starts as THERAPIST_EMAIL, the address the site already showed.
Name, description and area start from Julie's own content: Posture Massage, Connecticut
(she gave no town, so none is shown until she adds one).
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Therapist"
CODENAMES = ["view_businessdetails", "change_businessdetails"]


def seed(apps, schema_editor):
    BookingRules = apps.get_model("appointments", "BookingRules")
    BusinessDetails = apps.get_model("appointments", "BusinessDetails")
    # As values: tests/seed.py runs this on today's models too, where the rules no longer have them.
    rules = BookingRules.objects.filter(pk=1).values().first() or {}
    moved = {new: rules[old] for old, new in [("contact_phone", "phone"), ("location", "location")] if old in rules}
    BusinessDetails.objects.get_or_create(pk=1, defaults={"email": settings.THERAPIST_EMAIL, **moved})


def unseed(apps, schema_editor):
    BookingRules = apps.get_model("appointments", "BookingRules")
    details = apps.get_model("appointments", "BusinessDetails").objects.filter(pk=1).first()
    if details:
        BookingRules.objects.filter(pk=1).update(contact_phone=details.phone, location=details.location)


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; Julie's group needs these now.
    app_config = apps.get_app_config("appointments")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="appointments", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0017_unwell_cancellations_and_note_for_client"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="BusinessDetails",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(default="Posture Massage", help_text="Your business name.", max_length=100)),
                (
                    "description",
                    models.CharField(
                        default=(
                            "Gentle one-hour craniosacral massage therapy (CSMT) sessions for migraines "
                            "with Julie at Posture Massage in Connecticut. Book online."
                        ),
                        help_text=(
                            "One or two sentences: search engines show them, "
                            "and so do links to the site shared in messages."
                        ),
                        max_length=300,
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        help_text="Shown to clients on the site and in their emails; their replies go here.",
                        max_length=254,
                    ),
                ),
                (
                    "phone",
                    models.CharField(blank=True, help_text="Shown to clients who need to reach you.", max_length=40),
                ),
                (
                    "town",
                    models.CharField(
                        blank=True,
                        help_text="The town shown on the site and to search engines. Empty: the state only.",
                        max_length=100,
                    ),
                ),
                ("state", models.CharField(default="Connecticut", max_length=100)),
                (
                    "location",
                    models.CharField(
                        default="Posture Massage, Connecticut",
                        help_text=(
                            "Where sessions take place: in booked clients' emails and calendar entries, "
                            "never on public pages."
                        ),
                        max_length=200,
                        verbose_name="session address",
                    ),
                ),
            ],
            options={
                "verbose_name": "your business details",
                "verbose_name_plural": "your business details",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="appointments_businessdetails_single_row"
                    )
                ],
            },
        ),
        migrations.RunPython(seed, unseed),
        # Backwards the model goes, and its permissions with it: nothing to undo.
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RemoveField(model_name="bookingrules", name="contact_phone"),
        migrations.RemoveField(model_name="bookingrules", name="location"),
    ]
