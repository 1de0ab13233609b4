"""Account changes that must be audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts.models import User
from kollega.core.audit import record
from kollega.core.roles import ADMINISTRATOR, ROLES


@transaction.atomic
def do_create_staff(
    *,
    username: str,
    password: str,
    roles: list[str],
    actor: Any = "system",
    email: str = "",
    **extra: Any,
) -> tuple[User, TOTPDevice]:
    """Create a staff member with roles and a confirmed TOTP device; returns both."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    user = User.objects.create_user(username=username, password=password, email=email, **extra)
    if ADMINISTRATOR in roles:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    record(actor, "accounts.create_staff", user, roles=sorted(roles))
    return user, device


@transaction.atomic
def do_logout_everywhere(user: User) -> None:
    """End every session of `user`, in every browser, by changing their session hash."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record(user, "accounts.logout_everywhere", user)


@transaction.atomic
def do_reset_sign_in(actor: Any, user: User) -> None:
    """Take away `user`'s password and second factors and end their sessions.

    The person cannot sign in again until they enrol anew on the server (`kollega enrol_staff`),
    choosing their own password and scanning a new code: nobody else learns either.
    """
    _remove_sign_in(user)
    record(actor, "accounts.reset_sign_in", user)


def _remove_sign_in(user: User) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    user.set_unusable_password()
    user.session_epoch += 1
    user.save(update_fields=["password", "session_epoch"])
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def do_enrol_staff(actor: Any, user: User, *, password: str) -> TOTPDevice:
    """Give `user` a new password and a new confirmed TOTP device (replacing any old ones)."""
    _remove_sign_in(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    record(actor, "accounts.enrol", user)
    return device
