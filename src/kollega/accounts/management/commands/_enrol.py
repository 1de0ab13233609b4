"""What create_admin and enrol_staff share: reading a new password and showing the QR code."""

from __future__ import annotations

import getpass
import io
import sys
from typing import Any

import segno
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, OutputWrapper


def read_password(user: Any, *, from_stdin: bool) -> str:
    """The new password, typed twice (or one line of standard input), checked by the validators."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The passwords differ.")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    return password


def show_qr(stdout: OutputWrapper, device: Any) -> None:
    stdout.write(
        "Scan this code with an authenticator app (e.g. FreeOTP, Aegis, Google Authenticator):"
    )
    qr = segno.make(device.config_url, error="m")
    buffer = io.StringIO()
    qr.terminal(out=buffer, compact=True)
    stdout.write(buffer.getvalue())
    stdout.write(f"Or enter this address by hand: {device.config_url}")
