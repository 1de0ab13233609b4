"""Every change to an analysis: one transaction and one audit event each.

Audit details hold identifiers, counts and codes only — never transcript or researcher text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.research.models import TURN_SEPARATOR, Interview, Study
from kollega.research.models import Transcript as ResearchTranscript
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    Coding,
    CodingComparison,
    CodingOrigin,
    GoldenQuote,
    MeaningUnit,
    RunStatus,
    SuggestionDecision,
    Theme,
    ThemeState,
    ThemeSuggestionRun,
)

MAX_UNITS_PER_SUGGESTION = 50


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


# --- Analyses and their transcripts --------------------------------------------------------


@transaction.atomic
def do_create_analysis(actor: Any, study: Study, *, name: str) -> Analysis:
    analysis = Analysis.objects.create(study=study, name=name, created_by=actor)
    record(actor, "workbench.analysis.create", analysis, study=study.pk)
    return analysis


def _snapshot(source: ResearchTranscript) -> tuple[str, str]:
    """The transcript's text and its turns as offsets into that text (JSON)."""
    turns, pos = [], 0
    for i, turn in enumerate(source.turns):
        if i:
            pos += len(TURN_SEPARATOR)
        end = pos + len(turn["text"])
        turns.append({"speaker": turn["speaker"], "start": pos, "end": end})
        pos = end
    return source.text, json.dumps(turns)


@transaction.atomic
def do_add_transcript(actor: Any, analysis: Analysis, interview: Interview) -> AnalysisTranscript:
    """Add the interview's de-identified transcript, as version 1 of it in the analysis."""
    if interview.participant.study_id != analysis.study_id:
        raise ActionRefused(_("This interview belongs to another study."))
    source = ResearchTranscript.objects.filter(interview=interview).first()
    if source is None or source.deidentified is None:
        raise ActionRefused(_("Only de-identified transcripts can be added to an analysis."))
    if analysis.transcripts.filter(interview=interview).exists():
        raise ActionRefused(_("This transcript is already in the analysis."))
    text, turns = _snapshot(source)
    added = AnalysisTranscript.objects.create(
        analysis=analysis,
        interview=interview,
        number=1,
        source_version=source.version,
        text=text,
        turns_json=turns,
    )
    record(actor, "workbench.transcript.add", added, analysis=analysis.pk, interview=interview.pk)
    return added


@transaction.atomic
def follow_transcript_edit(source: ResearchTranscript) -> list[AnalysisTranscript]:
    """Give every analysis holding ``source`` a new version of it after an edit.

    Units and golden quotes whose words stand unchanged at the same offsets move to the new
    version; every other one stays on the old version, listed for the researcher to fix
    (nothing is moved to new offsets silently). A transcript that is no longer
    de-identified (a new import) is not copied. Returns the new versions.
    """
    if source.deidentified is None:
        return []
    created = []
    text, turns = _snapshot(source)
    for old in AnalysisTranscript.objects.select_for_update().filter(
        interview_id=source.interview_id, current=True
    ):
        if old.source_version == source.version:
            continue
        if old.text == text:
            AnalysisTranscript.objects.filter(pk=old.pk).update(
                source_version=source.version, turns_json=turns
            )
            continue
        AnalysisTranscript.objects.filter(pk=old.pk).update(current=False)
        new = AnalysisTranscript.objects.create(
            analysis_id=old.analysis_id,
            interview_id=old.interview_id,
            number=old.number + 1,
            source_version=source.version,
            text=text,
            turns_json=turns,
        )

        same = _unchanged(old.units.all(), old.text, text)
        moved = old.units.filter(pk__in=same).update(transcript=new)
        old.quotes.filter(pk__in=_unchanged(old.quotes.all(), old.text, text)).update(
            transcript=new
        )
        broken = old.units.count()
        if not broken and not old.quotes.exists():
            old.delete()
        record(
            "system",
            "workbench.transcript.version",
            new,
            analysis=new.analysis_id,
            interview=new.interview_id,
            units_kept=moved,
            units_to_fix=broken,
        )
        created.append(new)
    return created


def _unchanged(
    rows: Iterable[MeaningUnit] | Iterable[GoldenQuote], old_text: str, new_text: str
) -> list[int]:
    """The rows whose words stand at the same offsets in both texts."""
    return [r.pk for r in rows if new_text[r.start : r.end] == old_text[r.start : r.end]]


def broken_units(analysis: Analysis) -> Any:
    """Units left on an older version of their transcript by an edit: the researcher fixes
    each by placing it again or deleting it."""
    return (
        MeaningUnit.objects.filter(transcript__analysis=analysis, transcript__current=False)
        .select_related("transcript", "coding__code_group")
        .order_by("transcript__interview_id", "start")
    )


def proposed_place(unit: MeaningUnit) -> tuple[int, int] | None:
    """Where the unit's words stand in the current version, if they occur there exactly once."""
    current = AnalysisTranscript.objects.get(
        analysis_id=unit.transcript.analysis_id,
        interview_id=unit.transcript.interview_id,
        current=True,
    )
    words = unit.text
    first = current.text.find(words)
    if first < 0 or current.text.find(words, first + 1) >= 0:
        return None
    return first, first + len(words)


@transaction.atomic
def do_place_unit(actor: Any, unit: MeaningUnit, *, start: int, end: int) -> MeaningUnit:
    """Move a unit left behind by an edit onto the current version, at offsets a person chose."""
    if unit.transcript.current:
        raise ActionRefused(_("This unit needs no fixing."))
    current = AnalysisTranscript.objects.get(
        analysis_id=unit.transcript.analysis_id,
        interview_id=unit.transcript.interview_id,
        current=True,
    )
    start, end = _trimmed(current, start, end)
    old = unit.transcript
    unit.transcript, unit.start, unit.end = current, start, end
    unit.save(update_fields=["transcript", "start", "end"])
    _drop_if_unused(old)
    record(actor, "workbench.unit.place", unit, analysis=current.analysis_id)
    return unit


def _drop_if_unused(version: AnalysisTranscript) -> None:
    if not version.current and not version.units.exists() and not version.quotes.exists():
        version.delete()


# --- Step 1: total impression --------------------------------------------------------------


def themes_visible_to(user: Any, analysis: Analysis) -> Any:
    """A researcher's own themes and everyone's shared ones; rejected suggestions hidden."""
    return (
        analysis.themes.filter(Q(owner=user) | Q(shared=True))
        .exclude(state=ThemeState.REJECTED)
        .select_related("owner")
    )


@transaction.atomic
def do_add_theme(actor: Any, analysis: Analysis, *, label: str, description: str = "") -> Theme:
    if not label.strip():
        raise ActionRefused(_("A theme needs a few words."))
    theme = Theme.objects.create(
        analysis=analysis, owner=actor, label=label.strip(), description=description.strip()
    )
    record(actor, "workbench.theme.add", theme, analysis=analysis.pk)
    return theme


def _own_theme(actor: Any, theme: Theme) -> None:
    if theme.owner_id != actor.pk:
        raise ActionRefused(_("Only the researcher who noted a theme can change it."))


@transaction.atomic
def do_edit_theme(
    actor: Any, theme: Theme, *, label: str, description: str, version: int | None
) -> Theme:
    _own_theme(actor, theme)
    if not label.strip():
        raise ActionRefused(_("A theme needs a few words."))
    save_versioned(theme, version, {"label": label.strip(), "description": description.strip()})
    record(actor, "workbench.theme.edit", theme, analysis=theme.analysis_id)
    return theme


@transaction.atomic
def do_delete_theme(actor: Any, theme: Theme) -> None:
    _own_theme(actor, theme)
    pk, analysis = theme.pk, theme.analysis_id
    theme.delete()
    record(
        actor,
        "workbench.theme.delete",
        None,
        object_type="workbench.theme",
        object_id=pk,
        analysis=analysis,
    )


@transaction.atomic
def do_share_themes(actor: Any, analysis: Analysis) -> int:
    """Share the researcher's own and accepted themes with the others on the study."""
    count = (
        analysis.themes.filter(owner=actor, shared=False)
        .filter(state__in=[ThemeState.OWN, ThemeState.ACCEPTED])
        .update(shared=True)
    )
    record(actor, "workbench.theme.share", analysis, shared=count)
    return count


@transaction.atomic
def do_request_theme_suggestions(actor: Any, analysis: Analysis) -> ThemeSuggestionRun:
    from kollega.workbench.tasks import suggest_themes_task

    if not analysis.transcripts.filter(current=True).exists():
        raise ActionRefused(_("Add a de-identified transcript first."))
    if any(run.active for run in analysis.theme_runs.all()[:1]):
        raise ActionRefused(_("Themes are already being suggested."))
    run = ThemeSuggestionRun.objects.create(analysis=analysis, requested_by=actor)
    record(actor, "workbench.theme.suggest", run, analysis=analysis.pk)

    def enqueue() -> None:
        result = suggest_themes_task.enqueue(run.pk)
        ThemeSuggestionRun.objects.filter(pk=run.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return run


def run_theme_suggestions(run_id: int) -> str:
    """The worker's side: suggest themes and store them as the requester's suggestions."""
    from kollega.workbench import adapters

    claimed = ThemeSuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, fraction=0.05
    )
    if not claimed:
        return "skipped"
    run = ThemeSuggestionRun.objects.select_related("analysis").get(pk=run_id)
    versions = {str(t.pk): t for t in run.analysis.transcripts.filter(current=True)}
    try:
        candidates, model, used = adapters.suggest_themes(
            {key: (t.text, t.turns) for key, t in versions.items()}
        )
    except (ValueError, RuntimeError, OSError) as exc:
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(exc)[:500], finished=timezone.now()
        )
        return RunStatus.FAILED
    if run.requested_by_id is None:  # the researcher's account is gone: nobody to decide
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished=timezone.now()
        )
        return RunStatus.FAILED
    ThemeSuggestionRun.objects.filter(pk=run_id).update(fraction=0.9)
    with transaction.atomic():
        for c in candidates:
            Theme.objects.create(
                analysis=run.analysis,
                owner_id=run.requested_by_id,
                label=c["label"],
                description=", ".join(c["keywords"]),
                state=ThemeState.SUGGESTED,
                model=model,
                model_settings=used,
                typical_json=[
                    {"transcript": int(key), "start": s, "end": e} for key, s, e in c["typical"]
                ],
            )
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.DONE, fraction=1.0, finished=timezone.now()
        )
    return RunStatus.DONE


@transaction.atomic
def do_decide_theme(actor: Any, theme: Theme, *, accept: bool) -> Theme:
    _own_theme(actor, theme)
    if theme.state != ThemeState.SUGGESTED:
        raise ActionRefused(_("This suggestion has already been decided."))
    theme.state = ThemeState.ACCEPTED if accept else ThemeState.REJECTED
    theme.decided_by, theme.decided_at = actor, timezone.now()
    theme.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        actor,
        "workbench.theme.decide",
        theme,
        analysis=theme.analysis_id,
        accepted=accept,
        model=theme.model,
    )
    return theme


# --- Step 2: code groups, meaning units, coding --------------------------------------------


@transaction.atomic
def do_add_code_group(
    actor: Any,
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
    )
    record(actor, "workbench.code_group.add", group, analysis=analysis.pk)
    return group


@transaction.atomic
def do_edit_code_group(
    actor: Any,
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
    record(actor, "workbench.code_group.edit", group, analysis=group.analysis_id)
    return group


def _trimmed(version: AnalysisTranscript, start: int, end: int) -> tuple[int, int]:
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


@transaction.atomic
def do_create_unit(
    actor: Any,
    version: AnalysisTranscript,
    *,
    start: int,
    end: int,
    code_group: CodeGroup | None = None,
) -> MeaningUnit:
    """Mark ``version.text[start:end]`` (trimmed) as the actor's meaning unit."""
    if not version.current:
        raise ActionRefused(_("This transcript has a newer version; code that one."))
    start, end = _trimmed(version, start, end)
    if MeaningUnit.objects.filter(transcript=version, coder=actor, start=start, end=end).exists():
        raise ActionRefused(_("You have already marked exactly these words."))
    unit = MeaningUnit.objects.create(transcript=version, start=start, end=end, coder=actor)
    if code_group is not None:
        _code(actor, unit, code_group)
    record(
        actor,
        "workbench.unit.create",
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


def _code(actor: Any, unit: MeaningUnit, group: CodeGroup, **origin: Any) -> Coding:
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
    unit.coding = coding
    return coding


def _own_unit(actor: Any, unit: MeaningUnit) -> None:
    if unit.coder_id != actor.pk:
        raise ActionRefused(_("Only the coder who marked a unit can sort it."))


@transaction.atomic
def do_code_unit(actor: Any, unit: MeaningUnit, group: CodeGroup) -> Coding:
    _own_unit(actor, unit)
    coding = _code(actor, unit, group)
    record(actor, "workbench.unit.code", unit, analysis=group.analysis_id, code_group=group.pk)
    return coding


@transaction.atomic
def do_uncode_unit(actor: Any, unit: MeaningUnit) -> None:
    _own_unit(actor, unit)
    Coding.objects.filter(unit=unit).delete()
    record(actor, "workbench.unit.uncode", unit, analysis=unit.transcript.analysis_id)


@transaction.atomic
def do_delete_unit(actor: Any, unit: MeaningUnit) -> None:
    _own_unit(actor, unit)
    pk, version = unit.pk, unit.transcript
    unit.delete()
    _drop_if_unused(version)
    record(
        actor,
        "workbench.unit.delete",
        None,
        object_type="workbench.meaningunit",
        object_id=pk,
        analysis=version.analysis_id,
    )


def suggestions_for(
    actor: Any, version: AnalysisTranscript
) -> tuple[dict[int, dict[str, Any]], str, dict[str, Any]]:
    """The actor's uncoded units in ``version`` → top three code groups with confidence.

    Examples are the actor's own coded units in the whole analysis (a blind coder learns
    only from themself). Each unit gets ``{"ranking": [(CodeGroup, confidence)],
    "confident", "reason", "advice"}``: ``confident`` is False where the suggester abstains
    (its best is under the threshold calibrated on these examples), and ``advice`` then says
    what would help. Returns those, the model id and the settings used (threshold
    included); empty without examples.
    """
    from kollega.workbench import adapters

    groups = {
        str(g.pk): g
        for g in CodeGroup.objects.filter(analysis_id=version.analysis_id, codable=True)
    }
    uncoded = list(
        version.units.filter(coder=actor, coding__isnull=True)[:MAX_UNITS_PER_SUGGESTION]
    )
    coded = list(
        Coding.objects.filter(
            unit__coder=actor, unit__transcript__analysis_id=version.analysis_id
        ).values_list("unit__transcript_id", "unit__start", "unit__end", "code_group_id")
    )
    # Each transcript's text is decrypted once, not once per coded unit.
    texts = {
        t.pk: t.text for t in AnalysisTranscript.objects.filter(pk__in={row[0] for row in coded})
    }
    examples = [(texts[t][start:end], str(group)) for t, start, end, group in coded]
    text = version.text
    ranked, model, used = adapters.suggest_codes(
        {str(u.pk): text[u.start : u.end] for u in uncoded},
        examples,
        groups={key: (g.name, g.description) for key, g in groups.items()},
    )
    return (
        {
            int(key): {
                **found,
                "ranking": [(groups[g], conf) for g, conf in found["ranking"] if g in groups],
            }
            for key, found in ranked.items()
        },
        model,
        used,
    )


@transaction.atomic
def do_decide_suggestion(
    actor: Any,
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
        _code(
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
        "workbench.suggestion.decide",
        unit,
        analysis=group.analysis_id,
        code_group=group.pk,
        accepted=accept,
        model=model[:200],
        rank=rank,
    )
    return decision


# --- Blind double coding -------------------------------------------------------------------


def comparing(version: AnalysisTranscript) -> bool:
    return version.comparisons.exists()


@transaction.atomic
def do_request_comparison(actor: Any, version: AnalysisTranscript) -> CodingComparison:
    found = version.comparisons.first()
    if found is not None:
        return found
    coders = set(version.units.values_list("coder", flat=True))
    if len(coders) < 2:
        raise ActionRefused(_("Two coders must have marked units before they can compare."))
    comparison = CodingComparison.objects.create(transcript=version, requested_by=actor)
    record(
        actor,
        "workbench.coding.compare",
        comparison,
        analysis=version.analysis_id,
        coders=len(coders),
    )
    return comparison


def agreement_for(version: AnalysisTranscript) -> dict[str, Any]:
    """Cohen's kappa and Krippendorff's alpha overall and per code group, and each disagreement with every coder's unit."""
    from kollega.workbench import adapters

    units = list(version.units.select_related("coding", "coder"))
    rows = [
        (
            str(u.coder_id),
            str(version.pk),
            u.start,
            u.end,
            version.text[u.start : u.end],
            str(u.coding.code_group_id) if hasattr(u, "coding") else None,
        )
        for u in units
    ]
    # The whole text, so that text nobody coded after the last unit counts as agreed "not coded".
    report = adapters.agreement(rows, texts={str(version.pk): version.text})
    by_coder: dict[str, list[MeaningUnit]] = {}
    for u in units:
        by_coder.setdefault(str(u.coder_id), []).append(u)
    for d in report["disagreements"]:
        d["units"] = {
            coder: _best_overlap(by_coder.get(coder, []), d["start"], d["end"])
            for coder in d["codes"]
        }
        d["text"] = version.text[d["start"] : d["end"]]
    return report


def _best_overlap(units: list[MeaningUnit], start: int, end: int) -> MeaningUnit | None:
    best, best_len = None, 0
    for u in units:
        overlap = min(u.end, end) - max(u.start, start)
        if overlap > best_len:
            best, best_len = u, overlap
    return best


@transaction.atomic
def do_settle_disagreement(actor: Any, units: Iterable[MeaningUnit], group: CodeGroup) -> int:
    """Sort every coder's unit of one disagreement into the group the coders agreed on."""
    units = list(units)
    if len(units) < 2 or len({u.transcript_id for u in units}) != 1:
        raise ActionRefused(_("Choose the units of one disagreement."))
    if not comparing(units[0].transcript):
        raise ActionRefused(_("Compare the coding first."))
    for unit in units:
        _code(actor, unit, group)
    record(
        actor,
        "workbench.coding.settle",
        units[0].transcript,
        analysis=group.analysis_id,
        code_group=group.pk,
        units=[u.pk for u in units],
    )
    return len(units)
