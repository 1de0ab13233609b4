from __future__ import annotations

import getpass
import io
import sys
from typing import Any

import segno
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.accounts.actions import do_create_staff
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
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The passwords differ.")
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user, device = do_create_staff(
            username=username, password=password, email=email, roles=[ADMINISTRATOR]
        )
        self.stdout.write(f"Created administrator {user.username}.")
        self.stdout.write(
            "Scan this code with an authenticator app (e.g. FreeOTP, Aegis, Google Authenticator):"
        )
        qr = segno.make(device.config_url, error="m")
        buffer = io.StringIO()
        qr.terminal(out=buffer, compact=True)
        self.stdout.write(buffer.getvalue())
        self.stdout.write(f"Or enter this address by hand: {device.config_url}")
