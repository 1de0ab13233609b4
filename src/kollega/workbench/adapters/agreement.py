"""Agreement between coders (Cohen's kappa, Krippendorff's alpha) through kollega.stc."""

from __future__ import annotations

from typing import Any

from kollega.stc.types import MeaningUnit, Span


def agreement(
    units: list[tuple[str, str, int, int, str, str | None]],
    *,
    texts: dict[str, str] | None = None,
    level: str = "char",
    tolerance: int | None = None,
) -> dict[str, Any]:
    """Agreement between coders over ``(coder, transcript key, start, end, text, group key)``.

    ``texts`` maps transcript key → the transcript's text, so that the text nobody coded
    after the last unit counts too; ``level`` is "char" or "word" (needs ``texts``);
    ``tolerance`` the boundary difference, in characters or words, that still counts as
    agreeing (default 20 characters, 3 words).

    Returns ``{"coders", "n_items", "percent", "alpha", "kappa", "per_group": {group:
    {"percent", "alpha", "kappa", ...}}, "disagreements": [{"transcript", "start", "end",
    "codes": {coder: group or None}, "kind", "spans": {coder: [[start, end], ...]}}],
    "differences": [the same]}`` and the text-level figures under their own keys; NaN
    where a statistic is undefined.

    - ``kappa``: Cohen's kappa over the characters (words) of the text, NVivo's coding
      comparison, as the length-weighted mean over the code groups (None unless two
      coders); also ``text_kappa``. ``alpha``: Krippendorff's unitizing alpha across the
      code groups (u-alpha); also ``u_alpha``. ``cu_alpha``: Cu-alpha on the code groups
      of the text several coders coded. ``text_percent``: share of characters agreed.
    - ``per_group[g]``: ``kappa`` / ``text_kappa``, ``text_percent`` and ``alpha`` /
      ``u_alpha`` (binary u-alpha of "coded with g or not") over the text.
    - ``n_items`` and ``percent`` (overall and per group) stay over meaning units matched
      by overlap; the unit-level kappa and alpha are ``item_kappa`` and ``item_alpha``.
    - ``differences``: every place in the text the coders differ; ``kind`` is "only_some"
      (a passage some coders did not code), "groups" or "boundaries". ``disagreements``
      stays the list of matched units both coded into different groups (kind "groups"),
      the ones the compare page settles today.
    """
    # kollega.stc.agreement loads numpy: imported on first use (see adapters/__init__).
    from kollega.stc.agreement import agreement as stc_agreement

    if level not in ("char", "word"):
        raise ValueError(f"unknown agreement level {level!r}")
    records = [
        MeaningUnit(
            id=f"u{i}", span=Span(t, start, end), text=text, code_group_id=group, coder=coder
        )
        for i, (coder, t, start, end, text, group) in enumerate(units)
    ]
    report = stc_agreement(
        records,
        match="overlap",
        texts=texts,
        level="word" if level == "word" else "char",
        tolerance=tolerance,
    )
    t = report.text
    nan = float("nan")
    per_group: dict[str, dict[str, Any]] = {}
    for g in sorted(set(report.per_group) | set(t.per_group if t else {})):
        item = report.per_group.get(g, {})
        text = t.per_group.get(g, {}) if t else {}
        per_group[g] = {
            "percent": item.get("percent", nan),
            "item_alpha": item.get("alpha", nan),
            "item_kappa": item.get("kappa"),
            "alpha": text.get("u_alpha", nan),
            "u_alpha": text.get("u_alpha", nan),
            "kappa": text.get("kappa"),
            "text_kappa": text.get("kappa"),
            "text_percent": text.get("percent"),
        }
    return {
        "coders": list(report.coders),
        "n_items": report.n_items,
        "percent": report.percent,
        "alpha": t.u_alpha if t else nan,
        "kappa": t.kappa if t else None,
        "text_kappa": t.kappa if t else None,
        "text_percent": t.percent if t else None,
        "u_alpha": t.u_alpha if t else nan,
        "cu_alpha": t.cu_alpha if t else nan,
        "item_alpha": report.alpha,
        "item_kappa": report.kappa,
        "level": level,
        "length": t.length if t else 0,
        "tolerance": report.tolerance,
        "per_group": per_group,
        "disagreements": [_difference(d) for d in report.item_disagreements],
        "differences": [_difference(d) for d in report.disagreements],
    }


def _difference(d: Any) -> dict[str, Any]:
    return {
        "transcript": d.span.transcript_id,
        "start": d.span.start,
        "end": d.span.end,
        "codes": dict(d.codes),
        "kind": d.kind,
        "spans": {c: [[s.start, s.end] for s in spans] for c, spans in d.spans.items()},
    }
