"""Links on the staff home page, registered by each app for the roles that use them, other
ways in that an app offers on the public front page, and the panels an app above the service
adds to a seeker's status page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
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


# A status-page panel: given the request, the seeker's case and their status-link token, the
# panel's HTML ("" to show nothing).
StatusPanel = Callable[[HttpRequest, Any, str], str]

_STATUS_PANELS: list[StatusPanel] = []


def register_status_panel(panel: StatusPanel) -> None:
    """Called from an app's `ready()` to add a section to the seeker's status page (research's
    invitations, say), so that the service needs to know no app above it; registering the same
    panel twice has no effect."""
    if panel not in _STATUS_PANELS:
        _STATUS_PANELS.append(panel)


def status_panels_for(request: HttpRequest, case: Any, token: str) -> list[str]:
    """The registered panels' HTML for this seeker's status page, in the order registered,
    leaving out those with nothing to show."""
    return [html for panel in _STATUS_PANELS if (html := panel(request, case, token))]


# Links an app above research adds to a study's page: given the user and the study, a list of
# ``{"label": …, "url": …}`` (the workbench's analyses of that study, say).
StudyLinks = Callable[[Any, Any], list[dict[str, str]]]

_STUDY_LINKS: list[StudyLinks] = []


def register_study_links(links: StudyLinks) -> None:
    """Called from an app's `ready()`, so that research's study page needs to know no app
    above it; registering the same function twice has no effect."""
    if links not in _STUDY_LINKS:
        _STUDY_LINKS.append(links)


def study_links_for(user: Any, study: Any) -> list[dict[str, str]]:
    """Every registered app's links for this study, in the order registered."""
    return [link for links in _STUDY_LINKS for link in links(user, study)]
