"""Make sure Julie can get into admin: create a superuser on first run.

Used by ``make run``. With no superuser yet, it creates ``admin`` with a
random password and prints it once; afterwards it only says how to reset it.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the superuser 'admin' with a generated password if there is no superuser yet."

    def handle(self, *args, **options):
        user_model = get_user_model()
        admin_url = f"{settings.SITE_URL}/admin/"
        existing = user_model.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            username = existing.get_username()
            self.stdout.write(
                f"Admin: {admin_url} user {username} "
                f"(forgot the password? .venv/bin/python manage.py changepassword {username})"
            )
            return

        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            # A non-superuser called "admin" may exist (e.g. made in admin by hand):
            # promote it rather than fail on the unique username.
            user, _created = user_model.objects.get_or_create(**{user_model.USERNAME_FIELD: USERNAME})
            user.is_staff = True
            user.is_superuser = True
            user.is_active = True
            user.set_password(password)
            user.save()

        line = f"Admin: {admin_url} user {USERNAME} password {password}"
        rule = "=" * len(line)
        self.stdout.write(self.style.SUCCESS(f"\n{rule}\n{line}\n{rule}"))
        self.stdout.write(
            "This password is shown only once. To change it later: "
            f".venv/bin/python manage.py changepassword {USERNAME}\n"
        )
