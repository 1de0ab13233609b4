"""The one place that says who may open which case, and the throttles for public pages."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest

from kollega.core.audit import AuditAction, record
from kollega.core.roles import COORDINATOR, COUNSELLOR, has_role
from kollega.service.models import TERMINAL_STATUSES, Case, Concern, Status

# Wrong status links allowed per address in the window before every lookup is refused.
TOKEN_MISSES_ALLOWED = 20
TOKEN_WINDOW_SECONDS = 15 * 60
# Intake submissions allowed per address per hour.
INTAKE_PER_HOUR = 5
INTAKE_WINDOW_SECONDS = 60 * 60


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
        record(user, AuditAction.SERVICE_CASE_VIEW, case)
    return case


def holds_case(user: Any, case: Case) -> bool:
    """The case is proposed to or worked on by `user`: they may accept, decline or work on it."""
    return case.counsellor is not None and case.counsellor.user_id == getattr(user, "pk", None)


# The states in which the case's counsellor has accepted it (a move to another counsellor
# makes the case PROPOSED again, so these are always the current counsellor's acceptance).
_ACCEPTED_STATES = (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED, Status.CLOSED)


def may_read_private(user: Any, case: Case) -> bool:
    """Messages, notes, contact details and the seeker's own words: only the case's own
    counsellor, and only once they have accepted it.

    A proposed counsellor sees what they need to decide (situation, urgency, wishes, region,
    language), not who the seeker is or what they wrote: they may be about to decline for a
    conflict. A request cancelled or withdrawn while only proposed stays that way.
    """
    if not holds_case(user, case):
        return False
    if case.status in _ACCEPTED_STATES:
        return True
    if case.status in TERMINAL_STATUSES:
        last = case.status_changes.order_by("-at", "-pk").only("old").first()
        return last is not None and last.old in _ACCEPTED_STATES
    return False


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
    entry = cache.get(_key(kind, request))
    if not isinstance(entry, tuple) or entry[1] <= time.time():
        return 0
    return int(entry[0])


def _count(kind: str, request: HttpRequest, window: int) -> None:
    """Count one hit in a fixed window that starts with the first hit and lasts `window` s.

    The window's end is stored with the count: the file cache's `incr` would reset the key's
    lifetime to the default 300 s on every hit.
    """
    key = _key(kind, request)
    now = time.time()
    entry = cache.get(key)
    if isinstance(entry, tuple) and entry[1] > now:
        hits, ends = int(entry[0]) + 1, float(entry[1])
    else:
        hits, ends = 1, now + window
    cache.set(key, (hits, ends), max(1, math.ceil(ends - now)))


def case_for_token(request: HttpRequest, token: str) -> Case:
    """The case behind a status link. A valid link always opens, whoever else shares the
    address; a wrong one is 404 and counts against the address, and once an address has
    missed too often its further misses are refused (429) until the window ends.
    """
    case = Case.objects.by_token(token)
    if case is not None:
        return case
    if _hits("token", request) >= TOKEN_MISSES_ALLOWED:
        raise Throttled
    _count("token", request, TOKEN_WINDOW_SECONDS)
    raise Http404


def concern_for_token(request: HttpRequest, token: str) -> Concern:
    """The concern behind a sender's status link; wrong links count against the address
    exactly as a case's do (the same counter), so guessing either kind costs the same."""
    concern = Concern.objects.by_token(token)
    if concern is not None:
        return concern
    if _hits("token", request) >= TOKEN_MISSES_ALLOWED:
        raise Throttled
    _count("token", request, TOKEN_WINDOW_SECONDS)
    raise Http404


def intake_allowed(request: HttpRequest) -> bool:
    """Whether this address may send another request; KOLLEGA_INTAKE_PER_HOUR=0 (load tests
    only) turns the limit off."""
    limit = getattr(settings, "KOLLEGA_INTAKE_PER_HOUR", INTAKE_PER_HOUR)
    return limit == 0 or _hits("intake", request) < limit


def count_intake(request: HttpRequest) -> None:
    _count("intake", request, INTAKE_WINDOW_SECONDS)
