"""The client's address behind KOLLEGA_PROXY_COUNT reverse proxies, for the login throttle.

django-axes reads it through django-ipware, which Kollega does not install; without this it
counted every failed sign-in behind nginx against 127.0.0.1, so KOLLEGA_PROXY_COUNT did
nothing and a lockout of a name held for every address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the outermost trusted proxy saw; X-Forwarded-For is trusted only as far as
    the configured number of proxies (each appends the address it received from)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))
