from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0012_normalise_client_emails'),
    ]

    operations = [
        migrations.AlterField(
            model_name='client',
            name='email',
            field=models.EmailField(help_text='Stored in lower case; matched whatever case is typed.', max_length=254),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.UniqueConstraint(fields=('email',), name='appointments_client_unique_email', violation_error_message='A client with this email address already exists.'),
        ),
    ]
