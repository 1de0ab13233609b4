"""Agreement over the text itself: each position coded or not, by each coder, with each group."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from kollega.stc.types import MeaningUnit, Span


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A place the coders differ: ``codes`` maps coder → code group id (None: not coded).

    ``kind`` says how they differ (see `text_disagreements`); ``spans`` maps coder → that
    coder's units in the passage.
    """

    span: Span
    text: str
    codes: dict[str, str | None]
    kind: str = "groups"
    spans: dict[str, list[Span]] = field(default_factory=dict)


# Matching units loses every passage only one coder marked and every passage cut
# differently. The figures below look at each position of the compared text instead.

Level = Literal["char", "word"]
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Continuum:
    """The compared text of one transcript as positions 0..length (characters or words)."""

    transcript_id: str
    length: int
    word_starts: list[int] | None = None
    word_ends: list[int] | None = None

    def to_positions(self, start: int, end: int) -> tuple[int, int]:
        """Character span → position span (the words a span touches at word level)."""
        if self.word_starts is None or self.word_ends is None:
            return max(0, min(start, self.length)), max(0, min(end, self.length))
        first = bisect.bisect_right(self.word_ends, start)
        last = bisect.bisect_left(self.word_starts, end)
        return first, max(first, last)


def _continua(
    units: Sequence[MeaningUnit], texts: Mapping[str, str] | None, level: Level
) -> dict[str, _Continuum]:
    ids = sorted({u.span.transcript_id for u in units} | set(texts or {}))
    out: dict[str, _Continuum] = {}
    for tid in ids:
        text = texts.get(tid) if texts is not None else None
        if level == "word":
            if text is None:
                raise ValueError(f"word-level agreement needs the text of transcript {tid!r}")
            bounds = [m.span() for m in _WORD.finditer(text)]
            out[tid] = _Continuum(tid, len(bounds), [s for s, _ in bounds], [e for _, e in bounds])
        else:
            # Without the text, the compared text runs to the end of the last unit.
            ends = [u.span.end for u in units if u.span.transcript_id == tid]
            length = len(text) if text is not None else max(ends, default=0)
            out[tid] = _Continuum(tid, length)
    return out


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _cover(spans: list[tuple[int, int]], length: int) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    for s, e in spans:
        mask[s:e] = True
    return mask


def text_kappa(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Cohen's kappa and percent agreement of two coders' coded / not coded positions.

    ``a`` and ``b`` are boolean arrays, one entry per character (or word) of the compared
    text: True where the coder coded that position with the code group. From the 2x2
    table, p_o = share of positions both coded or both left, p_e = the product of the
    coders' shares coded plus the product of their shares not coded, and
    kappa = (p_o - p_e) / (1 - p_e). As NVivo does, kappa is 1 when p_o = p_e = 1 (the
    coders agree on every position); nan for no positions.
    """
    n = len(a)
    if n == 0:
        return math.nan, math.nan
    p_o = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    p_e = pa * pb + (1 - pa) * (1 - pb)
    if p_e >= 1.0:
        return (1.0 if p_o == 1.0 else math.nan), p_o
    return (p_o - p_e) / (1 - p_e), p_o


Segment = tuple[int, int, str | None]
"""``(start, end, value)`` on a continuum; value None is a gap (text not coded)."""


def _with_gaps(units: list[tuple[int, int, str]], length: int) -> list[Segment]:
    """A coder's coded segments plus the gaps between them (the rest of the continuum)."""
    out: list[Segment] = list(units)
    pos = 0
    for s, e in _merge((s, e) for s, e, _ in units):
        if s > pos:
            out.append((pos, s, None))
        pos = max(pos, e)
    if pos < length:
        out.append((pos, length, None))
    return out


def _coincidences(
    segments: Sequence[Sequence[Segment]],
) -> dict[tuple[str | None, str | None], float]:
    """Observed coincidences of lengths (see `unitizing_alpha`), by a sweep over the
    elementary pieces between all segment edges: linear in the number of segments."""
    m = len(segments)
    cuts = sorted({p for segs in segments for s, e, _ in segs for p in (s, e)})
    index = {p: i for i, p in enumerate(cuts)}
    covers: list[list[list[str | None]]] = []
    for segs in segments:
        cover: list[list[str | None]] = [[] for _ in range(max(len(cuts) - 1, 0))]
        for s, e, v in segs:
            for x in range(index[s], index[e]):
                cover[x].append(v)
        covers.append(cover)
    o: dict[tuple[str | None, str | None], float] = {}
    for x in range(len(cuts) - 1):
        share = (cuts[x + 1] - cuts[x]) / (m - 1)
        for i in range(m):
            for j in range(m):
                if i == j:
                    continue
                for c in covers[i][x]:
                    for k in covers[j][x]:
                        o[c, k] = o.get((c, k), 0.0) + share
    return o


def unitizing_alpha(segments: Sequence[Sequence[Segment]]) -> float:
    """Krippendorff's unitizing alpha (u-alpha, nominal) of m ≥ 2 coders on one continuum.

    ``segments[i]`` lists coder i's segments ``(start, end, value)``, gaps (value None)
    included, so that each coder's segments cover the whole continuum (see
    ``unitizing_segments``). The definition is that of Krippendorff, Mathet, Bouvry and
    Widlöcher (2016), which modifies Krippendorff's (1995, 2004) pairwise-distance form:

    - observed coincidences o_ck = 1/(m-1) · Σ over ordered pairs of different coders of
      the length where a segment of one valued c overlaps a segment of the other valued k;
      n = Σ o_ck and n_c = Σ_k o_ck;
    - a coded segment is indivisible, a gap is not: S_c = Σ over segments valued c of
      l² for a coded segment and l for a gap (a gap pairs like l separate positions);
    - expected e_cc = n (n_c² - S_c) / (n² - Σ_c S_c);
    - u-alpha = 1 - (n - Σ_c o_cc) / (n - Σ_c e_cc).

    When every coded segment is one position long this is exactly Krippendorff's nominal
    alpha with each position as a unit of analysis (e_cc becomes n_c (n_c - 1) / (n - 1));
    the tests check it so, against the ``krippendorff`` package, and check the expected
    coincidences against a brute-force count of all pairs of positions that are not
    inside one coded segment. nan when the coders have nothing to disagree on (every
    position of every coder carries one value).
    """
    if len(segments) < 2:
        return math.nan
    o = _coincidences(segments)
    n = sum(o.values())
    if n <= 0:
        return math.nan
    values = {c for c, _ in o}
    marg = {c: sum(v for (x, _), v in o.items() if x == c) for c in values}
    s: dict[str | None, float] = {}
    for coder in segments:
        for a, b, c in coder:
            length = b - a
            s[c] = s.get(c, 0.0) + (length if c is None else length * length)
    denom = n * n - sum(s.values())
    if denom <= 0:
        return math.nan
    expected_agree = sum(n * (marg[c] ** 2 - s.get(c, 0.0)) / denom for c in values)
    d_e = n - expected_agree
    if d_e <= 1e-12:
        return math.nan
    return 1.0 - (n - sum(o.get((c, c), 0.0) for c in values)) / d_e


def coding_alpha(segments: Sequence[Sequence[Segment]]) -> float:
    """Krippendorff's Cu-alpha: agreement on the code group of the text all coders coded.

    Only the overlaps of two coded segments count (gaps are left out): from that
    coincidence table of lengths, D_o = share of overlap with different groups and D_e =
    the same share expected from its margins (Σ_{c≠k} n_c n_k / n²); Cu-alpha = 1 - D_o/D_e.
    nan when the coders share no coded text or all of it carries one group.
    """
    o = {ck: v for ck, v in _coincidences(segments).items() if None not in ck}
    n = sum(o.values())
    if n <= 0:
        return math.nan
    values = {c for c, _ in o} | {k for _, k in o}
    marg = {c: sum(v for (x, _), v in o.items() if x == c) for c in values}
    d_e = sum(marg[c] * marg[k] for c in values for k in values if c != k) / (n * n)
    if d_e <= 0:
        return math.nan
    d_o = sum(v for (c, k), v in o.items() if c != k) / n
    return 1.0 - d_o / d_e


@dataclass(frozen=True, slots=True)
class TextAgreement:
    """Agreement over the text: per code group and overall, and where the coders differ.

    ``per_group[g]`` holds ``kappa`` and ``percent`` (characters or words, two coders
    only, as NVivo's coding comparison; the length-weighted mean over the transcripts in
    which anyone coded g) and ``u_alpha`` (binary u-alpha of "coded with g or not", all
    transcripts as one continuum; ATLAS.ti's alpha-binary). ``kappa`` and ``percent``
    overall are the means of the per-group figures weighted by transcript length (NVivo's
    average), ``u_alpha`` is the nominal u-alpha across all groups with the uncoded text as
    gaps and ``cu_alpha`` Cu-alpha on the code groups of the text coded by several coders.
    """

    level: Level
    length: int
    kappa: float | None
    percent: float | None
    u_alpha: float
    cu_alpha: float
    per_group: dict[str, dict[str, float]]


def text_agreement(
    units: Sequence[MeaningUnit],
    *,
    coders: Sequence[str],
    texts: Mapping[str, str] | None = None,
    level: Level = "char",
) -> TextAgreement:
    """Agreement of ``coders`` over the text of every transcript in ``units`` or ``texts``.

    ``texts`` maps transcript id → full text; without it the compared text of a transcript
    runs from its start to the end of its last unit (so kappa misses uncoded text after
    it). ``level="word"`` compares words (``\\w+`` runs; a word is coded when any of its
    characters is) and needs ``texts``. Raises ValueError for fewer than two coders.
    """
    coder_list = list(coders)
    if len(coder_list) < 2:
        raise ValueError("agreement needs at least two coders")
    units = [u for u in units if u.coder in coder_list]
    conts = _continua(units, texts, level)
    groups = sorted({u.code_group_id for u in units if u.code_group_id is not None})
    # coder → transcript → group → merged position spans
    coded: dict[str, dict[str, dict[str, list[tuple[int, int]]]]] = {c: {} for c in coder_list}
    for u in units:
        if u.code_group_id is None or u.coder not in coded:
            continue
        cont = conts[u.span.transcript_id]
        s, e = cont.to_positions(u.span.start, u.span.end)
        coded[u.coder].setdefault(cont.transcript_id, {}).setdefault(u.code_group_id, []).append(
            (s, e)
        )
    for by_t in coded.values():
        for by_g in by_t.values():
            for g in by_g:
                by_g[g] = _merge(by_g[g])
    offsets: dict[str, int] = {}
    total = 0
    for tid, cont in conts.items():
        offsets[tid] = total
        total += cont.length

    def segs(coder: str, group: str | None) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for tid, by_g in coded[coder].items():
            for g, spans in by_g.items():
                if group is None or g == group:
                    out += [(offsets[tid] + s, offsets[tid] + e, g) for s, e in spans]
        return out

    per_group: dict[str, dict[str, float]] = {}
    k_sum = p_sum = weight = 0.0
    for g in groups:
        binary = [_with_gaps(segs(c, g), total) for c in coder_list]
        stats = {"u_alpha": unitizing_alpha(binary)}
        if len(coder_list) == 2:
            gk = gp = gw = 0.0
            for tid, cont in conts.items():
                spans = [coded[c].get(tid, {}).get(g, []) for c in coder_list]
                if not any(spans) or cont.length == 0:
                    continue
                kappa, pct = text_kappa(*(_cover(sp, cont.length) for sp in spans))
                gk += kappa * cont.length
                gp += pct * cont.length
                gw += cont.length
            stats["kappa"] = gk / gw if gw else math.nan
            stats["percent"] = gp / gw if gw else math.nan
            k_sum, p_sum, weight = k_sum + gk, p_sum + gp, weight + gw
        per_group[g] = stats
    nominal = [_with_gaps(segs(c, None), total) for c in coder_list]
    two = len(coder_list) == 2
    return TextAgreement(
        level=level,
        length=total,
        kappa=(k_sum / weight if weight else math.nan) if two else None,
        percent=(p_sum / weight if weight else math.nan) if two else None,
        u_alpha=unitizing_alpha(nominal),
        cu_alpha=coding_alpha(nominal),
        per_group=per_group,
    )


DisagreementKind = Literal["only_some", "groups", "boundaries"]


def _cluster_text(members: list[MeaningUnit], start: int, end: int, text: str | None) -> str:
    if text is not None:
        return text[start:end]
    chars = [" "] * (end - start)
    for u in members:
        for i, ch in enumerate(u.text[: u.span.end - u.span.start]):
            chars[u.span.start - start + i] = ch
    return "".join(chars)


def _words_between(text: str | None, a: int, b: int) -> int:
    lo, hi = min(a, b), max(a, b)
    return len(_WORD.findall(text[lo:hi])) if text is not None else 0


def text_disagreements(
    units: Sequence[MeaningUnit],
    *,
    coders: Sequence[str],
    texts: Mapping[str, str] | None = None,
    tolerance: int = 20,
    level: Level = "char",
) -> list[Disagreement]:
    """Every place in the text where the coders differ, in text order.

    Coded units (of any coder and group) that overlap form one passage. A passage is a
    disagreement of kind ``"only_some"`` when a coder has no unit in it (a passage only
    one coder coded, or the interviewer's question one coder included),``"groups"`` when
    the coders used different code groups in it, and ``"boundaries"`` when they used the
    same groups but a coder's start or end of a group lies more than ``tolerance``
    characters (``level="char"``) or words (``level="word"``, needs ``texts``) from
    another's. ``codes`` gives each coder's group covering most of the passage (None: the
    coder did not code it) and ``spans`` each coder's units there.
    """
    coder_list = list(coders)
    if level == "word" and texts is None:
        raise ValueError("word-level differences need the texts")
    coded = sorted(
        (u for u in units if u.code_group_id is not None and u.coder in coder_list),
        key=lambda u: (u.span.transcript_id, u.span.start, u.span.end),
    )
    clusters: list[list[MeaningUnit]] = []
    for u in coded:
        last = clusters[-1] if clusters else None
        if (
            last is not None
            and last[0].span.transcript_id == u.span.transcript_id
            and u.span.start < max(x.span.end for x in last)
        ):
            last.append(u)
        else:
            clusters.append([u])
    out: list[Disagreement] = []
    for members in clusters:
        tid = members[0].span.transcript_id
        text = texts.get(tid) if texts is not None else None
        start = min(u.span.start for u in members)
        end = max(u.span.end for u in members)
        by_coder = {c: [u for u in members if u.coder == c] for c in coder_list}
        group_sets = {c: {u.code_group_id for u in us} for c, us in by_coder.items()}
        kind: DisagreementKind | None = None
        if any(not us for us in by_coder.values()):
            kind = "only_some"
        elif len({frozenset(s) for s in group_sets.values()}) > 1:
            kind = "groups"
        else:
            for g in group_sets[coder_list[0]]:
                edges = [
                    (
                        min(u.span.start for u in us if u.code_group_id == g),
                        max(u.span.end for u in us if u.code_group_id == g),
                    )
                    for us in by_coder.values()
                ]
                for a, b in ((x, y) for x in edges for y in edges):
                    if level == "word":
                        far = max(
                            _words_between(text, a[0], b[0]), _words_between(text, a[1], b[1])
                        )
                    else:
                        far = max(abs(a[0] - b[0]), abs(a[1] - b[1]))
                    if far > tolerance:
                        kind = "boundaries"
        if kind is None:
            continue
        codes: dict[str, str | None] = {}
        for c, us in by_coder.items():
            cover: dict[str, int] = {}
            for u in us:
                g = u.code_group_id or ""
                cover[g] = cover.get(g, 0) + u.span.end - u.span.start
            codes[c] = max(sorted(cover), key=lambda g: cover[g]) if cover else None
        out.append(
            Disagreement(
                span=Span(tid, start, end),
                text=_cluster_text(members, start, end, text),
                codes=codes,
                kind=kind,
                spans={c: [u.span for u in us] for c, us in by_coder.items()},
            )
        )
    return out
