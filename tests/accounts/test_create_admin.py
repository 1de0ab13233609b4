from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from kollega.accounts.models import User
from kollega.core.roles import has_role


@pytest.mark.django_db
def test_it_creates_an_administrator_with_an_authenticator_device(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long and unusual passphrase\n"))
    out = io.StringIO()
    call_command("create_admin", "hege", "--password-stdin", stdout=out)
    user = User.objects.get(username="hege")
    assert user.is_superuser and user.is_staff
    assert has_role(user, "administrator")
    assert user.totpdevice_set.filter(confirmed=True).count() == 1
    assert "otpauth://totp/" in out.getvalue()


@pytest.mark.django_db
def test_it_refuses_a_weak_password_and_creates_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("create_admin", "hege", "--password-stdin", stdout=io.StringIO())
    assert not User.objects.filter(username="hege").exists()
