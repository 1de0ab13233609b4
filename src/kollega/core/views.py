from __future__ import annotations

import errno
import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.http import require_safe


@require_safe
def front_page(request: HttpRequest) -> HttpResponse:
    # An app may extend the front page (the service adds its front door).
    return render(request, ["service/front_page.html", "core/front_page.html"])


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """Every unhandled error (handler500), on a page that needs no database and no session.

    When the database cannot be reached or the disk is full, it says so, and that nothing was
    saved (each change is one transaction); the emergency numbers are always shown, because the
    person may have been asking for help.
    """
    error = sys.exc_info()[1]
    kind, status = "error", 500
    if isinstance(error, DatabaseError):
        kind, status = "database", 503
    elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
        kind, status = "disk", 503
    numbers = []
    for item in settings.KOLLEGA_EMERGENCY_NUMBERS:
        number, _sep, label = item.partition("=")
        numbers.append({"number": number.strip(), "label": label.strip()})
    page = loader.get_template("core/server_error.html").render(
        {
            "kind": kind,
            "organisation": settings.KOLLEGA_ORGANISATION,
            "emergency_numbers": numbers,
            "LANGUAGE_CODE": get_language(),
        }
    )
    response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response
