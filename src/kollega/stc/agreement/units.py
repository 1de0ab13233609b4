"""Agreement at the meaning-unit level, and the report that gathers every figure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import krippendorff
import numpy as np

from kollega.stc.agreement.text import (
    Disagreement,
    Level,
    TextAgreement,
    text_agreement,
    text_disagreements,
)
from kollega.stc.types import MeaningUnit, Span

Missing = None


def cohen_kappa(a: Sequence[str | None], b: Sequence[str | None]) -> float:
    """Cohen's kappa over the positions where both coders gave a value (nan if none).

    kappa = (p_o - p_e) / (1 - p_e); 1.0 when the coders agree and chance agreement is 1.
    """
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return math.nan
    n = len(pairs)
    p_o = sum(x == y for x, y in pairs) / n
    labels = {x for p in pairs for x in p}
    p_e = sum(
        (sum(x == lab for x, _ in pairs) / n) * (sum(y == lab for _, y in pairs) / n)
        for lab in labels
    )
    if p_e == 1.0:
        return 1.0 if p_o == 1.0 else math.nan
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(data: Sequence[Sequence[str | None]]) -> float:
    """Krippendorff's alpha (nominal) for coders-by-items with None for missing values."""
    labels = sorted({v for row in data for v in row if v is not None})
    if not labels:
        return math.nan
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = np.array(
        [[np.nan if v is None else float(index[v]) for v in row] for row in data], dtype=float
    )
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    if not pairable.any():
        return math.nan
    if len(labels) == 1:
        return 1.0
    # Every pairable value in one category leaves alpha undefined: nan, not a warning.
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def percent_agreement(data: Sequence[Sequence[str | None]]) -> float:
    """Share of agreeing pairs among all pairs of coders on items with ≥ 2 values."""
    agree = total = 0
    for item in zip(*data, strict=True):
        vals = [v for v in item if v is not None]
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                total += 1
                agree += vals[i] == vals[j]
    return agree / total if total else math.nan


def _fmt(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.3f}"


@dataclass(slots=True)
class AgreementReport:
    """What `agreement` found.

    ``text`` holds the agreement over the text (the figures to report); ``percent``,
    ``alpha``, ``kappa`` and ``per_group`` are the older figures over meaning units matched
    by span, which leave out every unit only one coder marked. ``disagreements`` lists
    every place in the text where the coders differ (`text_disagreements`);
    ``item_disagreements`` only the matched units both coded into different groups.
    """

    coders: list[str]
    n_items: int
    percent: float
    alpha: float
    kappa: float | None
    per_group: dict[str, dict[str, float]] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    text: TextAgreement | None = None
    tolerance: int = 20
    item_disagreements: list[Disagreement] = field(default_factory=list)

    def to_markdown(self, *, names: dict[str, str] | None = None) -> str:
        names = names or {}
        lines = ["# Coder agreement", "", f"Coders: {', '.join(self.coders)}", ""]
        t = self.text
        if t is not None:
            unit = "characters" if t.level == "char" else "words"
            lines += [
                f"## Over the text ({t.length} {unit})",
                "",
                "| code group | kappa (NVivo) | percent | binary u-alpha (ATLAS.ti alpha-binary) |",
                "|---|---|---|---|",
                f"| all code groups | {_fmt(t.kappa)} | {_fmt(t.percent)} | u-alpha {_fmt(t.u_alpha)}, "
                f"Cu-alpha {_fmt(t.cu_alpha)} |",
            ]
            for g, st in t.per_group.items():
                lines.append(
                    f"| {names.get(g, g)} | {_fmt(st.get('kappa'))} | {_fmt(st.get('percent'))} "
                    f"| {_fmt(st['u_alpha'])} |"
                )
            lines.append("")
        lines += [
            f"## Over matched meaning units ({self.n_items})",
            "",
            "| measure | overall |",
            "|---|---|",
            f"| percent agreement | {_fmt(self.percent)} |",
            f"| Krippendorff's alpha (nominal) | {_fmt(self.alpha)} |",
        ]
        if self.kappa is not None:
            lines.append(f"| Cohen's kappa | {_fmt(self.kappa)} |")
        lines += ["", "| code group | percent | alpha | kappa |", "|---|---|---|---|"]
        for g, st in self.per_group.items():
            lines.append(
                f"| {names.get(g, g)} | {_fmt(st['percent'])} | {_fmt(st['alpha'])} | {_fmt(st.get('kappa'))} |"
            )
        lines += ["", f"## Disagreements ({len(self.disagreements)})", ""]
        for d in self.disagreements:
            codes = "; ".join(
                f"{c}: {names.get(g, g) if g else '(none)'}" for c, g in d.codes.items()
            )
            lines.append(f'- {_KINDS.get(d.kind, d.kind)}: "{d.text[:120]}": {codes}')
        return "\n".join(lines) + "\n"


_KINDS = {
    "only_some": "coded by only some coders",
    "groups": "different code groups",
    "boundaries": "boundaries differ",
}


def _items(
    units: Sequence[MeaningUnit], coders: list[str], match: str, min_overlap: float
) -> list[tuple[Span, str, dict[str, str | None]]]:
    items: list[tuple[Span, str, dict[str, str | None]]] = []
    exact: dict[Span, int] = {}
    # Only items of the same transcript can match: look among those alone.
    by_transcript: dict[str, list[int]] = {}
    for u in sorted(
        units, key=lambda u: (coders.index(u.coder), u.span.transcript_id, u.span.start)
    ):
        idx = exact.get(u.span)
        if idx is None and match == "overlap":
            for i in by_transcript.get(u.span.transcript_id, []):
                s, _, codes = items[i]
                if u.coder in codes:
                    continue
                inter = min(s.end, u.span.end) - max(s.start, u.span.start)
                union = max(s.end, u.span.end) - min(s.start, u.span.start)
                if union > 0 and inter / union >= min_overlap:
                    idx = i
                    break
        if idx is None:
            exact[u.span] = len(items)
            by_transcript.setdefault(u.span.transcript_id, []).append(len(items))
            items.append((u.span, u.text, {u.coder: u.code_group_id}))
        else:
            items[idx][2].setdefault(u.coder, u.code_group_id)
    return items


def agreement(
    units: Sequence[MeaningUnit],
    *,
    coders: Sequence[str] | None = None,
    match: Literal["exact", "overlap"] = "exact",
    min_overlap: float = 0.5,
    texts: Mapping[str, str] | None = None,
    level: Level = "char",
    tolerance: int | None = None,
) -> AgreementReport:
    """Agreement among ``coders`` (default: every coder named in ``units``).

    The text-level figures (`text_agreement`) go to ``report.text`` and every place the
    coders differ (`text_disagreements`, boundaries within ``tolerance`` characters or
    words; default 20 characters or 3 words) to ``report.disagreements``; ``match`` and
    ``min_overlap`` set how units are paired for the older unit-level figures. Pass
    ``texts`` (transcript id → text) so that uncoded text after the last unit counts.
    """
    coder_list = list(coders) if coders is not None else sorted({u.coder for u in units})
    units = [u for u in units if u.coder in coder_list]
    items = _items(units, coder_list, match, min_overlap)
    data: list[list[str | None]] = [
        [codes.get(c, Missing) for _, _, codes in items] for c in coder_list
    ]
    tol = tolerance if tolerance is not None else (20 if level == "char" else 3)
    report = AgreementReport(
        coders=coder_list,
        n_items=len(items),
        percent=percent_agreement(data),
        alpha=krippendorff_alpha(data),
        kappa=cohen_kappa(data[0], data[1]) if len(coder_list) == 2 else None,
        tolerance=tol,
    )
    groups = sorted({v for row in data for v in row if v is not None})
    for g in groups:
        binary = [[None if v is None else str(v == g) for v in row] for row in data]
        stats = {"percent": percent_agreement(binary), "alpha": krippendorff_alpha(binary)}
        if len(coder_list) == 2:
            stats["kappa"] = cohen_kappa(binary[0], binary[1])
        report.per_group[g] = stats
    for span, text, codes in items:
        given = [codes[c] for c in coder_list if c in codes]
        if len(given) >= 2 and len(set(given)) > 1:
            report.item_disagreements.append(
                Disagreement(span, text, {c: codes.get(c) for c in coder_list})
            )
    if len(coder_list) >= 2:
        report.text = text_agreement(units, coders=coder_list, texts=texts, level=level)
        report.disagreements = text_disagreements(
            units, coders=coder_list, texts=texts, tolerance=tol, level=level
        )
    return report
