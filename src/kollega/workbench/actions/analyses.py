"""Analyses and their transcripts: creating, adding versions, following edits."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.models import TURN_SEPARATOR, Interview, Study
from kollega.research.models import Transcript as ResearchTranscript
from kollega.workbench.actions.common import (
    drop_if_unused,
    trimmed_span,
)
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    GoldenQuote,
    MeaningUnit,
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
            AuditAction.WORKBENCH_TRANSCRIPT_VERSION,
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
def do_place_unit(actor: User, unit: MeaningUnit, *, start: int, end: int) -> MeaningUnit:
    """Move a unit left behind by an edit onto the current version, at offsets a person chose."""
    if unit.transcript.current:
        raise ActionRefused(_("This unit needs no fixing."))
    current = AnalysisTranscript.objects.get(
        analysis_id=unit.transcript.analysis_id,
        interview_id=unit.transcript.interview_id,
        current=True,
    )
    start, end = trimmed_span(current, start, end)
    old = unit.transcript
    unit.transcript, unit.start, unit.end = current, start, end
    unit.save(update_fields=["transcript", "start", "end"])
    drop_if_unused(old)
    record(actor, AuditAction.WORKBENCH_UNIT_PLACE, unit, analysis=current.analysis_id)
    return unit
