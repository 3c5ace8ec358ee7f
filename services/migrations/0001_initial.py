import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Service",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
                ("slug", models.SlugField(unique=True)),
                ("description", models.TextField(help_text="The opening paragraph of the service page.")),
                ("duration_minutes", models.PositiveSmallIntegerField(default=60)),
                ("is_active", models.BooleanField(default=True, help_text="Untick to hide it from the site.")),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Section",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("slug", models.SlugField(max_length=100, help_text="Lets emails find a section, e.g. 'what-to-expect'.")),
                ("heading", models.CharField(max_length=200)),
                ("intro", models.TextField(blank=True)),
                ("points", models.TextField(blank=True, help_text="One point a line. Start with 'Term: ' to show the term in bold.")),
                ("service", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sections", to="services.service")),
            ],
            options={"ordering": ["service", "position", "id"]},
        ),
        migrations.AddConstraint(
            model_name="service",
            constraint=models.CheckConstraint(condition=models.Q(duration_minutes__gte=15), name="services_service_duration_at_least_15_minutes"),
        ),
        migrations.AddConstraint(
            model_name="section",
            constraint=models.UniqueConstraint(fields=("service", "slug"), name="services_section_unique_slug_per_service"),
        ),
    ]
