"""What every research page shares: the researcher's gate and the one-form page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER, role_required

GET_POST = ["GET", "HEAD", "POST"]


researcher_only = role_required(RESEARCHER)


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest, form: Any, *, heading: str, button: str, back: str
) -> HttpResponse:
    """A page holding one form; 400 when it comes back with errors."""
    return render(
        request,
        "research/form.html",
        {"form": form, "heading": heading, "button": button, "back": back},
        status=400 if form.errors else 200,
    )


def refused(request: HttpRequest, exc: ActionRefused) -> None:
    messages.error(request, str(exc))
