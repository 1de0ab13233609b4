from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PrivacyHeadersMiddleware:
    """Headers Django does not set itself: no caching of personal pages, no powerful features.

    The admin's pages also get `Referrer-Policy: same-origin` in place of the site's
    `no-referrer`: under `no-referrer` Chromium sends `Origin: null` with a form, and Django's
    CSRF check refuses every admin POST. The site's own pages say the same in a meta tag
    (core/base.html); the admin's templates have none, and the admin's URLs hold no secrets.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        if request.path.startswith(self.admin_prefix):
            response.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
