"""Error texts stored before emails said why in plain words quoted the mail server's
answer, which names the recipient's address: keep only the SMTP code, so erasing a
client leaves no personal data in them."""

import re

from django.db import migrations

OLD_ERROR_REPLACED = "Not sent (SMTP {code}); the details are no longer kept."
OLD_ERROR_WITHOUT_CODE = "Not sent; the details are no longer kept."


def drop_quoted_addresses(apps, schema_editor):
    OutgoingEmail = apps.get_model("appointments", "OutgoingEmail")
    for email in OutgoingEmail.objects.filter(last_error__contains="@").only("pk", "last_error"):
        code = re.search(r"\b([45]\d\d)\b", email.last_error)
        email.last_error = OLD_ERROR_REPLACED.format(code=code.group(1)) if code else OLD_ERROR_WITHOUT_CODE
        email.save(update_fields=["last_error"])


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0013_client_unique_normalised_email"),
    ]

    operations = [
        migrations.RunPython(drop_quoted_addresses, migrations.RunPython.noop),
    ]
