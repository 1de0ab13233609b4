"""The uncovered-turns list of step 4's check, against a direct count on units that overlap,
touch and nest in every way."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.stc.demo import load_demo_project
from kollega.stc.steps import recontextualise
from kollega.stc.text import participant_turns, words
from kollega.stc.types import MeaningUnit, Span

DEMO = load_demo_project()


def _direct(project, min_turn_words: int = 15) -> list[Span]:
    """Every long participant turn that no unit overlaps, by comparing each turn with each unit."""
    found = []
    for t in project.transcripts:
        spans = [u.span for u in project.meaning_units if u.span.transcript_id == t.id]
        for turn in participant_turns(t):
            if len(words(t.text[turn.start : turn.end])) < min_turn_words:
                continue
            if not any(s.start < turn.end and s.end > turn.start for s in spans):
                found.append(Span(t.id, turn.start, turn.end))
    return found


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_uncovered_turns_are_exactly_the_turns_no_unit_overlaps(data):
    project = copy.deepcopy(DEMO)
    units = []
    for i in range(data.draw(st.integers(0, 40))):
        t = data.draw(st.sampled_from(project.transcripts))
        start = data.draw(st.integers(0, len(t.text)))
        end = data.draw(st.integers(start, min(len(t.text), start + 400)))
        units.append(MeaningUnit(f"u{i}", Span(t.id, start, end), t.text[start:end]))
    project.meaning_units = units
    assert recontextualise(project).uncovered_turns == _direct(project)


def test_a_unit_that_ends_where_a_turn_begins_does_not_cover_it():
    project = copy.deepcopy(DEMO)
    t = project.transcripts[0]
    turn = next(x for x in participant_turns(t) if len(words(t.text[x.start : x.end])) >= 15)
    project.meaning_units = [
        MeaningUnit("before", Span(t.id, 0, turn.start), t.text[: turn.start]),
        MeaningUnit("after", Span(t.id, turn.end, len(t.text)), t.text[turn.end :]),
    ]
    assert Span(t.id, turn.start, turn.end) in recontextualise(project).uncovered_turns
    project.meaning_units.append(
        MeaningUnit("inside", Span(t.id, turn.end - 1, turn.end), t.text[turn.end - 1 : turn.end])
    )
    assert Span(t.id, turn.start, turn.end) not in recontextualise(project).uncovered_turns
