"""The code book: move, merge, delete, reorder and colour code groups; undo the last actions.

Decisions (docs/researcher.md, "Code book"):

- Moving a group under one of its own subgroups, or under itself, is refused (no cycles).
- Merging ``gone`` into ``kept``: ``gone``'s units, its step-3 subgroups (with their
  condensates and golden quotes), its suggestion decisions, its analytic text and its place in
  categories go to ``kept``; its child groups move under ``kept`` with their own units. When both
  have an analytic text the merge is refused, so no researcher's text is lost or silently joined.
- A unit may also be in further groups (``AlsoCoded``) besides its first one (its ``Coding``);
  a merge moves ``gone``'s further-group rows to ``kept`` and drops one that would put a unit
  twice in ``kept``; undo puts both back.
- Deleting a group: its units go back to "to sort" (from their further groups too), its
  further-group rows are removed, its child groups move up to its parent. A
  group with step-3 subgroups or an analytic text cannot be deleted (merge it instead).
- Every change names the group's ``version``; a form from before someone else's change is
  refused as stale.

The undo log (``UndoStep``) is per researcher and analysis and keeps the last ``MAX_UNDO``
steps: ids, offsets and the deleted group's own fields, encrypted, never transcript text. An
undo is refused, with a word, when what it would put back has changed since.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench.actions.common import save_versioned
from kollega.workbench.models import (
    COLOURS,
    AlsoCoded,
    Analysis,
    AnalysisTranscript,
    AnalyticText,
    Category,
    CodeGroup,
    Coding,
    Condensate,
    MeaningUnit,
    Subgroup,
    SuggestionDecision,
    UndoKind,
    UndoStep,
)

MAX_UNDO = 10


# --- the undo log -------------------------------------------------------------------------


def log_undo(actor: User, analysis_id: int, kind: UndoKind, data: dict[str, Any]) -> None:
    UndoStep.objects.create(
        analysis_id=analysis_id, user=actor, kind=kind, payload=json.dumps(data)
    )
    old = UndoStep.objects.filter(analysis_id=analysis_id, user=actor).values_list("pk", flat=True)[
        MAX_UNDO:
    ]
    UndoStep.objects.filter(pk__in=list(old)).delete()


def last_undo(actor: User, analysis: Analysis) -> UndoStep | None:
    return UndoStep.objects.filter(analysis=analysis, user=actor).first()


def describe(step: UndoStep) -> str:
    """What undoing ``step`` would undo, for the "Undo: …" button."""
    data = step.data
    names = data.get("names", {})
    if step.kind == UndoKind.UNIT_SORT:
        if data.get("after") is None:
            return _("taking a unit out of its code group")
        return _("sorting a unit into %(group)s") % {"group": names.get("after", "")}
    if step.kind == UndoKind.UNIT_DELETE:
        return _("deleting a unit")
    if step.kind == UndoKind.GROUP_MERGE:
        return _("merging %(gone)s into %(kept)s") % {
            "gone": names.get("gone", ""),
            "kept": names.get("kept", ""),
        }
    if step.kind == UndoKind.GROUP_DELETE:
        return _("deleting the code group %(group)s") % {"group": names.get("group", "")}
    return _("moving the code group %(group)s") % {"group": names.get("group", "")}


# --- what a group's rows look like in the log ------------------------------------------------


def _coding_fields(coding: Coding) -> dict[str, Any]:
    return {
        "unit": coding.unit_id,
        "group": coding.code_group_id,
        "coder": coding.coder_id,
        "origin": coding.origin,
        "model": coding.model,
        "model_settings": coding.model_settings,
        "confidence": coding.confidence,
        "decided_by": coding.decided_by_id,
        "decided_at": coding.decided_at.isoformat(),
    }


def _restore_coding(fields: dict[str, Any]) -> None:
    Coding.objects.update_or_create(
        unit_id=fields["unit"],
        defaults={
            "code_group_id": fields["group"],
            "coder_id": fields["coder"],
            "origin": fields["origin"],
            "model": fields["model"],
            "model_settings": fields["model_settings"],
            "confidence": fields["confidence"],
            "decided_by_id": fields["decided_by"],
            "decided_at": datetime.fromisoformat(fields["decided_at"]),
        },
    )


def _also_fields(rows: Any) -> list[list[Any]]:
    """A unit's further code groups (``AlsoCoded`` rows) as the log keeps them."""
    return [[a.unit_id, a.code_group_id, a.coder_id, a.created.isoformat()] for a in rows]


def _restore_also(rows: list[list[Any]]) -> None:
    """Put logged further groups back where the unit and group still exist, the unit is
    sorted, and it would not then be twice in one group."""
    for unit, group, coder, created in rows:
        first = Coding.objects.filter(unit_id=unit).values_list("code_group_id", flat=True).first()
        if (
            first is None
            or first == group
            or not CodeGroup.objects.filter(pk=group).exists()
            or AlsoCoded.objects.filter(unit_id=unit, code_group_id=group).exists()
        ):
            continue
        AlsoCoded.objects.create(
            unit_id=unit,
            code_group_id=group,
            coder_id=coder,
            created=datetime.fromisoformat(created),
        )


def _decision_fields(decision: SuggestionDecision) -> dict[str, Any]:
    return {
        "pk": decision.pk,
        "unit": decision.unit_id,
        "group": decision.code_group_id,
        "accepted": decision.accepted,
        "rank": decision.rank,
        "confidence": decision.confidence,
        "model": decision.model,
        "model_settings": decision.model_settings,
        "decided_by": decision.decided_by_id,
        "decided_at": decision.decided_at.isoformat(),
    }


def _restore_decisions(rows: list[dict[str, Any]]) -> None:
    units = set(
        MeaningUnit.objects.filter(pk__in=[r["unit"] for r in rows]).values_list("pk", flat=True)
    )
    SuggestionDecision.objects.bulk_create(
        SuggestionDecision(
            pk=r["pk"],
            unit_id=r["unit"],
            code_group_id=r["group"],
            accepted=r["accepted"],
            rank=r["rank"],
            confidence=r["confidence"],
            model=r["model"],
            model_settings=r["model_settings"],
            decided_by_id=r["decided_by"],
            decided_at=datetime.fromisoformat(r["decided_at"]),
        )
        for r in rows
        if r["unit"] in units
    )


def _group_fields(group: CodeGroup) -> dict[str, Any]:
    return {
        "pk": group.pk,
        "analysis": group.analysis_id,
        "parent": group.parent_id,
        "name": group.name,
        "description": group.description,
        "codable": group.codable,
        "theme": group.theme_id,
        "position": group.position,
        "colour": group.colour,
        "version": group.version,
        "created": group.created.isoformat(),
    }


def _restore_group(fields: dict[str, Any]) -> CodeGroup:
    if CodeGroup.objects.filter(pk=fields["pk"]).exists():
        raise _changed()
    parent = fields["parent"]
    if parent is not None and not CodeGroup.objects.filter(pk=parent).exists():
        raise ActionRefused(_("Its parent code group has been deleted since."))
    return CodeGroup.objects.create(
        pk=fields["pk"],
        analysis_id=fields["analysis"],
        parent_id=parent,
        name=fields["name"],
        description=fields["description"],
        codable=fields["codable"],
        theme_id=fields["theme"],
        position=fields["position"],
        colour=fields["colour"],
        version=fields["version"] + 1,
        created=datetime.fromisoformat(fields["created"]),
    )


def _versioned(group: CodeGroup, version: int | None, fields: dict[str, Any]) -> None:
    """``save_versioned`` with the code book's own word for a stale form."""
    try:
        save_versioned(group, version, fields)
    except ActionRefused:
        raise ActionRefused(
            _(
                "Someone changed this code group after you opened the page, so nothing was "
                "done. Look at it again, then try once more."
            )
        ) from None


def _changed() -> ActionRefused:
    return ActionRefused(
        _("This cannot be undone: someone changed these units or code groups since.")
    )


# --- the code book's changes ---------------------------------------------------------------


def descendant_ids(group: CodeGroup) -> set[int]:
    """The pks of every group below ``group`` (its children, theirs, …)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in CodeGroup.objects.filter(analysis_id=group.analysis_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    todo = [group.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _next_position(analysis_id: int, parent_id: int | None) -> int:
    top = CodeGroup.objects.filter(analysis_id=analysis_id, parent_id=parent_id).aggregate(
        Max("position")
    )["position__max"]
    return 0 if top is None else top + 1


@transaction.atomic
def do_move_group(
    actor: User, group: CodeGroup, *, parent: CodeGroup | None, version: int | None
) -> CodeGroup:
    """Put ``group`` (with its subgroups) under ``parent``, last; ``None``: the top level."""
    if parent is not None:
        if parent.analysis_id != group.analysis_id:
            raise ActionRefused(_("Unknown code group."))
        if parent.pk == group.pk:
            raise ActionRefused(_("A code group cannot go inside itself."))
        if parent.pk in descendant_ids(group):
            raise ActionRefused(
                _("%(parent)s is inside %(group)s: a group cannot go inside its own subgroups.")
                % {"parent": parent.name, "group": group.name}
            )
    parent_id = parent.pk if parent else None
    if parent_id == group.parent_id:
        raise ActionRefused(_("The code group is already there."))
    if (
        CodeGroup.objects.filter(
            analysis_id=group.analysis_id, parent_id=parent_id, name__iexact=group.name
        )
        .exclude(pk=group.pk)
        .exists()
    ):
        raise ActionRefused(_("There is already a code group called %s here.") % group.name)
    before = {"parent": group.parent_id, "position": group.position}
    _versioned(
        group,
        version,
        {"parent_id": parent_id, "position": _next_position(group.analysis_id, parent_id)},
    )
    log_undo(
        actor,
        group.analysis_id,
        UndoKind.GROUP_MOVE,
        {**before, "group": group.pk, "version": group.version, "names": {"group": group.name}},
    )
    record(
        actor,
        AuditAction.WORKBENCH_CODE_GROUP_MOVE,
        group,
        analysis=group.analysis_id,
        parent=parent_id,
    )
    return group


@transaction.atomic
def do_reorder_group(actor: User, group: CodeGroup, *, up: bool, version: int | None) -> None:
    """Swap ``group`` with the sibling above (``up``) or below it."""
    siblings = list(
        CodeGroup.objects.select_for_update()
        .filter(analysis_id=group.analysis_id, parent_id=group.parent_id)
        .order_by("position", "pk")
    )
    _versioned(group, version, {})
    index = next(i for i, g in enumerate(siblings) if g.pk == group.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        raise ActionRefused(
            _("The code group is already first.") if up else _("The code group is already last.")
        )
    order = [g.pk for g in siblings]
    order[index], order[other] = order[other], order[index]
    for position, pk in enumerate(order):
        CodeGroup.objects.filter(pk=pk).update(position=position)
    CodeGroup.objects.filter(pk=siblings[other].pk).update(version=F("version") + 1)
    group.refresh_from_db()
    record(actor, AuditAction.WORKBENCH_CODE_GROUP_REORDER, group, analysis=group.analysis_id)


@transaction.atomic
def do_set_colour(actor: User, group: CodeGroup, *, colour: int, version: int | None) -> None:
    if not 1 <= colour <= len(COLOURS):
        raise ActionRefused(_("Choose one of the colours offered."))
    _versioned(group, version, {"colour": colour})
    record(
        actor,
        AuditAction.WORKBENCH_CODE_GROUP_COLOUR,
        group,
        analysis=group.analysis_id,
        colour=colour,
    )


@transaction.atomic
def do_merge_groups(
    actor: User, gone: CodeGroup, kept: CodeGroup, *, version: int | None
) -> CodeGroup:
    """Merge ``gone`` into ``kept`` (see the module's notes); ``gone`` is deleted."""
    if kept.analysis_id != gone.analysis_id:
        raise ActionRefused(_("Unknown code group."))
    if kept.pk == gone.pk:
        raise ActionRefused(_("Choose another code group to merge into."))
    if kept.pk in descendant_ids(gone):
        raise ActionRefused(
            _("%(kept)s is inside %(gone)s: move it out first, or merge the other way.")
            % {"kept": kept.name, "gone": gone.name}
        )
    if not kept.codable and (gone.codings.exists() or gone.also_coded.exists()):
        raise ActionRefused(_("%s is a heading: sort units into one of its groups.") % kept.name)
    texts = AnalyticText.objects.filter(code_group__in=[gone, kept])
    if texts.count() > 1:
        raise ActionRefused(
            _(
                "Both code groups have an analytic text (step 4): join them into one first, "
                "so no text is lost."
            )
        )
    _versioned(gone, version, {})
    fields = _group_fields(gone)
    codings = list(gone.codings.values_list("pk", flat=True))
    decisions = list(
        SuggestionDecision.objects.filter(code_group=gone).values_list("pk", flat=True)
    )
    subgroups = list(gone.subgroups.values_list("pk", flat=True))
    text = list(AnalyticText.objects.filter(code_group=gone).values_list("pk", flat=True))
    children = list(gone.children.values_list("pk", "position"))
    categories = list(gone.categories.exclude(code_groups=kept).values_list("pk", flat=True))
    all_categories = list(gone.categories.values_list("pk", flat=True))
    # A unit is never twice in one group: a further group that would repeat the unit's
    # first one, or another further one, is dropped (and logged, so undo puts it back).
    firsts = dict(
        Coding.objects.filter(unit__also_coded__code_group__in=[gone, kept]).values_list(
            "unit_id", "code_group_id"
        )
    )
    in_kept = set(AlsoCoded.objects.filter(code_group=kept).values_list("unit_id", flat=True))
    dropped = [
        a
        for a in AlsoCoded.objects.filter(code_group__in=[gone, kept])
        if (a.code_group_id == kept.pk and firsts.get(a.unit_id) == gone.pk)
        or (
            a.code_group_id == gone.pk
            and (firsts.get(a.unit_id) == kept.pk or a.unit_id in in_kept)
        )
    ]
    also_dropped = _also_fields(dropped)
    AlsoCoded.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    also = list(AlsoCoded.objects.filter(code_group=gone).values_list("pk", flat=True))
    AlsoCoded.objects.filter(pk__in=also).update(code_group=kept)
    Coding.objects.filter(pk__in=codings).update(code_group=kept)
    SuggestionDecision.objects.filter(pk__in=decisions).update(code_group=kept)
    Subgroup.objects.filter(pk__in=subgroups).update(code_group=kept)
    AnalyticText.objects.filter(pk__in=text).update(code_group=kept)
    start = _next_position(kept.analysis_id, kept.pk)
    for n, (pk, _position) in enumerate(children):
        CodeGroup.objects.filter(pk=pk).update(parent=kept, position=start + n)
    for category in Category.objects.filter(pk__in=categories):
        category.code_groups.add(kept)
    gone_pk = gone.pk
    gone.delete()
    CodeGroup.objects.filter(pk=kept.pk).update(version=F("version") + 1)
    kept.refresh_from_db()
    log_undo(
        actor,
        kept.analysis_id,
        UndoKind.GROUP_MERGE,
        {
            "group": fields,
            "kept": kept.pk,
            "codings": codings,
            "also": also,
            "also_dropped": also_dropped,
            "decisions": decisions,
            "subgroups": subgroups,
            "text": text,
            "children": children,
            "added_to": categories,
            "categories": all_categories,
            "names": {"gone": fields["name"], "kept": kept.name},
        },
    )
    record(
        actor,
        AuditAction.WORKBENCH_CODE_GROUP_MERGE,
        kept,
        analysis=kept.analysis_id,
        merged=gone_pk,
        units=len(codings),
    )
    return kept


def _undo_merge(data: dict[str, Any]) -> None:
    kept = data["kept"]
    if not CodeGroup.objects.filter(pk=kept).exists():
        raise _changed()
    still = Coding.objects.filter(pk__in=data["codings"], code_group_id=kept)
    also = AlsoCoded.objects.filter(pk__in=data.get("also", []), code_group_id=kept)
    children = [pk for pk, _position in data["children"]]
    if (
        still.count() != len(data["codings"])
        or also.count() != len(data.get("also", []))
        or Subgroup.objects.filter(pk__in=data["subgroups"], code_group_id=kept).count()
        != len(data["subgroups"])
        or CodeGroup.objects.filter(pk__in=children, parent_id=kept).count() != len(children)
    ):
        raise _changed()
    gone = _restore_group(data["group"])
    still.update(code_group=gone)
    also.update(code_group=gone)
    _restore_also(data.get("also_dropped", []))
    SuggestionDecision.objects.filter(pk__in=data["decisions"], code_group_id=kept).update(
        code_group=gone
    )
    Subgroup.objects.filter(pk__in=data["subgroups"]).update(code_group=gone)
    AnalyticText.objects.filter(pk__in=data["text"], code_group_id=kept).update(code_group=gone)
    for pk, position in data["children"]:
        CodeGroup.objects.filter(pk=pk).update(parent=gone, position=position)
    for category in Category.objects.filter(pk__in=data["categories"]):
        category.code_groups.add(gone)
    for category in Category.objects.filter(pk__in=data["added_to"]):
        category.code_groups.remove(kept)
    CodeGroup.objects.filter(pk=kept).update(version=F("version") + 1)


@transaction.atomic
def do_delete_group(actor: User, group: CodeGroup, *, version: int | None) -> None:
    """Delete ``group``: its units go back to "to sort", its child groups move up."""
    if group.subgroups.exists() or AnalyticText.objects.filter(code_group=group).exists():
        raise ActionRefused(
            _(
                "%s has step-3 subgroups or an analytic text: merge it into another code group "
                "to keep them."
            )
            % group.name
        )
    _versioned(group, version, {})
    fields = _group_fields(group)
    codings = [_coding_fields(c) for c in group.codings.all()]
    # Its own further-group rows go with it; units whose first group it was go back to
    # "to sort" from every group (as when taken out of their group by hand).
    gone_also = AlsoCoded.objects.filter(code_group=group) | AlsoCoded.objects.filter(
        unit_id__in=[c["unit"] for c in codings]
    )
    also = _also_fields(gone_also.order_by("pk"))
    gone_also.delete()
    decisions = [_decision_fields(d) for d in SuggestionDecision.objects.filter(code_group=group)]
    children = list(group.children.values_list("pk", "position"))
    categories = list(group.categories.values_list("pk", flat=True))
    start = _next_position(group.analysis_id, group.parent_id)
    for n, (pk, _position) in enumerate(children):
        CodeGroup.objects.filter(pk=pk).update(parent_id=group.parent_id, position=start + n)
    pk, analysis_id = group.pk, group.analysis_id
    group.delete()
    log_undo(
        actor,
        analysis_id,
        UndoKind.GROUP_DELETE,
        {
            "group": fields,
            "codings": codings,
            "also": also,
            "decisions": decisions,
            "children": children,
            "categories": categories,
            "names": {"group": fields["name"]},
        },
    )
    record(
        actor,
        AuditAction.WORKBENCH_CODE_GROUP_DELETE,
        None,
        object_type="workbench.codegroup",
        object_id=pk,
        analysis=analysis_id,
        units=len(codings),
    )


def _undo_delete_group(data: dict[str, Any]) -> None:
    fields = data["group"]
    children = [pk for pk, _position in data["children"]]
    units = [c["unit"] for c in data["codings"]]
    if (
        CodeGroup.objects.filter(pk__in=children).exclude(parent_id=fields["parent"]).exists()
        or Coding.objects.filter(unit_id__in=units).exists()
    ):
        raise _changed()
    if MeaningUnit.objects.filter(pk__in=units).count() != len(units):
        raise _changed()
    group = _restore_group(fields)
    for coding in data["codings"]:
        _restore_coding(coding)
    _restore_also(data.get("also", []))
    _restore_decisions(data["decisions"])
    for pk, position in data["children"]:
        CodeGroup.objects.filter(pk=pk).update(parent=group, position=position)
    for category in Category.objects.filter(pk__in=data["categories"]):
        category.code_groups.add(group)


def _undo_move(data: dict[str, Any]) -> None:
    group = CodeGroup.objects.filter(pk=data["group"], version=data["version"]).first()
    if group is None:
        raise _changed()
    parent = data["parent"]
    if parent is not None and parent in descendant_ids(group) | {group.pk}:
        raise _changed()
    if parent is not None and not CodeGroup.objects.filter(pk=parent).exists():
        raise ActionRefused(_("Its parent code group has been deleted since."))
    CodeGroup.objects.filter(pk=group.pk).update(
        parent_id=parent, position=data["position"], version=F("version") + 1
    )


# --- units ------------------------------------------------------------------------------


def log_sort(
    actor: User, unit: MeaningUnit, before: Coding | None, after: CodeGroup | None
) -> None:
    log_undo(
        actor,
        unit.transcript.analysis_id,
        UndoKind.UNIT_SORT,
        {
            "unit": unit.pk,
            "before": _coding_fields(before) if before is not None else None,
            "after": after.pk if after is not None else None,
            "also": _also_fields(AlsoCoded.objects.filter(unit=unit)),
            "names": {"after": after.name if after is not None else ""},
        },
    )


def _undo_sort(data: dict[str, Any]) -> None:
    now = Coding.objects.filter(unit_id=data["unit"]).values_list("code_group_id", flat=True)
    if not MeaningUnit.objects.filter(pk=data["unit"]).exists() or (
        (now.first() if now.exists() else None) != data["after"]
    ):
        raise _changed()
    before = data["before"]
    if before is None:
        Coding.objects.filter(unit_id=data["unit"]).delete()
        AlsoCoded.objects.filter(unit_id=data["unit"]).delete()
    elif not CodeGroup.objects.filter(pk=before["group"], codable=True).exists():
        raise _changed()
    else:
        _restore_coding(before)
        AlsoCoded.objects.filter(unit_id=data["unit"], code_group_id=before["group"]).delete()
        _restore_also(data.get("also", []))


def log_unit_delete(actor: User, unit: MeaningUnit) -> dict[str, Any]:
    """What putting ``unit`` back needs; call before deleting it, log after."""
    coding = Coding.objects.filter(unit=unit).first()
    return {
        "unit": unit.pk,
        "transcript": unit.transcript_id,
        "start": unit.start,
        "end": unit.end,
        "coder": unit.coder_id,
        "created": unit.created.isoformat(),
        "coding": _coding_fields(coding) if coding is not None else None,
        "also": _also_fields(AlsoCoded.objects.filter(unit=unit)),
        "subgroups": list(unit.subgroups.values_list("pk", flat=True)),
        "condensates": list(unit.condensates.values_list("pk", flat=True)),
        "decisions": [_decision_fields(d) for d in unit.decisions.all()],
        "names": {},
    }


def _undo_unit_delete(data: dict[str, Any]) -> None:
    if not AnalysisTranscript.objects.filter(pk=data["transcript"]).exists():
        raise ActionRefused(_("This cannot be undone: that transcript version is gone."))
    if MeaningUnit.objects.filter(
        transcript_id=data["transcript"],
        coder_id=data["coder"],
        start=data["start"],
        end=data["end"],
    ).exists():
        raise ActionRefused(_("This cannot be undone: these words are marked again."))
    unit = MeaningUnit.objects.create(
        pk=data["unit"],
        transcript_id=data["transcript"],
        coder_id=data["coder"],
        start=data["start"],
        end=data["end"],
        created=datetime.fromisoformat(data["created"]),
    )
    coding = data["coding"]
    if coding is not None and CodeGroup.objects.filter(pk=coding["group"]).exists():
        _restore_coding(coding)
        _restore_also(data.get("also", []))
    unit.subgroups.set(Subgroup.objects.filter(pk__in=data["subgroups"]))
    unit.condensates.set(Condensate.objects.filter(pk__in=data["condensates"]))
    _restore_decisions(
        [d for d in data["decisions"] if CodeGroup.objects.filter(pk=d["group"]).exists()]
    )


UNDO: dict[str, Callable[[dict[str, Any]], None]] = {
    UndoKind.UNIT_SORT: _undo_sort,
    UndoKind.UNIT_DELETE: _undo_unit_delete,
    UndoKind.GROUP_MERGE: _undo_merge,
    UndoKind.GROUP_DELETE: _undo_delete_group,
    UndoKind.GROUP_MOVE: _undo_move,
}


def do_undo(actor: User, analysis: Analysis) -> str:
    """Undo the actor's newest step in ``analysis``; returns what was undone.

    A step that can no longer be undone is dropped from the log (so the one before it is
    offered next) and refused with the reason; nothing else changes.
    """
    refused: ActionRefused | None = None
    with transaction.atomic():
        step = (
            UndoStep.objects.select_for_update()
            .filter(analysis=analysis, user=actor)
            .order_by("-created", "-pk")
            .first()
        )
        if step is None:
            raise ActionRefused(_("There is nothing to undo."))
        what = describe(step)
        try:
            with transaction.atomic():
                UNDO[step.kind](step.data)
        except ActionRefused as exc:
            refused = exc
        step_pk = step.pk
        step.delete()
        record(
            actor,
            AuditAction.WORKBENCH_UNDO,
            None,
            object_type="workbench.undostep",
            object_id=step_pk,
            analysis=analysis.pk,
            kind=step.kind,
            refused=refused is not None,
        )
    if refused is not None:
        raise refused
    return what
