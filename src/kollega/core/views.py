from __future__ import annotations

import errno
import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from kollega.core import health
from kollega.core.emergency import emergency_numbers
from kollega.core.navigation import public_links


@require_safe
def front_page(request: HttpRequest) -> HttpResponse:
    # An app may extend the front page (the service adds its front door).
    return render(
        request,
        ["service/front_page.html", "core/front_page.html"],
        {"retention_days": settings.KOLLEGA_RETENTION_DAYS, "public_links": public_links()},
    )


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the web process answers (kollega.core.health)."""
    return health.answer(health.liveness)


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database and the task queue answer (kollega.core.health)."""
    return health.answer(health.readiness)


# --- Error pages: the site's layout and language, what the person can do, the emergency numbers.


def _status_prefix() -> str:
    """The path every status link starts with ("/request/status/")."""
    return reverse("service:status", args=["-"]).removesuffix("-/")


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(
        request,
        template,
        {
            "emergency_numbers": emergency_numbers(),
            # A status link that does not open gets its own explanation (it may be deleted).
            "status_link": request.path.startswith(_status_prefix()),
            "retention_days": settings.KOLLEGA_RETENTION_DAYS,
        },
        status=status,
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request the site could not make sense of."""
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the page exists, but not for this person."""
    return _error_page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a mistyped address, or a status link whose request is gone."""
    return _error_page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without this site's cookie (blocked, or long expired)."""
    return _error_page(request, "403_csrf.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Every unhandled error (handler500), on a page that needs no database and no session.

    When the database cannot be reached or the disk is full, it says so, and that nothing was
    saved (each change is one transaction); the emergency numbers are always shown, because the
    person may have been asking for help. The template gets a plain context: no context
    processor runs, since any of them may need what has failed.
    """
    error = sys.exc_info()[1]
    kind, status = "error", 500
    if isinstance(error, DatabaseError):
        kind, status = "database", 503
    elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
        kind, status = "disk", 503
    page = loader.get_template("500.html").render(
        {
            "kind": kind,
            "organisation": settings.KOLLEGA_ORGANISATION,
            "emergency_numbers": emergency_numbers(),
            "LANGUAGE_CODE": get_language(),
        }
    )
    response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response
