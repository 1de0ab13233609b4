"""What every action module shares: the versioned save and the audited delete.

Audit details hold identifiers, counts and codes only — never transcript or researcher text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.models import TURN_SEPARATOR
from kollega.workbench.models import (
    AnalysisTranscript,
)

M = TypeVar("M", bound=Model)


def stale_refusal() -> ActionRefused:
    return ActionRefused(
        _("Someone saved this after you opened it. Your text is kept below: reload to see theirs.")
    )


def save_versioned(obj: Model, version: int | None, fields: dict[str, Any]) -> Model:
    """Write ``fields`` to ``obj`` if it is still at ``version``; refuse a stale save.

    The check and the write are one conditional UPDATE, so two saves on the same version
    cannot both succeed. ``obj`` is refreshed afterwards.
    """
    model = type(obj)
    changed = model._default_manager.filter(pk=obj.pk, version=version).update(
        **fields, version=(version or 0) + 1
    )
    if not changed:
        raise stale_refusal()
    obj.refresh_from_db()
    return obj


def create_first(owner: Model, existing: QuerySet[Any], make: Callable[[], M]) -> M:
    """Create what a form drawn when ``owner`` had none of ``existing`` asks for, or refuse it as
    stale if a colleague created one since (two tabs both saving a "new" condensate).

    The owner's row is locked for the check, and a unique constraint backs it against a writer
    that did not lock: its error is refused the same way.
    """
    type(owner)._default_manager.select_for_update().filter(pk=owner.pk).first()
    if existing.exists():
        raise stale_refusal()
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        raise stale_refusal() from None


def delete_audited(actor: User, obj: Any, action: AuditAction, *, analysis: int) -> None:
    """Delete ``obj`` and record ``action`` with its type and id (the row itself is gone)."""
    pk, label = obj.pk, obj._meta.label_lower
    obj.delete()
    record(actor, action, None, object_type=label, object_id=pk, analysis=analysis)


def trimmed_span(version: AnalysisTranscript, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding white space; refuse an empty or out-of-range span."""
    text = version.text
    if not 0 <= start < end <= len(text):
        raise ActionRefused(_("Select some words of the transcript first."))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ActionRefused(_("Select some words of the transcript first."))
    if TURN_SEPARATOR in text[start:end]:
        raise ActionRefused(_("A meaning unit lies within one speaker turn."))
    return start, end


def drop_if_unused(version: AnalysisTranscript) -> None:
    """Delete an old version nothing points into any more (a kept round of comparison does)."""
    if (
        not version.current
        and not version.units.exists()
        and not version.quotes.exists()
        and not version.rounds.exists()
    ):
        version.delete()
