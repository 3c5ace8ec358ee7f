"""Each booking keeps the name and phone it was made with: existing bookings take their client's."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_client_details(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    Client = apps.get_model("appointments", "Client")
    client = Client.objects.filter(pk=OuterRef("client_id"))
    Appointment.objects.update(
        client_name=Subquery(client.values("name")[:1]), client_phone=Subquery(client.values("phone")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0010_therapist_may_export_and_erase'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='client_name',
            field=models.CharField(blank=True, help_text="As given for this session. Empty: the client's name.", max_length=100, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='client_phone',
            field=models.CharField(blank=True, help_text="As given for this session. Empty: the client's phone.", max_length=30, verbose_name='phone'),
        ),
        migrations.RunPython(copy_client_details, migrations.RunPython.noop),
    ]
