"""Blind double coding: comparing coders in kept rounds, settling their differences.

A round is opened by "Compare": the agreement of the units in analysis then is computed once
and kept (`CodingRound.figures`), with every difference the library reports. The coders
settle each difference (group and boundary); closing the round replaces every passage
several coders coded by one agreed unit and retires the coders' originals (kept for the
audit trail, out of steps 3-4). A later "Compare" opens the next round on the units then.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import adapters
from kollega.workbench.actions.coding import set_coding
from kollega.workbench.models import (
    AlsoCoded,
    AnalysisTranscript,
    CodeGroup,
    CodingComparison,
    CodingRound,
    MeaningUnit,
    RoundDifference,
)

UNION = "union"


def comparing(version: AnalysisTranscript) -> bool:
    return version.comparisons.exists()


def open_round(version: AnalysisTranscript) -> CodingRound | None:
    return version.rounds.filter(closed_at__isnull=True).first()


def rounds_of(version: AnalysisTranscript) -> list[CodingRound]:
    """Every round of this interview in the analysis, across its transcript versions."""
    return list(
        CodingRound.objects.filter(
            transcript__analysis_id=version.analysis_id,
            transcript__interview_id=version.interview_id,
        ).order_by("number")
    )


def _rows(units: list[MeaningUnit]) -> list[tuple[str, MeaningUnit]]:
    """(coder, unit) for every unit in analysis: an agreed unit counts for each coder who
    agreed on it, so that a later round compares the coders' new work against it."""
    out: list[tuple[str, MeaningUnit]] = []
    for u in units:
        coders = u.agreed_in.coders if u.agreed_in is not None else [u.coder_id]
        out += [(str(c), u) for c in coders]
    return out


def agreement_for(version: AnalysisTranscript) -> dict[str, Any]:
    """Cohen's kappa and Krippendorff's alpha overall and per code group over the units in
    analysis now, and every difference with each coder's units (``units``: coder → pks)."""
    units = list(version.units.in_analysis().select_related("coding", "agreed_in").order_by("pk"))
    rows = _rows(units)
    report = adapters.agreement(
        [
            (
                coder,
                str(version.pk),
                u.start,
                u.end,
                version.text[u.start : u.end],
                str(u.coding.code_group_id) if hasattr(u, "coding") else None,
            )
            for coder, u in rows
        ],
        # The whole text, so that text nobody coded after the last unit counts as agreed.
        texts={str(version.pk): version.text},
    )
    by_place: dict[tuple[str, int, int], list[int]] = {}
    for coder, u in rows:
        by_place.setdefault((coder, u.start, u.end), []).append(u.pk)
    for d in report["differences"]:
        d["units"] = {
            coder: sorted({pk for s, e in spans for pk in by_place.get((coder, s, e), [])})
            for coder, spans in d["spans"].items()
        }
    report["unit_ids"] = [u.pk for u in units]
    return report


def _number(value: Any) -> float | None:
    """JSON keeps no NaN (PostgreSQL refuses it): an undefined figure is None."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("kappa", "alpha", "percent", "cu_alpha", "text_percent")
    return {
        **{k: _number(report.get(k)) for k in keys},
        "level": report["level"],
        "per_group": {
            g: {k: _number(stats.get(k)) for k in keys if k in stats}
            for g, stats in report["per_group"].items()
        },
    }


@transaction.atomic
def do_request_comparison(actor: User, version: AnalysisTranscript) -> CodingRound:
    """Open a round on the units in analysis (or return the round already open)."""
    # Two coders pressing "Compare" at once: the second waits here and finds the first's round.
    AnalysisTranscript.objects.select_for_update().filter(pk=version.pk).first()
    found = open_round(version)
    if found is not None:
        return found
    report = agreement_for(version)
    coders = sorted({int(c) for c in report["coders"]})
    if len(coders) < 2:
        raise ActionRefused(_("Two coders must have marked units before they can compare."))
    if not comparing(version):
        CodingComparison.objects.create(transcript=version, requested_by=actor)
    # A round left open on an older version of this transcript cannot be settled any more
    # (its offsets point into the old text): it ends as it was, with nothing merged.
    stale = (
        CodingRound.objects.filter(
            transcript__analysis_id=version.analysis_id,
            transcript__interview_id=version.interview_id,
            closed_at__isnull=True,
        )
        .exclude(transcript=version)
        .update(closed_by=actor, closed_at=timezone.now())
    )
    number = len(rounds_of(version)) + 1
    round_ = CodingRound.objects.create(
        transcript=version,
        number=number,
        opened_by=actor,
        coders=coders,
        unit_ids=report["unit_ids"],
        figures=_figures(report),
    )
    RoundDifference.objects.bulk_create(
        RoundDifference(
            round=round_,
            position=n,
            kind=d["kind"],
            start=d["start"],
            end=d["end"],
            codes={c: (int(g) if g else None) for c, g in d["codes"].items()},
            spans=d["spans"],
            units=d["units"],
        )
        for n, d in enumerate(report["differences"], start=1)
    )
    record(
        actor,
        AuditAction.WORKBENCH_CODING_COMPARE,
        round_,
        analysis=version.analysis_id,
        round=number,
        coders=len(coders),
        differences=len(report["differences"]),
        ended_stale=stale,
    )
    return round_


def boundary_of(difference: RoundDifference, choice: str) -> tuple[int, int]:
    """The agreed span for ``choice``: a coder's pk (from their first unit's start to their
    last unit's end in the passage) or "union" (the whole passage). Raises ActionRefused."""
    if choice == UNION:
        return difference.start, difference.end
    spans = difference.spans.get(choice) or []
    if not spans:
        raise ActionRefused(_("Choose the boundary of a coder who coded this passage."))
    return min(s for s, _e in spans), max(e for _s, e in spans)


@transaction.atomic
def do_settle_difference(
    actor: User,
    difference: RoundDifference,
    *,
    group: CodeGroup | None,
    boundary: str,
) -> RoundDifference:
    """Record how the coders settled one difference: ``group`` (None: not a meaning unit)
    and ``boundary`` (see `boundary_of`). A round with every difference settled closes."""
    round_ = CodingRound.objects.select_for_update().get(pk=difference.round_id)
    if not round_.is_open:
        raise ActionRefused(_("This round is closed: compare again to open a new one."))
    _refuse_if_edited(round_)
    if group is not None and (
        group.analysis_id != round_.transcript.analysis_id or not group.codable
    ):
        raise ActionRefused(_("Choose the code group you agreed on."))
    start, end = boundary_of(difference, boundary)
    difference.settled_group = group
    difference.dropped = group is None
    difference.settled_start, difference.settled_end = start, end
    difference.boundary = boundary
    difference.settled_by = actor
    difference.settled_at = timezone.now()
    difference.save()
    record(
        actor,
        AuditAction.WORKBENCH_CODING_SETTLE,
        difference,
        analysis=round_.transcript.analysis_id,
        round=round_.number,
        code_group=group.pk if group else None,
        boundary=boundary,
    )
    if not round_.differences.filter(settled_at__isnull=True).exists():
        _close(actor, round_)
    return difference


@transaction.atomic
def do_close_round(actor: User, round_: CodingRound) -> CodingRound:
    """Close an open round. Refused while a passage several coders coded is not settled;
    a passage only one coder coded and nobody settled stays that coder's unit."""
    round_ = CodingRound.objects.select_for_update().get(pk=round_.pk)
    if not round_.is_open:
        raise ActionRefused(_("This round is closed already."))
    _refuse_if_edited(round_)
    waiting = [d for d in round_.differences.filter(settled_at__isnull=True) if d.several_coded]
    if waiting:
        raise ActionRefused(
            _("Settle every passage that several coders coded first: %(n)d left.")
            % {"n": len(waiting)}
        )
    _close(actor, round_)
    return round_


def _refuse_if_edited(round_: CodingRound) -> None:
    if not round_.transcript.current:
        raise ActionRefused(
            _("The transcript was edited after this round opened: compare again to open a new one.")
        )


def _close(actor: User, round_: CodingRound) -> None:
    """One agreed unit per passage several coders coded (settled or agreed from the start);
    the originals are retired, and their places in subgroups and condensates pass on."""
    version = round_.transcript
    live = {
        u.pk: u
        for u in version.units.in_analysis()
        .filter(pk__in=round_.unit_ids)
        .select_related("coding", "agreed_in")
    }
    handled: set[int] = set()
    agreed = 0
    for d in round_.differences.all():
        pks = {pk for ids in d.units.values() for pk in ids}
        if not d.settled:
            handled |= pks
            continue
        originals = [live[pk] for pk in sorted(pks) if pk in live]
        handled |= pks
        if d.settled_group is None or d.dropped:
            _retire(round_, originals, None)
            continue
        assert d.settled_start is not None and d.settled_end is not None  # noqa: S101 - settled
        _retire(
            round_,
            originals,
            _agreed(actor, round_, d.settled_start, d.settled_end, d.settled_group),
        )
        agreed += 1
    # Passages the coders agreed on from the start: one unit per code group, their union.
    rest = sorted(
        (u for pk, u in live.items() if pk not in handled and hasattr(u, "coding")),
        key=lambda u: (u.start, u.end, u.pk),
    )
    passages: list[list[MeaningUnit]] = []
    for u in rest:
        if passages and u.start < max(x.end for x in passages[-1]):
            passages[-1].append(u)
        else:
            passages.append([u])
    for members in passages:
        if len(members) < 2:
            continue
        groups: dict[int, list[MeaningUnit]] = {}
        for u in members:
            groups.setdefault(u.coding.code_group_id, []).append(u)
        for group_pk, same in groups.items():
            if len(same) < 2:
                continue
            group = CodeGroup.objects.get(pk=group_pk)
            unit = _agreed(
                actor, round_, min(u.start for u in same), max(u.end for u in same), group
            )
            _retire(round_, same, unit)
            agreed += 1
    round_.closed_by = actor
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_by", "closed_at"])
    record(
        actor,
        AuditAction.WORKBENCH_CODING_ROUND_CLOSE,
        round_,
        analysis=version.analysis_id,
        round=round_.number,
        agreed_units=agreed,
    )


def _agreed(
    actor: User, round_: CodingRound, start: int, end: int, group: CodeGroup
) -> MeaningUnit:
    unit = MeaningUnit.objects.create(
        transcript=round_.transcript, start=start, end=end, coder=actor, agreed_in=round_
    )
    set_coding(actor, unit, group)
    return unit


def _retire(round_: CodingRound, originals: list[MeaningUnit], agreed: MeaningUnit | None) -> None:
    groups: set[int] = set()
    if agreed is not None:
        # The agreed unit is in the settled (first) group, and also in every further group
        # one of the originals was in, so no step-3 work on the passage is lost.
        first = agreed.coding.code_group_id
        further = set(
            AlsoCoded.objects.filter(unit__in=originals).values_list("code_group_id", flat=True)
        ) - {first}
        AlsoCoded.objects.bulk_create(
            AlsoCoded(unit=agreed, code_group_id=g, coder=agreed.coder) for g in sorted(further)
        )
        groups = {first, *further}
    for unit in originals:
        if agreed is not None:
            for subgroup in unit.subgroups.filter(code_group_id__in=groups):
                subgroup.units.add(agreed)
            for condensate in unit.condensates.filter(subgroup__code_group_id__in=groups):
                condensate.units.add(agreed)
        unit.subgroups.clear()
        unit.condensates.clear()
    MeaningUnit.objects.filter(pk__in=[u.pk for u in originals]).update(retired_in=round_)
