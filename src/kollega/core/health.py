"""Liveness and readiness for service managers and load balancers (`/healthz`, `/readyz`).

`/healthz` says the web process answers, and touches nothing else: a probe that restarts the
server when it fails must not restart it because the database is away. `/readyz` says the
installation can do its work: the database answers a query and the task queue answers, with
no task waiting longer than KOLLEGA_QUEUE_STALE_MINUTES (a queue that only grows means no
worker runs).

A probe from the machine itself (a loopback address, and not through the reverse proxy) is
answered before the host check and the HTTPS redirect, so `curl http://127.0.0.1:8000/readyz`
works whatever ALLOWED_HOSTS and KOLLEGA_HTTPS say. The answers hold no personal data.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kollega.core.taskqueue import _backend, _is_db, _is_rq

PATHS = ("/healthz", "/readyz")


def liveness() -> tuple[bool, str]:
    return True, "ok"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "database: ok"


def _oldest_waiting() -> tuple[int, datetime | None, str]:
    """How many tasks wait to run, since when the oldest has waited, and which queue."""
    backend = _backend()
    if _is_db(backend):
        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return ready.count(), oldest, "database queue"
    if _is_rq(backend):
        waiting, first = 0, None
        for queue in backend._get_queues():
            queue.connection.ping()
            waiting += queue.count
            job_ids = queue.get_job_ids(0, 1)
            job = queue.fetch_job(job_ids[0]) if job_ids else None
            if job is not None and job.enqueued_at is not None:
                enqueued = job.enqueued_at
                if timezone.is_naive(enqueued):
                    enqueued = enqueued.replace(tzinfo=UTC)
                first = enqueued if first is None else min(first, enqueued)
        return waiting, first, "Redis queue"
    return 0, None, "queue"


def readiness() -> tuple[bool, str]:
    lines: list[str] = []
    ready = True
    try:
        lines.append(_database())
    except Exception as exc:
        return False, f"not ready\ndatabase: {type(exc).__name__}"
    try:
        waiting, oldest, name = _oldest_waiting()
    except Exception as exc:
        return False, f"not ready\n{lines[0]}\nqueue: {type(exc).__name__}"
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    stale = settings.KOLLEGA_QUEUE_STALE_MINUTES * 60
    state = "ok"
    if oldest is not None and age > stale:
        ready, state = False, "stale (is a worker running?)"
    lines.append(f"{name}: {state}, {waiting} waiting, oldest {age} s")
    return ready, ("ready\n" if ready else "not ready\n") + "\n".join(lines)


def answer(check: Callable[[], tuple[bool, str]]) -> HttpResponse:
    ok, text = check()
    response = HttpResponse(text + "\n", content_type="text/plain", status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


def _local(request: HttpRequest) -> bool:
    """From this machine and not relayed by a proxy (which would add X-Forwarded-For)."""
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class LocalProbeMiddleware:
    """Answer a local GET of /healthz or /readyz before any other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PATHS and request.method in ("GET", "HEAD") and _local(request):
            return answer(liveness if request.path == "/healthz" else readiness)
        return self.get_response(request)
