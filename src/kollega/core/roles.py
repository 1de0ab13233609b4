"""Roles are Django groups; these helpers are the one place that says who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

COUNSELLOR = "counsellor"
COORDINATOR = "coordinator"
RESEARCHER = "researcher"
ADMINISTRATOR = "administrator"
# Leads the collegial support scheme in one or more counties (`User.counties`): sees and
# approves its own counties' counsellors' listings, registered contacts and settlements.
COUNTY_LEADER = "county_leader"
ROLES = (COUNSELLOR, COORDINATOR, RESEARCHER, ADMINISTRATOR, COUNTY_LEADER)


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_kollega_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._kollega_roles = cached
    return set(cached)


def counties_of(user: Any) -> set[str]:
    """The counties (`service.choices.Region` codes) a county leader leads; empty for others."""
    if not has_role(user, COUNTY_LEADER):
        return set()
    return set(user.counties or [])


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_verified(user: Any) -> bool:
    """Signed in with password and a second factor in this session."""
    return bool(getattr(user, "is_authenticated", False) and user.is_verified())


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let through only staff with one of `roles` who completed two-factor sign-in.

    Strangers are sent to sign in; signed-in staff without the role get 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_verified(request.user):
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.kollega_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
