"""The agreement adapter: the figures over the text under the page's old keys and new ones."""

from __future__ import annotations

import math

import pytest

from kollega.workbench import adapters

TEXT = (
    "Hvordan var det å be om hjelp? "
    "Jeg var redd for at sjefen skulle få vite det, og jeg sa ingenting til noen. "
    "Etter hvert sov jeg nesten ikke, og jeg gruet meg til hver eneste vakt. "
    "En venn sa at det fantes et tilbud der ingen på jobben får vite noe."
)


def _row(coder: str, words: str, group: str) -> tuple[str, str, int, int, str, str | None]:
    start = TEXT.index(words)
    return (coder, "7", start, start + len(words), words, group)


FEAR = "Jeg var redd for at sjefen skulle få vite det, og jeg sa ingenting til noen."
SLEEP = "Etter hvert sov jeg nesten ikke, og jeg gruet meg til hver eneste vakt."
TRUST = "En venn sa at det fantes et tilbud der ingen på jobben får vite noe."

SCENARIO = [
    _row("1", FEAR, "10"),
    _row("1", SLEEP, "11"),
    _row("1", TRUST, "12"),
    _row("2", FEAR, "10"),
    _row("2", "Etter hvert sov jeg nesten ikke", "11"),
    _row("2", "Hvordan var det å be om hjelp?", "10"),
]


def test_it_reports_kappa_and_alpha_over_the_text_not_over_matched_units():
    report = adapters.agreement(SCENARIO, texts={"7": TEXT})
    # Matched units alone agree perfectly; the text does not.
    assert report["item_kappa"] == pytest.approx(1.0)
    assert report["kappa"] == report["text_kappa"]
    assert report["kappa"] < 0.6
    assert report["alpha"] == report["u_alpha"]
    assert not math.isnan(report["alpha"]) and report["alpha"] < 0.6
    assert report["per_group"]["12"]["kappa"] == pytest.approx(0.0)
    assert {d["kind"] for d in report["differences"]} == {"only_some", "boundaries"}
    assert len(report["differences"]) == 3
    question = report["differences"][0]
    assert (question["start"], question["codes"]) == (0, {"1": None, "2": "10"})
    assert question["spans"] == {"1": [], "2": [[0, 30]]}


def test_it_keeps_the_keys_the_compare_page_reads():
    report = adapters.agreement([_row("1", FEAR, "10"), _row("2", FEAR, "11")], texts={"7": TEXT})
    for key in ("coders", "n_items", "percent", "alpha", "kappa", "per_group", "disagreements"):
        assert key in report
    assert report["n_items"] == 1 and report["percent"] == 0.0
    assert [d["codes"] for d in report["disagreements"]] == [{"1": "10", "2": "11"}]
    assert [d["kind"] for d in report["differences"]] == ["groups"]


def test_it_refuses_an_unknown_level():
    with pytest.raises(ValueError, match="level"):
        adapters.agreement(SCENARIO, level="sentence")
