from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kollega.core.roles import is_verified, roles_of


def kollega(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "organisation": settings.KOLLEGA_ORGANISATION,
        "user_roles": roles_of(user) if user is not None else set(),
        "user_verified": is_verified(user) if user is not None else False,
        "admin_path": settings.ADMIN_PATH,
    }
