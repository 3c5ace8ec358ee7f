"""On PostgreSQL, the database itself refuses two active sessions that overlap.

Added through the schema editor only when the database is PostgreSQL: SQLite has
no exclusion constraints, and there booking's transaction keeps the rule.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import migrations, models

from appointments.constraints import TsTzRange

NO_OVERLAP = ExclusionConstraint(
    name="appointments_appointment_no_overlap",
    expressions=[(TsTzRange("start", "end"), RangeOperators.OVERLAPS)],
    condition=~models.Q(status="cancelled"),
)


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_constraint(apps.get_model("appointments", "Appointment"), NO_OVERLAP)


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_constraint(apps.get_model("appointments", "Appointment"), NO_OVERLAP)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, remove_constraint)]
