from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.accounts.actions import do_create_staff
from kollega.accounts.management.commands._enrol import read_password, show_qr
from kollega.accounts.models import User
from kollega.core.roles import ADMINISTRATOR


class Command(BaseCommand):
    help = "Create the first administrator and print the QR code for their authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(
        self, *args: Any, username: str, email: str, password_stdin: bool, **options: Any
    ) -> None:
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A staff member called {username!r} already exists.")
        password = read_password(User(username=username, email=email), from_stdin=password_stdin)
        user, device = do_create_staff(
            username=username, password=password, email=email, roles=[ADMINISTRATOR]
        )
        self.stdout.write(f"Created administrator {user.username}.")
        show_qr(self.stdout, device)
