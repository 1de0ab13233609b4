"""Overlap resolution and name propagation give what the earlier pairwise code gave.

The earlier code checked each finding against every finding kept so far and searched the whole
text once per name; it is kept here, as it was, as the reference. Speed is measured in
bench/speech.py (``--part deid-speed``), not here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.speech import Finding, deid, find_identifiers
from kollega.speech.deid import KIND_PRIORITY, _occurrences, _resolve
from kollega.speech.types import FINDING_KINDS


def resolve_pairwise(candidates: Iterable[Finding]) -> list[Finding]:
    ranked = sorted(
        candidates,
        key=lambda f: (-f.confidence, -(f.end - f.start), -KIND_PRIORITY[f.kind], f.start),
    )
    taken: list[Finding] = []
    for finding in ranked:
        if all(finding.end <= t.start or finding.start >= t.end for t in taken):
            taken.append(finding)
    return sorted(taken, key=lambda f: f.start)


def occurrences_per_form(text: str, forms: Iterable[str]) -> Iterator[tuple[str, int]]:
    for form in forms:
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
            yield form, match.start()


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    count = draw(st.integers(0, 60))
    out = []
    for _ in range(count):
        start = draw(st.integers(0, 200))
        length = draw(st.integers(1, 25))
        out.append(
            Finding(
                draw(st.sampled_from(FINDING_KINDS)),
                start,
                start + length,
                "x" * length,
                # Few distinct confidences, so ties between ranks are common.
                draw(st.sampled_from((0.5, 0.7, 0.9, 0.95))),
                draw(st.sampled_from(("pattern", "gazetteer", "propagated"))),
            )
        )
    return out


@settings(max_examples=400, deadline=None)
@given(findings())
def test_overlaps_are_resolved_as_before(candidates: list[Finding]) -> None:
    kept = _resolve(candidates)
    assert kept == resolve_pairwise(candidates)
    for before, after in itertools.pairwise(kept):
        assert before.end <= after.start


NAMES = ["Kari", "Kari Nordmann", "Nordmann", "Ola", "Ola-Kari", "Åse", "Bø", "K2", "_x"]
SEPARATORS = [" ", ", ", "-", "\n\n", ".", "_", "'s ", "a", ""]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(NAMES + SEPARATORS), max_size=40),
    st.sets(st.sampled_from([*NAMES, "-Kari", "'Ola", "Kari "]), min_size=1),
)
def test_names_are_found_where_the_per_name_search_found_them(
    pieces: list[str], forms: set[str]
) -> None:
    text = "".join(pieces)
    assert sorted(_occurrences(text, forms)) == sorted(occurrences_per_form(text, forms))


def test_whole_texts_get_the_same_proposals_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    sentence = (
        "Kari Nordmann (47 år) ringte 912 34 567 fra Bergen 12. mars 2023. Nordmann sa at "
        "Kari var sliten, og overlege Ola Hansen på Haukeland svarte. "
    )
    text = "\n\n".join(sentence.replace("Kari", name) for name in ("Kari", "Åse", "Per") * 20)
    now = find_identifiers(text, language="nb")
    monkeypatch.setattr(deid, "_resolve", resolve_pairwise)
    monkeypatch.setattr(deid, "_occurrences", occurrences_per_form)
    assert find_identifiers(text, language="nb") == now
    assert sum(f.text == "Nordmann" for f in now) == 60
