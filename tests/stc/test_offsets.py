"""Offsets carried through a transcript edit: a span the edit did not touch maps to the same
words; a span it touched is never mapped to other words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kollega.stc.offsets import diff_texts

# Distinct words, so that where a word went is never in doubt.
WORDS = [f"ord{i}" for i in range(60)]


@st.composite
def word_edits(draw: st.DrawFn) -> tuple[list[str], list[str], int, int, int, int]:
    """Words, the words after one insertion or deletion of whole words, the edit's place
    ``[at, at + removed)`` with ``added`` words put there, and a span ``[first, last)`` of
    words clear of the edit."""
    words = draw(st.lists(st.sampled_from(WORDS[:40]), min_size=2, max_size=30, unique=True))
    at = draw(st.integers(0, len(words)))
    removed = draw(st.integers(0, len(words) - at))
    fresh = draw(st.lists(st.sampled_from(WORDS[40:]), max_size=5, unique=True))
    if not removed and not fresh:
        fresh = [WORDS[40]]
    new = words[:at] + fresh + words[at + removed :]
    if at > 0 and draw(st.booleans()):
        first = draw(st.integers(0, at - 1))
        last = draw(st.integers(first + 1, at))
    elif at + removed < len(words):
        first = draw(st.integers(at + removed, len(words) - 1))
        last = draw(st.integers(first + 1, len(words)))
    else:
        first, last = 0, 0
    return words, new, at, removed, first, last


def _offsets(words: list[str], first: int, last: int) -> tuple[int, int]:
    start = len(" ".join(words[:first])) + (1 if first else 0)
    return start, start + len(" ".join(words[first:last]))


@given(word_edits())
def test_a_span_untouched_by_the_edit_maps_to_the_same_words(
    case: tuple[list[str], list[str], int, int, int, int],
) -> None:
    words, new_words, _at, _removed, first, last = case
    if first == last:
        return
    old, new = " ".join(words), " ".join(new_words)
    start, end = _offsets(words, first, last)
    place = diff_texts(old, new).span(start, end)
    assert place is not None
    assert new[place[0] : place[1]] == old[start:end]
    assert diff_texts(old, new).loose_span(start, end) == place


@given(
    st.text(alphabet="ab .\n", max_size=40),
    st.integers(0, 40),
    st.integers(0, 5),
    st.text(alphabet="abc .", max_size=6),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_a_span_is_never_mapped_to_other_words(
    old: str, at: int, removed: int, added: str, a: int, b: int
) -> None:
    at = min(at, len(old))
    new = old[:at] + added + old[at + removed :]
    start, end = sorted((min(a, len(old)), min(b, len(old))))
    if start == end:
        return
    edit = diff_texts(old, new)
    place = edit.span(start, end)
    if place is not None:
        assert new[place[0] : place[1]] == old[start:end]
    loose = edit.loose_span(start, end)
    assert 0 <= loose[0] <= loose[1] <= len(new)
    if place is not None:
        assert loose == place
