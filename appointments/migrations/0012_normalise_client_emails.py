"""Client emails in their one stored form (NFKC, case folded), so they match whatever is typed.

Two clients whose emails become the same (Kate@ and KATE@ with a KELVIN SIGN) are
one mailbox, so one client: the older record stays, the other's sessions move to it
(each keeps the name and phone it was booked with, migration 0009) and its notes and
details are added to the older record's notes. Nothing is lost; the migration never
fails on such a pair. The unique constraint on the stored form follows in 0011, in
its own transaction (PostgreSQL checks the moved sessions' foreign keys at commit).
"""

from django.db import migrations

from appointments.hygiene import EMAIL_MAX_LENGTH, fold_email


def merged_note(duplicate):
    lines = [
        f"Merged from a second client record with the same email ({duplicate.email}): "
        f"{duplicate.name}, {duplicate.phone or 'no phone'}, added {duplicate.created_at:%Y-%m-%d}."
    ]
    if duplicate.notes:
        lines.append(duplicate.notes)
    return "\n".join(lines)


def normalise_emails(apps, schema_editor):
    Client = apps.get_model("appointments", "Client")
    Appointment = apps.get_model("appointments", "Appointment")
    kept = {}
    for client in Client.objects.order_by("created_at", "pk"):
        email = fold_email(client.email)
        if len(email) > EMAIL_MAX_LENGTH:
            email = client.email  # Folding would not fit the column: left as it was, not lost.
        first = kept.get(email)
        if first is None:
            kept[email] = client
            if client.email != email:
                client.email = email
                client.save(update_fields=["email"])
            continue
        Appointment.objects.filter(client=client).update(client=first)
        first.notes = "\n\n".join(part for part in [first.notes, merged_note(client)] if part)
        first.save(update_fields=["notes"])
        client.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0011_appointment_client_details'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='client',
            name='appointments_client_unique_email_ci',
        ),
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
