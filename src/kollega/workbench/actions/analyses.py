"""Analyses and their transcripts: creating, adding versions, following edits."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.models import TURN_SEPARATOR, Interview, Study
from kollega.research.models import Transcript as ResearchTranscript
from kollega.workbench import adapters
from kollega.workbench.actions.common import (
    drop_if_unused,
    trimmed_span,
)
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    GoldenQuote,
    MeaningUnit,
    Theme,
)


@transaction.atomic
def do_create_analysis(actor: User, study: Study, *, name: str) -> Analysis:
    analysis = Analysis.objects.create(study=study, name=name, created_by=actor)
    record(actor, AuditAction.WORKBENCH_ANALYSIS_CREATE, analysis, study=study.pk)
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
def do_add_transcript(actor: User, analysis: Analysis, interview: Interview) -> AnalysisTranscript:
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
    record(
        actor,
        AuditAction.WORKBENCH_TRANSCRIPT_ADD,
        added,
        analysis=analysis.pk,
        interview=interview.pk,
    )
    return added


@transaction.atomic
def follow_transcript_edit(source: ResearchTranscript) -> list[AnalysisTranscript]:
    """Give every analysis holding ``source`` a new version of it after an edit.

    Every stored offset is carried through the edit (a diff of the old and new text): units,
    golden quotes and suggested themes' typical sentences the edit did not touch move to the
    new version with their words; a unit or quote whose own words changed stays on the old
    version, listed for the researcher to fix (see :func:`proposed_place`). Condensates rest
    on units, so they follow them. A transcript that is not de-identified (a new import, or an
    edit still in identifier review) is not copied. Returns the new versions.
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
        edit = adapters.diff_texts(old.text, text)
        moved = _carry(edit, MeaningUnit.objects.filter(transcript=old), new)
        _carry(edit, GoldenQuote.objects.filter(transcript=old), new)
        _carry_typical(edit, old, new)
        broken = old.units.count()
        # A kept round of comparison holds its version: its offsets point into that text.
        if not broken and not old.quotes.exists() and not old.rounds.exists():
            old.delete()
        record(
            "system",
            AuditAction.WORKBENCH_TRANSCRIPT_VERSION,
            new,
            analysis=new.analysis_id,
            interview=new.interview_id,
            units_kept=moved,
            units_to_fix=broken,
        )
        created.append(new)
    return created


def _carry(
    edit: adapters.TextEdit,
    rows: QuerySet[MeaningUnit] | QuerySet[GoldenQuote],
    new: AnalysisTranscript,
) -> int:
    """Move the rows the edit left untouched to ``new``, at their words' new offsets."""
    moved = []
    for row in rows:
        place = edit.span(row.start, row.end)
        if place is not None:
            row.transcript, (row.start, row.end) = new, place
            moved.append(row)
    if moved:
        rows.model.objects.bulk_update(moved, ["transcript", "start", "end"])  # type: ignore[arg-type]
    return len(moved)


def _carry_typical(
    edit: adapters.TextEdit, old: AnalysisTranscript, new: AnalysisTranscript
) -> None:
    """Suggested themes' typical sentences: moved with their words, dropped when changed."""
    for theme in Theme.objects.filter(analysis_id=old.analysis_id).exclude(typical_json=[]):
        kept = []
        for item in theme.typical_json:
            if item.get("transcript") != old.pk:
                kept.append(item)
                continue
            place = edit.span(item["start"], item["end"])
            if place is not None:
                kept.append({**item, "transcript": new.pk, "start": place[0], "end": place[1]})
        if kept != theme.typical_json:
            Theme.objects.filter(pk=theme.pk).update(typical_json=kept)


def broken_units(analysis: Analysis) -> Any:
    """Units left on an older version of their transcript by an edit that changed their own
    words: the researcher fixes each by placing it again or deleting it."""
    return (
        MeaningUnit.objects.in_analysis()
        .filter(transcript__analysis=analysis, transcript__current=False)
        .select_related("transcript", "coding__code_group")
        .order_by("transcript__interview_id", "start")
    )


def broken_quotes(analysis: Analysis) -> Any:
    """Golden quotes left on an older version by an edit that changed their own words."""
    return (
        GoldenQuote.objects.filter(transcript__analysis=analysis, transcript__current=False)
        .select_related("transcript", "subgroup")
        .order_by("transcript__interview_id", "start")
    )


def _current_of(version: AnalysisTranscript) -> AnalysisTranscript:
    return AnalysisTranscript.objects.get(
        analysis_id=version.analysis_id, interview_id=version.interview_id, current=True
    )


def proposed_place(span: MeaningUnit | GoldenQuote) -> tuple[int, int] | None:
    """Where a unit or quote left behind by an edit stands in the current version: its words
    where they occur there exactly once, else where the edit put the words around it (the
    changed words taken in whole). None when nothing of it is left."""
    current = _current_of(span.transcript)
    return _place_in(span, current, adapters.diff_texts(span.transcript.text, current.text))


def _place_in(
    span: MeaningUnit | GoldenQuote, current: AnalysisTranscript, edit: adapters.TextEdit
) -> tuple[int, int] | None:
    words = span.text
    first = current.text.find(words)
    if first >= 0 and current.text.find(words, first + 1) < 0:
        return first, first + len(words)
    start, end = edit.loose_span(span.start, span.end)
    try:
        return trimmed_span(current, start, end)
    except ActionRefused:
        return None


def to_fix(
    analysis: Analysis,
) -> tuple[list[tuple[MeaningUnit, str]], list[tuple[GoldenQuote, str]]]:
    """The units and the golden quotes to fix, each with the words :func:`proposed_place`
    would place it on ("" when none are left): one diff per old version."""
    edits: dict[int, tuple[AnalysisTranscript, adapters.TextEdit]] = {}

    def new_words(span: MeaningUnit | GoldenQuote) -> str:
        old = span.transcript
        if old.pk not in edits:
            current = _current_of(old)
            edits[old.pk] = current, adapters.diff_texts(old.text, current.text)
        current, edit = edits[old.pk]
        place = _place_in(span, current, edit)
        return "" if place is None else str(current.text)[place[0] : place[1]]

    units = [(unit, new_words(unit)) for unit in broken_units(analysis)]
    return units, [(quote, new_words(quote)) for quote in broken_quotes(analysis)]


@transaction.atomic
def do_place_unit(actor: User, unit: MeaningUnit, *, start: int, end: int) -> MeaningUnit:
    """Move a unit left behind by an edit onto the current version, at offsets a person chose."""
    if unit.transcript.current:
        raise ActionRefused(_("This unit needs no fixing."))
    _place(unit, start, end)
    record(actor, AuditAction.WORKBENCH_UNIT_PLACE, unit, analysis=unit.transcript.analysis_id)
    return unit


@transaction.atomic
def do_place_quote(actor: User, quote: GoldenQuote, *, start: int, end: int) -> GoldenQuote:
    """Move a golden quote left behind by an edit onto the current version."""
    if quote.transcript.current:
        raise ActionRefused(_("This quote needs no fixing."))
    _place(quote, start, end)
    record(actor, AuditAction.WORKBENCH_QUOTE_PLACE, quote, analysis=quote.transcript.analysis_id)
    return quote


def _place(span: MeaningUnit | GoldenQuote, start: int, end: int) -> None:
    current = _current_of(span.transcript)
    start, end = trimmed_span(current, start, end)
    old = span.transcript
    span.transcript, span.start, span.end = current, start, end
    span.save(update_fields=["transcript", "start", "end"])
    drop_if_unused(old)
