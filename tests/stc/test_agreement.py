from __future__ import annotations

import math

import pytest

from kollega.stc.agreement import agreement, cohen_kappa, krippendorff_alpha, percent_agreement
from kollega.stc.demo import load_demo_project
from kollega.stc.types import MeaningUnit, Span


def test_krippendorff_alpha_matches_the_published_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders,
    # 12 units, nominal data with missing values; alpha = 0.743.
    rows = [
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . 3",
        ". 3 3 3 2 3 4 2 2 5 1 .",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ]
    data = [[None if v == "." else v for v in r.split()] for r in rows]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=0.001)


def test_cohen_kappa_matches_the_textbook_example():
    # 50 items: both yes 20, both no 15, A yes/B no 5, A no/B yes 10 -> kappa = 0.4
    a = ["yes"] * 20 + ["no"] * 15 + ["yes"] * 5 + ["no"] * 10
    b = ["yes"] * 20 + ["no"] * 15 + ["no"] * 5 + ["yes"] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert percent_agreement([a, b]) == pytest.approx(0.7)


def test_perfect_agreement_and_nothing_to_compare():
    assert cohen_kappa(["x", "y"], ["x", "y"]) == 1.0
    assert math.isnan(cohen_kappa([None], ["x"]))
    assert krippendorff_alpha([["x", "y"], ["x", "y"]]) == 1.0


def _u(uid: str, coder: str, start: int, end: int, group: str | None) -> MeaningUnit:
    return MeaningUnit(
        id=uid, span=Span("t", start, end), text=f"{start}-{end}", code_group_id=group, coder=coder
    )


def test_units_are_matched_by_span_and_disagreements_listed():
    units = [
        _u("a1", "anne", 0, 10, "fear"),
        _u("a2", "anne", 10, 20, "sleep"),
        _u("a3", "anne", 20, 30, "fear"),
        _u("b1", "bo", 0, 10, "fear"),
        _u("b2", "bo", 10, 20, "fear"),
        _u("b3", "bo", 21, 30, "fear"),  # off by one: only matched with overlap
    ]
    exact = agreement(units)
    assert exact.n_items == 4
    assert len(exact.disagreements) == 1
    assert exact.disagreements[0].codes == {"anne": "sleep", "bo": "fear"}
    overlap = agreement(units, match="overlap")
    assert overlap.n_items == 3
    assert overlap.percent == pytest.approx(2 / 3)
    assert set(overlap.per_group) == {"fear", "sleep"}


def test_demo_coders_agree_substantially_and_report_names_groups():
    p = load_demo_project()
    rep = agreement(p.meaning_units)
    assert rep.coders == ["researcher 1", "researcher 2"]
    assert 0.6 < rep.kappa < 0.95  # type: ignore[operator]
    md = rep.to_markdown(names={g.id: g.name for g in p.code_groups})
    assert "Fear of who finds out" in md and "Disagreements (4)" in md
