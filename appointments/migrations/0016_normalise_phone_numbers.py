"""Phone numbers in their one stored form, E.164 ("+18605550149"), as every form now saves them.

Older rows hold them as typed ("(860) 555-0149", "860.555.0149"). What cannot be read as a
number is left as it was (hygiene.stored_phone). Nothing to undo: the stored form is valid
for the older code too.
"""

from django.db import migrations

from appointments.hygiene import stored_phone

PHONE_FIELDS = [("Client", "phone"), ("Appointment", "client_phone")]


def normalise_phones(apps, schema_editor):
    for model_name, field in PHONE_FIELDS:
        model = apps.get_model("appointments", model_name)
        changed = []
        for row in model.objects.only("pk", field).iterator():
            value = stored_phone(getattr(row, field))
            if value != getattr(row, field):
                setattr(row, field, value)
                changed.append(row)
        model.objects.bulk_update(changed, [field], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0015_appointment_series_and_plain_source")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
