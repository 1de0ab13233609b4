"""Step 2: code groups, meaning units, sorting and suggested code groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import adapters
from kollega.workbench.actions.codebook import log_sort, log_undo, log_unit_delete
from kollega.workbench.actions.common import (
    drop_if_unused,
    save_versioned,
    trimmed_span,
)
from kollega.workbench.models import (
    COLOURS,
    AlsoCoded,
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    CodeSuggestionRun,
    Coding,
    CodingOrigin,
    MeaningUnit,
    RunStatus,
    SuggestionDecision,
    UndoKind,
)

# Suggestions run in the background (issue 21): a batch of 200 takes seconds.
MAX_UNITS_PER_SUGGESTION = 200


@transaction.atomic
def do_add_code_group(
    actor: User,
    analysis: Analysis,
    *,
    name: str,
    description: str = "",
    parent: CodeGroup | None = None,
    codable: bool = True,
) -> CodeGroup:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A code group needs a name."))
    if parent is not None and parent.analysis_id != analysis.pk:
        raise ActionRefused(_("Unknown code group."))
    if analysis.code_groups.filter(name__iexact=name, parent=parent).exists():
        raise ActionRefused(_("There is already a code group called %s here.") % name)
    position = analysis.code_groups.count()
    group = CodeGroup.objects.create(
        analysis=analysis,
        name=name,
        description=description.strip(),
        parent=parent,
        codable=codable,
        position=position,
        colour=position % len(COLOURS) + 1,
    )
    record(actor, AuditAction.WORKBENCH_CODE_GROUP_ADD, group, analysis=analysis.pk)
    return group


@transaction.atomic
def do_edit_code_group(
    actor: User,
    group: CodeGroup,
    *,
    name: str,
    description: str,
    codable: bool,
    version: int | None,
) -> CodeGroup:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A code group needs a name."))
    if not codable and group.codings.exists():
        raise ActionRefused(_("Units are sorted into this group; move them first."))
    save_versioned(
        group, version, {"name": name, "description": description.strip(), "codable": codable}
    )
    record(actor, AuditAction.WORKBENCH_CODE_GROUP_EDIT, group, analysis=group.analysis_id)
    return group


@transaction.atomic
def do_create_unit(
    actor: User,
    version: AnalysisTranscript,
    *,
    start: int,
    end: int,
    code_group: CodeGroup | None = None,
) -> MeaningUnit:
    """Mark ``version.text[start:end]`` (trimmed) as the actor's meaning unit."""
    if not version.current:
        raise ActionRefused(_("This transcript has a newer version; code that one."))
    start, end = trimmed_span(version, start, end)
    if (
        MeaningUnit.objects.in_analysis()
        .filter(transcript=version, coder=actor, start=start, end=end)
        .exists()
    ):
        raise ActionRefused(_("You have already marked exactly these words."))
    unit = MeaningUnit.objects.create(transcript=version, start=start, end=end, coder=actor)
    if code_group is not None:
        set_coding(actor, unit, code_group)
    record(
        actor,
        AuditAction.WORKBENCH_UNIT_CREATE,
        unit,
        analysis=version.analysis_id,
        code_group=code_group.pk if code_group else None,
    )
    return unit


def _check_group(unit: MeaningUnit, group: CodeGroup) -> None:
    if group.analysis_id != unit.transcript.analysis_id:
        raise ActionRefused(_("Unknown code group."))
    if not group.codable:
        raise ActionRefused(_("%s is a heading: sort units into one of its groups.") % group.name)


def set_coding(actor: User, unit: MeaningUnit, group: CodeGroup, **origin: Any) -> Coding:
    _check_group(unit, group)
    coding, _created = Coding.objects.update_or_create(
        unit=unit,
        defaults={
            "code_group": group,
            "coder": unit.coder,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "origin": origin.get("origin", CodingOrigin.HAND),
            "model": origin.get("model", ""),
            "model_settings": origin.get("model_settings", {}),
            "confidence": origin.get("confidence"),
        },
    )
    # The first group is never also one of the further groups.
    AlsoCoded.objects.filter(unit=unit, code_group=group).delete()
    unit.coding = coding
    return coding


def _own_unit(actor: User, unit: MeaningUnit) -> None:
    # An agreed unit belongs to the coders who agreed on it, not only to who closed the round.
    if unit.coder_id != actor.pk and unit.agreed_in_id is None:
        raise ActionRefused(_("Only the coder who marked a unit can sort it."))


@transaction.atomic
def do_code_unit(actor: User, unit: MeaningUnit, group: CodeGroup) -> Coding:
    _own_unit(actor, unit)
    before = Coding.objects.filter(unit=unit).first()
    # Logged first: the log keeps the further groups as they were, one of which the new
    # first group may be (set_coding drops that one).
    log_sort(actor, unit, before, group)
    coding = set_coding(actor, unit, group)
    record(
        actor,
        AuditAction.WORKBENCH_UNIT_CODE,
        unit,
        analysis=group.analysis_id,
        code_group=group.pk,
    )
    return coding


@transaction.atomic
def do_uncode_unit(actor: User, unit: MeaningUnit) -> None:
    _own_unit(actor, unit)
    before = Coding.objects.filter(unit=unit).first()
    if before is not None:
        log_sort(actor, unit, before, None)
        before.delete()
        # A unit taken out of its (first) group goes back to "to sort" from every group.
        AlsoCoded.objects.filter(unit=unit).delete()
    record(actor, AuditAction.WORKBENCH_UNIT_UNCODE, unit, analysis=unit.transcript.analysis_id)


@transaction.atomic
def do_also_code(actor: User, unit: MeaningUnit, group: CodeGroup) -> AlsoCoded:
    """Sort a sorted ``unit`` into one more code group, besides its first one."""
    _own_unit(actor, unit)
    _check_group(unit, group)
    first = Coding.objects.filter(unit=unit).values_list("code_group_id", flat=True).first()
    if first is None:
        raise ActionRefused(_("Sort the unit into a code group first, then into more."))
    if first == group.pk or AlsoCoded.objects.filter(unit=unit, code_group=group).exists():
        raise ActionRefused(_("The unit is already in %s.") % group.name)
    also = AlsoCoded.objects.create(unit=unit, code_group=group, coder=unit.coder)
    record(
        actor,
        AuditAction.WORKBENCH_UNIT_ALSO_CODE,
        unit,
        analysis=group.analysis_id,
        code_group=group.pk,
    )
    return also


@transaction.atomic
def do_unalso_code(actor: User, unit: MeaningUnit, group: CodeGroup) -> None:
    """Take ``unit`` out of one of its further code groups (its first one stays)."""
    _own_unit(actor, unit)
    deleted, _rows = AlsoCoded.objects.filter(unit=unit, code_group=group).delete()
    if not deleted:
        raise ActionRefused(_("The unit is not also in %s.") % group.name)
    record(
        actor,
        AuditAction.WORKBENCH_UNIT_ALSO_UNCODE,
        unit,
        analysis=group.analysis_id,
        code_group=group.pk,
    )


@transaction.atomic
def do_delete_unit(actor: User, unit: MeaningUnit) -> None:
    _own_unit(actor, unit)
    pk, version = unit.pk, unit.transcript
    undo = log_unit_delete(actor, unit)
    unit.delete()
    drop_if_unused(version)
    if AnalysisTranscript.objects.filter(pk=version.pk).exists():
        log_undo(actor, version.analysis_id, UndoKind.UNIT_DELETE, undo)
    record(
        actor,
        AuditAction.WORKBENCH_UNIT_DELETE,
        None,
        object_type="workbench.meaningunit",
        object_id=pk,
        analysis=version.analysis_id,
    )


def _suggest_raw(
    actor_id: int,
    version: AnalysisTranscript,
    progress: Callable[[float], None] | None = None,
) -> tuple[dict[str, dict[str, Any]], str, dict[str, Any]]:
    """`adapters.suggest_codes` for the coder's uncoded units in ``version``, keyed by
    unit and code group id as strings."""
    groups = CodeGroup.objects.filter(analysis_id=version.analysis_id, codable=True)
    uncoded = list(
        version.units.in_analysis().filter(coder_id=actor_id, coding__isnull=True)[
            :MAX_UNITS_PER_SUGGESTION
        ]
    )
    coded = list(
        Coding.objects.filter(
            unit__coder_id=actor_id,
            unit__transcript__analysis_id=version.analysis_id,
            unit__retired_in__isnull=True,
        ).values_list("unit__transcript_id", "unit__start", "unit__end", "code_group_id")
    )
    # Each transcript's text is decrypted once, not once per coded unit.
    texts = {
        t.pk: t.text for t in AnalysisTranscript.objects.filter(pk__in={row[0] for row in coded})
    }
    examples = [(texts[t][start:end], str(group)) for t, start, end, group in coded]
    text = version.text
    return adapters.suggest_codes(
        {str(u.pk): text[u.start : u.end] for u in uncoded},
        examples,
        groups={str(g.pk): (g.name, g.description) for g in groups},
        progress=progress,
    )


def _with_groups(ranked: dict[str, dict[str, Any]], analysis_id: int) -> dict[int, dict[str, Any]]:
    """Unit id → its offer with each ranked code group id replaced by the group; groups
    deleted or made uncodable since are left out."""
    groups = {str(g.pk): g for g in CodeGroup.objects.filter(analysis_id=analysis_id, codable=True)}
    return {
        int(key): {
            **found,
            "ranking": [(groups[str(g)], conf) for g, conf in found["ranking"] if str(g) in groups],
        }
        for key, found in ranked.items()
    }


def suggestions_for(
    actor: User, version: AnalysisTranscript
) -> tuple[dict[int, dict[str, Any]], str, dict[str, Any]]:
    """The actor's uncoded units in ``version`` → top three code groups with confidence.

    Examples are the actor's own coded units in the whole analysis (a blind coder learns
    only from themself). Each unit gets ``{"ranking": [(CodeGroup, confidence)],
    "confident", "reason", "advice"}``: ``confident`` is False where the suggester abstains
    (its best is under the threshold calibrated on these examples), and ``advice`` then says
    what would help. Returns those, the model id and the settings used (threshold
    included); empty without examples. The page asks for them in the background
    (`do_request_code_suggestions`); this is the same, at once.
    """
    ranked, model, used = _suggest_raw(actor.pk, version)
    return _with_groups(ranked, version.analysis_id), model, used


# A run still queued or working after this long is taken to be lost (a worker restarted
# mid-run): asking again starts a new one instead of waiting for it for ever.
STALE_RUN_SECONDS = 15 * 60


def active_code_suggestion_run(
    actor: User, version: AnalysisTranscript
) -> CodeSuggestionRun | None:
    """The coder's run for ``version`` that is still queued or working, if any (one gone
    stale is marked failed and not returned)."""
    run = (
        CodeSuggestionRun.objects.filter(
            transcript=version,
            requested_by=actor,
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
        )
        .order_by("-created", "-pk")
        .first()
    )
    if run is None:
        return None
    if (timezone.now() - run.created).total_seconds() > STALE_RUN_SECONDS:
        CodeSuggestionRun.objects.filter(pk=run.pk, status=run.status).update(
            status=RunStatus.FAILED,
            error=_("The run took too long and was stopped; ask again."),
            finished=timezone.now(),
        )
        return None
    return run


@transaction.atomic
def do_request_code_suggestions(actor: User, version: AnalysisTranscript) -> CodeSuggestionRun:
    """Ask the worker to suggest code groups for the actor's uncoded units in ``version``.

    A second request while one runs for the same coder and transcript returns that run
    instead of starting another. The task is given the run's id only, no text.
    """
    # Imported here: tasks.py imports the actions to run the suggestions (an import cycle).
    from kollega.workbench.tasks import suggest_codes_task

    running = active_code_suggestion_run(actor, version)
    if running is not None:
        return running
    run = CodeSuggestionRun.objects.create(transcript=version, requested_by=actor)
    record(actor, AuditAction.WORKBENCH_CODE_SUGGEST, run, analysis=version.analysis_id)

    def enqueue() -> None:
        result = suggest_codes_task.enqueue(run.pk)
        CodeSuggestionRun.objects.filter(pk=run.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return run


def run_code_suggestions(run_id: int) -> str:
    """The worker's side: rank code groups for the requester's uncoded units and store the
    ranking (ids and confidences) on the run."""
    claimed = CodeSuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, fraction=0.05
    )
    if not claimed:
        return "skipped"
    run = CodeSuggestionRun.objects.select_related("transcript").get(pk=run_id)
    try:

        def progress(fraction: float) -> None:
            CodeSuggestionRun.objects.filter(pk=run_id).update(fraction=max(0.05, fraction))

        ranked, model, used = _suggest_raw(run.requested_by_id, run.transcript, progress)
    except (ValueError, RuntimeError, OSError) as exc:
        CodeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(exc)[:500], finished=timezone.now()
        )
        return RunStatus.FAILED
    result = {
        "ranked": {
            key: {
                "ranking": [[int(g), float(conf)] for g, conf in offer["ranking"]],
                "confident": bool(offer["confident"]),
                "reason": offer["reason"],
                "advice": offer["advice"],
                "why": offer.get("why", {}),
            }
            for key, offer in ranked.items()
        },
        "model": model,
        "settings": used,
    }
    CodeSuggestionRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE, fraction=1.0, result_json=result, finished=timezone.now()
    )
    return RunStatus.DONE


def code_suggestion_result(
    run: CodeSuggestionRun,
) -> tuple[dict[int, dict[str, Any]], str, dict[str, Any]]:
    """A finished run's suggestions as `suggestions_for` gives them, for the units still
    uncoded and the code groups still there."""
    stored = run.result_json or {}
    open_units = set(
        run.transcript.units.in_analysis()
        .filter(coder_id=run.requested_by_id, coding__isnull=True)
        .values_list("pk", flat=True)
    )
    ranked = {
        key: offer for key, offer in (stored.get("ranked") or {}).items() if int(key) in open_units
    }
    return (
        _with_groups(ranked, run.transcript.analysis_id),
        str(stored.get("model", "")),
        dict(stored.get("settings") or {}),
    )


@transaction.atomic
def do_decide_suggestion(
    actor: User,
    unit: MeaningUnit,
    group: CodeGroup,
    *,
    accept: bool,
    rank: int,
    confidence: float,
    model: str,
    settings: dict[str, Any],
) -> SuggestionDecision:
    """Record a person's decision on a suggested code group; an accepted one codes the unit.

    ``settings`` are those the suggestion was made with (`suggestions_for`), stored with the
    decision and the coding as which model and settings suggested it.
    """
    _own_unit(actor, unit)
    _check_group(unit, group)
    if not 1 <= rank <= 3 or not 0.0 <= confidence <= 1.0 or not model:
        raise ActionRefused(_("This suggestion is not one that was offered."))
    used = dict(settings)
    decision = SuggestionDecision.objects.create(
        unit=unit,
        code_group=group,
        accepted=accept,
        rank=rank,
        confidence=confidence,
        model=model[:200],
        model_settings=used,
        decided_by=actor,
    )
    if accept:
        before = Coding.objects.filter(unit=unit).first()
        log_sort(actor, unit, before, group)
        set_coding(
            actor,
            unit,
            group,
            origin=CodingOrigin.SUGGESTION,
            model=model[:200],
            model_settings=used,
            confidence=confidence,
        )
    record(
        actor,
        AuditAction.WORKBENCH_SUGGESTION_DECIDE,
        unit,
        analysis=group.analysis_id,
        code_group=group.pk,
        accepted=accept,
        model=model[:200],
        rank=rank,
    )
    return decision
