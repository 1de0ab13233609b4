from __future__ import annotations

import math

import numpy as np
import pytest

from kollega.stc.agreement import (
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    text_agreement,
    text_kappa,
    unitizing_alpha,
)
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


# --- Over the text -----------------------------------------------------------------------

INTERVIEW = (
    "Intervjuer: Hvordan var det å be om hjelp? "
    "Lege: Jeg var redd for at sjefen skulle få vite det, og jeg sa ingenting til noen. "
    "Lege: Etter hvert sov jeg nesten ikke, og jeg gruet meg til hver eneste vakt. "
    "Lege: En venn sa at det fantes et tilbud der ingen på jobben får vite noe."
)


def _passage(words: str) -> tuple[int, int]:
    start = INTERVIEW.index(words)
    return start, start + len(words)


def _unit(uid: str, coder: str, words: str, group: str) -> MeaningUnit:
    start, end = _passage(words)
    return MeaningUnit(
        id=uid, span=Span("t", start, end), text=words, code_group_id=group, coder=coder
    )


FEAR = "Jeg var redd for at sjefen skulle få vite det, og jeg sa ingenting til noen."
SLEEP = "Etter hvert sov jeg nesten ikke, og jeg gruet meg til hver eneste vakt."
TRUST = "En venn sa at det fantes et tilbud der ingen på jobben får vite noe."
QUESTION = "Hvordan var det å be om hjelp?"


def _scenario() -> list[MeaningUnit]:
    # Anne codes three passages; Bo codes the first alike, cuts the second short, misses
    # the third and codes the interviewer's question.
    return [
        _unit("a1", "anne", FEAR, "fear"),
        _unit("a2", "anne", SLEEP, "sleep"),
        _unit("a3", "anne", TRUST, "trust"),
        _unit("b1", "bo", FEAR, "fear"),
        _unit("b2", "bo", "Etter hvert sov jeg nesten ikke", "sleep"),
        _unit("b3", "bo", QUESTION, "fear"),
    ]


def test_it_sees_passages_only_one_coder_marked_and_passages_cut_differently():
    rep = agreement(_scenario(), match="overlap", texts={"t": INTERVIEW})
    t = rep.text
    assert t is not None
    assert t.kappa is not None and t.kappa < 0.6
    assert not math.isnan(t.u_alpha) and t.u_alpha < 0.6
    assert t.per_group["fear"]["kappa"] < 1.0
    assert t.per_group["trust"]["kappa"] == pytest.approx(0.0)
    kinds = {(d.kind, d.text) for d in rep.disagreements}
    assert kinds == {
        ("only_some", QUESTION),
        ("boundaries", SLEEP),
        ("only_some", TRUST),
    }
    question = next(d for d in rep.disagreements if d.text == QUESTION)
    assert question.codes == {"anne": None, "bo": "fear"}
    md = rep.to_markdown()
    assert "Disagreements (3)" in md and "coded by only some coders" in md


def test_boundaries_within_the_tolerance_are_not_a_difference():
    units = [
        _unit("a", "anne", FEAR, "fear"),
        _unit("b", "bo", FEAR[4:], "fear"),
    ]
    assert agreement(units, texts={"t": INTERVIEW}).disagreements == []
    assert len(agreement(units, texts={"t": INTERVIEW}, tolerance=2).disagreements) == 1
    words = agreement(units, texts={"t": INTERVIEW}, level="word", tolerance=0)
    assert [d.kind for d in words.disagreements] == ["boundaries"]
    assert words.text is not None and words.text.level == "word"


def test_the_same_passage_in_different_groups_is_a_difference():
    units = [_unit("a", "anne", SLEEP, "sleep"), _unit("b", "bo", SLEEP, "fear")]
    rep = agreement(units, texts={"t": INTERVIEW})
    assert [(d.kind, d.codes) for d in rep.disagreements] == [
        ("groups", {"anne": "sleep", "bo": "fear"})
    ]
    assert rep.text is not None
    assert rep.text.cu_alpha < 0


def _mask(spans: list[tuple[int, int]], n: int) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for s, e in spans:
        m[s:e] = True
    return m


def test_text_kappa_is_cohens_kappa_of_the_characters():
    n = len(INTERVIEW)
    a = _mask([_passage(FEAR), _passage(SLEEP), _passage(TRUST)], n)
    b = _mask([_passage(FEAR), _passage("Etter hvert sov jeg nesten ikke")], n)
    kappa, percent = text_kappa(a, b)
    # The same figure from the item-level kappa with one item per character.
    assert kappa == pytest.approx(cohen_kappa([str(x) for x in a], [str(x) for x in b]))
    assert percent == pytest.approx(float(np.mean(a == b)))
    assert text_kappa(a, a) == (1.0, 1.0)


def _segments(codes: list[list[str | None]]) -> list[list[tuple[int, int, str | None]]]:
    return [[(i, i + 1, v) for i, v in enumerate(row)] for row in codes]


def test_unitizing_alpha_of_one_character_units_is_nominal_alpha_over_characters():
    # Each coded segment one character long: u-alpha must equal Krippendorff's nominal
    # alpha with every character a unit of analysis, as the krippendorff package computes.
    import krippendorff

    rng = np.random.default_rng(7)
    for m in (2, 3):
        codes = rng.choice(["x", "y", None], size=(m, 40), p=[0.3, 0.2, 0.5]).tolist()
        values = [[2.0 if v is None else (0.0 if v == "x" else 1.0) for v in r] for r in codes]
        expected = krippendorff.alpha(
            reliability_data=np.array(values), level_of_measurement="nominal"
        )
        assert unitizing_alpha(_segments(codes)) == pytest.approx(expected)


def _brute_alpha(segments: list[list[tuple[int, int, str | None]]], length: int) -> float:
    # Expand to positions: every (coder, position) is an element; elements of one coded
    # segment cannot pair with each other, gap positions pair with every other element.
    m = len(segments)
    value = [[None] * length for _ in range(m)]
    seg_of = [[-1] * length for _ in range(m)]
    for i, segs in enumerate(segments):
        for k, (s, e, v) in enumerate(segs):
            for p in range(s, e):
                value[i][p] = v
                seg_of[i][p] = k if v is not None else -1
    elements = [(i, p) for i in range(m) for p in range(length)]
    observed_disagree = sum(
        value[i][p] != value[j][p] for p in range(length) for i in range(m) for j in range(m)
    ) / (m - 1)
    pairs = disagree = 0
    for i, p in elements:
        for j, q in elements:
            if (i, p) == (j, q) or (i == j and seg_of[i][p] >= 0 and seg_of[i][p] == seg_of[j][q]):
                continue
            pairs += 1
            disagree += value[i][p] != value[j][q]
    n = m * length
    return 1 - observed_disagree / (n * disagree / pairs)


def test_unitizing_alpha_matches_a_brute_force_count_of_position_pairs():
    length = 30
    segments = [
        [(0, 4, None), (4, 12, "x"), (12, 18, None), (18, 25, "y"), (25, 30, None)],
        [(0, 6, None), (6, 12, "x"), (12, 20, "y"), (20, 30, None)],
        [(0, 4, None), (4, 10, "x"), (10, 30, None)],
    ]
    assert unitizing_alpha(segments) == pytest.approx(_brute_alpha(segments, length))
    assert unitizing_alpha(segments[:2]) == pytest.approx(_brute_alpha(segments[:2], length))
    assert unitizing_alpha([segments[0], segments[0]]) == pytest.approx(1.0)


def test_perfect_agreement_over_the_text_is_one_and_old_figures_still_come():
    units = [_unit("a", "anne", FEAR, "fear"), _unit("b", "bo", FEAR, "fear")]
    rep = agreement(units, texts={"t": INTERVIEW})
    assert rep.text is not None
    assert (rep.text.kappa, rep.text.u_alpha) == (1.0, 1.0)
    assert rep.kappa == 1.0 and rep.percent == 1.0 and rep.disagreements == []


def test_word_level_needs_the_text():
    with pytest.raises(ValueError, match="needs the text"):
        agreement([_unit("a", "anne", FEAR, "fear"), _unit("b", "bo", FEAR, "x")], level="word")


def test_groups_only_other_coders_used_are_left_out():
    units = [*_scenario(), _unit("c1", "cato", QUESTION, "advice")]
    text = text_agreement(units, coders=["anne", "bo"], texts={"t": INTERVIEW})
    assert "advice" not in text.per_group
