"""Account changes that must be audited.

The rules an administrator works under live here, so that the admin, the commands and the
tests all meet the same ones: an administrator manages accounts but holds no role that reads
seekers' data, cannot change their own roles or studies, and never sets anyone's password or
second factor (the person does that when they enrol). Changes to what a person may see are
told to that person by e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts import notifications
from kollega.accounts.models import User
from kollega.core.audit import SYSTEM, Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.core.roles import (
    ADMINISTRATOR,
    COORDINATOR,
    COUNSELLOR,
    COUNTY_LEADER,
    RESEARCHER,
    ROLES,
)

# The roles whose pages show seekers' or participants' data: never held by an administrator.
READER_ROLES = frozenset({COUNSELLOR, COORDINATOR, RESEARCHER, COUNTY_LEADER})


def check_roles(roles: Iterable[str]) -> set[str]:
    """The roles as a set; raises ActionRefused for unknown roles and for an administrator
    who would also read seekers' data."""
    chosen = set(roles)
    unknown = chosen - set(ROLES)
    if unknown:
        raise ActionRefused(_("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    if ADMINISTRATOR in chosen and chosen & READER_ROLES:
        raise ActionRefused(
            _(
                "An administrator cannot also be a counsellor, coordinator or researcher: "
                "those roles read seekers' data. Use a separate account for that work."
            )
        )
    return chosen


def check_new_username(username: str) -> None:
    """Raise ActionRefused when the name is taken, whatever its case: "Kari" and "kari" would
    be two people to the database but one to everyone reading a list."""
    if User.objects.filter(username__iexact=username).exists():
        raise ActionRefused(_("A staff member with that username already exists."))


def roles_held(user: User) -> set[str]:
    held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if user.is_superuser:
        held.add(ADMINISTRATOR)
    return held


def check_role_change(actor: Actor, user: User, roles: Iterable[str]) -> set[str]:
    """The new roles as a set; raises ActionRefused as `check_roles` does, and when `actor`
    would change their own roles."""
    chosen = check_roles(roles)
    if chosen != roles_held(user):
        _refuse_self(actor, user, _("You cannot change your own roles. Ask another administrator."))
    return chosen


def check_study_researchers(actor: Actor, study: Any, researchers: Iterable[User]) -> None:
    """Raise ActionRefused when `actor` would add themself to `study`, or add someone without
    the researcher role."""
    before = set(study.researchers.values_list("pk", flat=True)) if study.pk else set()
    for user in researchers:
        if user.pk in before:
            continue
        if user.pk == getattr(actor, "pk", None):
            raise ActionRefused(_("You cannot add yourself to a study."))
        if RESEARCHER not in roles_held(user):
            raise ActionRefused(
                _("%(name)s does not have the researcher role.") % {"name": user.get_username()}
            )


def _give_roles(user: User, roles: set[str]) -> None:
    """Set the groups and the admin flags that go with the administrator role, and nothing
    else: no per-person permissions."""
    user.is_staff = user.is_superuser = ADMINISTRATOR in roles
    user.save(update_fields=["is_staff", "is_superuser"])
    user.user_permissions.clear()
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in sorted(roles)])
    user.__dict__.pop("_kollega_roles", None)


def _refuse_self(actor: Actor, user: User, message: str) -> None:
    actor_pk = getattr(actor, "pk", None)
    if actor_pk is not None and actor_pk == user.pk:
        raise ActionRefused(message)


@transaction.atomic
def do_create_staff(
    *,
    username: str,
    password: str,
    roles: list[str],
    actor: Actor = SYSTEM,
    email: str = "",
    **extra: Any,
) -> tuple[User, TOTPDevice]:
    """Create a staff member with roles and a confirmed TOTP device; returns both.

    For the server's commands (the first administrator) and the demo: the person types the
    password there and scans the device's code themselves.
    """
    chosen = check_roles(roles)
    user = User.objects.create_user(username=username, password=password, email=email, **extra)
    _give_roles(user, chosen)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    record(actor, AuditAction.ACCOUNTS_CREATE_STAFF, user, roles=sorted(chosen))
    return user, device


@transaction.atomic
def do_add_staff(
    actor: Actor,
    *,
    username: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    counties: Iterable[str] = (),
) -> User:
    """Add a staff member who cannot sign in yet: no password, no second factor.

    `counties`: the counties they lead as a county leader. They enrol on the server
    (`kollega enrol_staff NAME`), choosing their own password and scanning their own code.
    Raises ActionRefused for a taken username or forbidden roles.
    """
    chosen = check_roles(roles)
    check_new_username(username)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.counties = sorted(set(counties))
    user.set_unusable_password()
    user.save()
    _give_roles(user, chosen)
    led = {"counties": user.counties} if user.counties else {}
    record(actor, AuditAction.ACCOUNTS_ADD_STAFF, user, roles=sorted(chosen), **led)
    return user


@transaction.atomic
def do_change_staff(
    actor: Actor,
    user: User,
    *,
    roles: Iterable[str],
    first_name: str,
    last_name: str,
    email: str,
    counties: Iterable[str] | None = None,
) -> User:
    """Change a staff member's name, address, roles and (when given) the counties they lead
    as a county leader; tells them when their roles changed.

    Raises ActionRefused when `actor` changes their own roles, or for forbidden roles.
    """
    before = roles_held(user)
    chosen = check_role_change(actor, user, roles)
    wanted = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        **({"counties": sorted(set(counties))} if counties is not None else {}),
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name, value in wanted.items():
        setattr(user, name, value)
    user.save(update_fields=list(wanted))
    if chosen != before:
        _give_roles(user, chosen)
        notifications.tell_staff(user, notifications.ROLES_CHANGED)
    record(
        actor,
        AuditAction.ACCOUNTS_CHANGE_STAFF,
        user,
        fields=changed,
        roles_before=sorted(before),
        roles=sorted(chosen),
        counties=list(user.counties or []),
    )
    return user


@transaction.atomic
def do_deactivate_staff(actor: Actor, user: User) -> None:
    """Stop `user` signing in and end their sessions; their records stay."""
    _refuse_self(actor, user, _("You cannot deactivate yourself. Ask another administrator."))
    user.is_active = False
    user.session_epoch += 1
    user.save(update_fields=["is_active", "session_epoch"])
    record(actor, AuditAction.ACCOUNTS_DEACTIVATE, user)


@transaction.atomic
def do_reactivate_staff(actor: Actor, user: User) -> None:
    """Let a deactivated staff member sign in again with the sign-in they had."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor, AuditAction.ACCOUNTS_REACTIVATE, user)


@transaction.atomic
def do_set_study_researchers(actor: Actor, study: Any, researchers: Iterable[User]) -> None:
    """Set who works on `study`, as an administrator; tells each person added or taken off.

    Only staff with the researcher role may be on a study, and never the administrator
    making the change. Raises ActionRefused otherwise.
    """
    chosen = {user.pk: user for user in researchers}
    check_study_researchers(actor, study, chosen.values())
    before = set(study.researchers.values_list("pk", flat=True))
    study.researchers.set(list(chosen.values()))
    added, removed = set(chosen) - before, before - set(chosen)
    for user in User.objects.filter(pk__in=added | removed):
        notifications.tell_staff(user, notifications.STUDIES_CHANGED)
    record(
        actor,
        AuditAction.ACCOUNTS_SET_STUDY_RESEARCHERS,
        study,
        added=sorted(added),
        removed=sorted(removed),
    )


@transaction.atomic
def do_logout_everywhere(user: User) -> None:
    """End every session of `user`, in every browser, by changing their session hash."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record(user, AuditAction.ACCOUNTS_LOGOUT_EVERYWHERE, user)


@transaction.atomic
def do_reset_sign_in(actor: Actor, user: User) -> None:
    """Take away `user`'s password and second factors and end their sessions.

    The person cannot sign in again until they enrol anew on the server (`kollega enrol_staff`),
    choosing their own password and scanning a new code: nobody else learns either. They are
    told by e-mail, so a reset they did not ask for does not go unnoticed.
    """
    _remove_sign_in(user)
    notifications.tell_staff(user, notifications.SIGN_IN_RESET)
    record(actor, AuditAction.ACCOUNTS_RESET_SIGN_IN, user)


def _remove_sign_in(user: User) -> None:
    user.set_unusable_password()
    user.session_epoch += 1
    user.save(update_fields=["password", "session_epoch"])
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def do_enrol_staff(actor: Actor, user: User, *, password: str) -> TOTPDevice:
    """Give `user` a new password and a new confirmed TOTP device (replacing any old ones)."""
    _remove_sign_in(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    record(actor, AuditAction.ACCOUNTS_ENROL, user)
    return device
