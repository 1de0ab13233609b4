"""Links on the staff home page, registered by each app for the roles that use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from kollega.core.roles import roles_of


@dataclass(frozen=True)
class HomeLink:
    roles: tuple[str, ...]
    label: str | Promise
    url_name: str


_LINKS: list[HomeLink] = []


def register_home_link(*roles: str, label: str | Promise, url_name: str) -> None:
    """Called from an app's `ready()`; registering the same link twice has no effect."""
    link = HomeLink(tuple(roles), label, url_name)
    if link not in _LINKS:
        _LINKS.append(link)


def home_links_for(user: Any) -> list[dict[str, Any]]:
    mine = roles_of(user)
    return [
        {"label": link.label, "url": reverse(link.url_name)}
        for link in _LINKS
        if mine & set(link.roles)
    ]
