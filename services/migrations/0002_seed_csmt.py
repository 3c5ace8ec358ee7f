"""Seeds the CSMT service from Julie's own text, kept in services/content/."""

from django.db import migrations

from services.content import CSMT_FILE, parse_service_text

CSMT_SLUG = "craniosacral-therapy"


def seed_csmt(apps, schema_editor):
    Service = apps.get_model("services", "Service")
    Section = apps.get_model("services", "Section")
    parsed = parse_service_text(CSMT_FILE.read_text(encoding="utf-8"))
    service, created = Service.objects.get_or_create(
        slug=CSMT_SLUG,
        defaults={"name": parsed.name, "description": parsed.description, "duration_minutes": 60},
    )
    if not created:
        return  # Julie's edits win over the seed.
    Section.objects.bulk_create(
        Section(
            service=service,
            position=position,
            slug=section.slug,
            heading=section.heading,
            intro=section.intro,
            points="\n".join(section.points),
        )
        for position, section in enumerate(parsed.sections, start=1)
    )


def unseed_csmt(apps, schema_editor):
    apps.get_model("services", "Service").objects.filter(slug=CSMT_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(seed_csmt, unseed_csmt)]
