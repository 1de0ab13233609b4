"""The one way to write an audit row."""

from __future__ import annotations

from typing import Any

from django.db import models

from kollega.core.models import AuditEvent


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    **details: Any,
) -> AuditEvent:
    """Record that `actor` did `action` to `obj`.

    `actor` is a user, None, or a string for actors without accounts ("seeker", "system").
    `details` must be JSON-serialisable and hold no personal free text.
    """
    user = (
        actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    )
    if user is not None:
        label = user.get_username()
    elif isinstance(actor, str):
        label = actor
    else:
        label = "anonymous"
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
    )
