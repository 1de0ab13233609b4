"""Links on the staff home page, registered by each app for the roles that use them, and other
ways in that an app offers on the public front page."""

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


@dataclass(frozen=True)
class PublicLink:
    heading: str | Promise
    text: str | Promise
    label: str | Promise
    url_name: str


_PUBLIC: list[PublicLink] = []


def register_public_link(
    *, heading: str | Promise, text: str | Promise, label: str | Promise, url_name: str
) -> None:
    """Called from an app's `ready()` to offer another way in on the front page (the
    støttekollega list, say), so that the page needs to know no app above it; registering the
    same link twice has no effect."""
    link = PublicLink(heading, text, label, url_name)
    if link not in _PUBLIC:
        _PUBLIC.append(link)


def public_links() -> list[dict[str, Any]]:
    return [
        {
            "heading": link.heading,
            "text": link.text,
            "label": link.label,
            "url": reverse(link.url_name),
        }
        for link in _PUBLIC
    ]
