"""Every URL pattern of the project, with sample arguments, for walking as every role.

New pages are covered automatically. Pages meant for strangers are named in PUBLIC_URL_NAMES;
everything else must turn a stranger away.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# url names (namespace:name) that a person without an account may open.
PUBLIC_URL_NAMES = {
    "core:front_page",
    "core:healthz",
    "core:readyz",
    "accounts:login",
    "set_language",
    "service:intake",
    # The public list of støttekollegaer: no sign-in, no cookie.
    "peers:list",
    "service:concern_new",
    # The status-link pages (service:status and the pages under it) open only with the
    # secret token; the walk's sample token must get 404, so they stay out of this set.
}

_SAMPLES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": str(uuid.UUID(int=1)),
    "path": "sample/path",
}
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class WalkedUrl:
    name: str
    url: str


# Chooses the value for one URL argument: (url name, converter) -> text.
Filler = Callable[[str, str], str]


def _sample(name: str, converter: str) -> str:
    return _SAMPLES.get(converter, "sample")


def _fill(route: str, name: str, filler: Filler) -> str:
    return _CONVERTER.sub(lambda m: filler(name, m.group("conv") or "str"), route)


def _walk(
    patterns: list[object], prefix: str, namespace: str, filler: Filler
) -> Iterator[WalkedUrl]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + _route(pattern), ns, filler)
        elif isinstance(pattern, URLPattern):
            route = _route(pattern)
            if route.startswith("^") or "(?P" in route:
                # Regex routes (the admin's catch-all and javascript catalogue) get no sample.
                continue
            name = (
                f"{namespace}:{pattern.name}"
                if namespace and pattern.name
                else (pattern.name or route)
            )
            yield WalkedUrl(name, "/" + _fill(prefix + route, name, filler))


def _route(pattern: URLPattern | URLResolver) -> str:
    return str(pattern.pattern)


def all_urls(filler: Filler = _sample) -> list[WalkedUrl]:
    """Every routable URL; `filler` picks argument values (default: samples that match nothing)."""
    seen: dict[str, WalkedUrl] = {}
    for walked in _walk(get_resolver().url_patterns, "", "", filler):
        seen.setdefault(walked.url, walked)
    return list(seen.values())
