from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from kollega.core.emergency import emergency_numbers
from kollega.service.adapters import organisation_names as names
from kollega.service.models import Message
from kollega.service.waiting import expected_waits

register = template.Library()


@register.simple_tag
def front_door() -> dict[str, Any]:
    """What the front page shows about the service: waiting time and emergency numbers."""
    return {
        "waits": expected_waits(),
        "emergency_numbers": emergency_numbers(),
        "retention_days": settings.KOLLEGA_RETENTION_DAYS,
    }


@register.filter
def days_range(wait: Any) -> str:
    """A `waiting.WaitRange` in words: "about 2 days" or "2 to 5 days" (with an en dash)."""
    if wait.single:
        return ngettext("about %(days)d day", "about %(days)d days", wait.low) % {"days": wait.low}
    # An en dash is right in a range.
    return gettext("%(low)d–%(high)d days") % {"low": wait.low, "high": wait.high}  # noqa: RUF001


@register.simple_tag
def organisation_names() -> list[str]:
    """Health trusts, authorities, other employers and municipalities, for a datalist."""
    return names()


@register.filter
def unbroken(value: Any) -> SafeString:
    """The value in a span that the browser does not break at its hyphens (a reference code
    such as K-VEVJ-RJ4X stays on one line); the text itself, and so a copy of it, is unchanged."""
    return format_html('<span class="unbroken">{}</span>', value)


@register.filter
def author(message: Message, to_seeker: Any) -> str:
    """Who wrote a message, as the seeker (`to_seeker`) or the counsellor reads the thread."""
    return message.author(to_seeker=bool(to_seeker))
