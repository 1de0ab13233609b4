"""Blind double coding: comparing coders and settling their differences."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import adapters
from kollega.workbench.actions.coding import set_coding
from kollega.workbench.models import (
    AnalysisTranscript,
    CodeGroup,
    CodingComparison,
    MeaningUnit,
)


def comparing(version: AnalysisTranscript) -> bool:
    return version.comparisons.exists()


@transaction.atomic
def do_request_comparison(actor: User, version: AnalysisTranscript) -> CodingComparison:
    found = version.comparisons.first()
    if found is not None:
        return found
    coders = set(version.units.values_list("coder", flat=True))
    if len(coders) < 2:
        raise ActionRefused(_("Two coders must have marked units before they can compare."))
    comparison = CodingComparison.objects.create(transcript=version, requested_by=actor)
    record(
        actor,
        AuditAction.WORKBENCH_CODING_COMPARE,
        comparison,
        analysis=version.analysis_id,
        coders=len(coders),
    )
    return comparison


def agreement_for(version: AnalysisTranscript) -> dict[str, Any]:
    """Cohen's kappa and Krippendorff's alpha overall and per code group, and each disagreement with every coder's unit."""

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
def do_settle_disagreement(actor: User, units: Iterable[MeaningUnit], group: CodeGroup) -> int:
    """Sort every coder's unit of one disagreement into the group the coders agreed on."""
    units = list(units)
    if len(units) < 2 or len({u.transcript_id for u in units}) != 1:
        raise ActionRefused(_("Choose the units of one disagreement."))
    if not comparing(units[0].transcript):
        raise ActionRefused(_("Compare the coding first."))
    for unit in units:
        set_coding(actor, unit, group)
    record(
        actor,
        AuditAction.WORKBENCH_CODING_SETTLE,
        units[0].transcript,
        analysis=group.analysis_id,
        code_group=group.pk,
        units=[u.pk for u in units],
    )
    return len(units)
