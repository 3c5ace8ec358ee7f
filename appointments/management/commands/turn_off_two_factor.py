"""A lost phone: remove a staff user's authenticator app and recovery codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from posture_booking import two_factor


class Command(BaseCommand):
    help = (
        "Turn off two-step login for one user (a lost phone and lost recovery codes). They log in with the "
        "password and, when ADMIN_REQUIRE_2FA is on, are asked to set up a new authenticator app right away."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"There is no user {username!r}.") from exc
        if not two_factor.turn_off(user):
            self.stdout.write(f"{username} had no two-step login set up; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-step login is off for {username}: their authenticator app and recovery codes no longer work."
            )
        )
