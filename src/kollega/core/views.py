from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def front_page(request: HttpRequest) -> HttpResponse:
    # An app may extend the front page (the service adds its front door).
    return render(request, ["service/front_page.html", "core/front_page.html"])


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
