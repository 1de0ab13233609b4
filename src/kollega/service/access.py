"""The one place that says who may open which case, and the throttles for public pages."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest

from kollega.core.audit import record
from kollega.core.roles import COORDINATOR, COUNSELLOR, has_role
from kollega.service.models import Case

# Wrong status links allowed per address in the window before every lookup is refused.
TOKEN_MISSES_ALLOWED = 20
TOKEN_WINDOW_SECONDS = 15 * 60
# Intake submissions allowed per address per hour.
INTAKE_PER_HOUR = 5


class Throttled(Exception):
    """Too many attempts from one address; the view answers 429."""


def get_case_for_user(user: Any, pk: int, *, audit_view: bool = False) -> Case:
    """The case, if `user` may see it: its counsellor, or a coordinator. Otherwise 404.

    Researchers and other counsellors never get a case. `audit_view` records the read.
    """
    case = Case.objects.select_related("counsellor__user").filter(pk=pk).first()
    if case is None:
        raise Http404
    allowed = has_role(user, COORDINATOR) or (
        has_role(user, COUNSELLOR)
        and case.counsellor is not None
        and case.counsellor.user_id == user.pk
    )
    if not allowed:
        raise Http404
    if audit_view:
        record(user, "service.case.view", case)
    return case


def may_read_private(user: Any, case: Case) -> bool:
    """Messages, notes and the seeker's own words: only the case's own counsellor."""
    return case.counsellor is not None and case.counsellor.user_id == getattr(user, "pk", None)


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only behind the configured proxies."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(kind: str, request: HttpRequest) -> str:
    # Only a hash of the address reaches the cache.
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"kollega.service.{kind}.{digest}"


def _hits(kind: str, request: HttpRequest) -> int:
    return int(cache.get(_key(kind, request)) or 0)


def _count(kind: str, request: HttpRequest, window: int) -> None:
    key = _key(kind, request)
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)


def case_for_token(request: HttpRequest, token: str) -> Case:
    """The case behind a status link; a wrong link is 404 and counts against the address."""
    if _hits("token", request) >= TOKEN_MISSES_ALLOWED:
        raise Throttled
    case = Case.objects.by_token(token)
    if case is None:
        _count("token", request, TOKEN_WINDOW_SECONDS)
        raise Http404
    return case


def intake_allowed(request: HttpRequest) -> bool:
    return _hits("intake", request) < INTAKE_PER_HOUR


def count_intake(request: HttpRequest) -> None:
    _count("intake", request, 60 * 60)
