from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.accounts.actions import do_enrol_staff
from kollega.accounts.management.commands._enrol import read_password, show_qr
from kollega.accounts.models import User
from kollega.core.audit import SYSTEM


class Command(BaseCommand):
    help = (
        "Enrol a staff member (new, or after an administrator reset their sign-in): they type "
        "their own password and scan a new authenticator code. Run it with the person present."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, username: str, password_stdin: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no staff member called {username!r}.")
        password = read_password(user, from_stdin=password_stdin)
        device = do_enrol_staff(SYSTEM, user, password=password)
        self.stdout.write(f"Enrolled {user.username}; their earlier sign-in no longer works.")
        show_qr(self.stdout, device)
