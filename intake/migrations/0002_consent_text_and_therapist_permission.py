"""Julie's first consent text (version 1), and the Therapist group may read intakes.

The group reads answers (read_health_intake), publishes consent versions (add, never
change) and sees the intake emails; the text below is hers to replace in admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

GROUP = "Therapist"
CODENAMES = [
    "read_health_intake",
    "view_intake",
    "view_consenttext",
    "add_consenttext",
    "view_intakeemail",
]
FIRST_CONSENT_TEXT = """\
I agree to receive craniosacral massage therapy from Julie at Posture Massage. I understand that it is a gentle, hands-on therapy that supports relaxation and well-being; it is not a substitute for medical diagnosis or treatment, and Julie does not diagnose or prescribe. I will keep seeing my doctor for my migraines and tell Julie of any change in my health. I may ask to stop or change the session at any time.

I agree that Julie keeps the answers on this form to prepare and adapt my sessions. They are stored encrypted, only Julie can read them, and they are never shared without my written permission unless the law requires it. They are kept while I am a client and for 7 years after my last session, unless I ask for them to be erased sooner. I can ask Julie for a copy of them, or to correct or erase them, at any time."""


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs these now.
    app_config = apps.get_app_config("intake")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="intake", codename__in=CODENAMES))


def seed_consent_text(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=FIRST_CONSENT_TEXT, published_at=timezone.now())


def seed(apps, schema_editor):
    grant(apps, schema_editor)
    seed_consent_text(apps, schema_editor)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="intake", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("appointments", "0005_therapist_group"),
    ]

    operations = [migrations.RunPython(seed, revoke)]
