"""Remove a staff member's authenticator devices when the phone is lost or replaced."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Delete every TOTP device of one account. Its sessions stop being verified at "
        "once, and its next login leads to enrolment of a new device."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No account named {username!r}.") from None
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"Removed {deleted} device(s) of {username}; next login enrols anew.")
