from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def front_door() -> dict[str, Any]:
    """What the front page shows about the service: waiting time and emergency numbers."""
    from kollega.service.views import emergency_numbers
    from kollega.service.waiting import expected_wait_days

    return {
        "wait_days": expected_wait_days(),
        "emergency_numbers": emergency_numbers(),
        "retention_days": settings.KOLLEGA_RETENTION_DAYS,
    }
