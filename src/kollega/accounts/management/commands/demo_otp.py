from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts.demo import DEMO_USERS, current_code, demo_totp_key


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo user (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Codes are printed only for the demo (KOLLEGA_DEMO=1).")
        if username not in {user.username for user in DEMO_USERS}:
            raise CommandError(f"{username!r} is not a demo user.")
        device = TOTPDevice.objects.filter(
            user__username=username, key=demo_totp_key(username)
        ).first()
        if device is None:
            raise CommandError(f"{username!r} has no demo device; run make demo first.")
        self.stdout.write(current_code(device))
