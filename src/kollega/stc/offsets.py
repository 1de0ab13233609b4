"""Carry offsets into a transcript version through an edit of its text.

The old and new texts are compared word by word (words, spaces and punctuation marks as
tokens, so an inserted word never lands inside a word that only shares letters with it);
each span is mapped to the same words in the new text. A span the edit did not touch moves
with the text; a span whose own words changed is reported as changed, with where its words
went, for a person to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class TextEdit:
    """The changed regions of an edit: ``(old_start, old_end, new_start, new_end)`` each,
    in order, in characters. Between them the two texts are the same."""

    changes: tuple[tuple[int, int, int, int], ...]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where ``old[start:end]`` stands in the new text, or None when the edit changed
        words inside it (an insertion at either edge leaves the span untouched)."""
        shift = 0
        for old_start, old_end, _new_start, new_end in self.changes:
            if old_end <= start:
                shift = new_end - old_end
            elif old_start >= end:
                break
            else:
                return None
        return start + shift, end + shift

    def loose_span(self, start: int, end: int) -> tuple[int, int]:
        """Where the words of ``old[start:end]`` went: a changed region at its edges is taken
        in whole. For a span :meth:`span` gives, the same answer."""
        return self._position(start, before=True), self._position(end, before=False)

    def _position(self, pos: int, *, before: bool) -> int:
        shift = 0
        for old_start, old_end, new_start, new_end in self.changes:
            if old_end < pos or (old_end == pos and (old_start < old_end or before)):
                shift = new_end - old_end
            elif old_start > pos or (old_start == pos and not before):
                break
            else:  # ``pos`` is inside a changed region: take the region whole.
                return new_start if before else new_end
        return pos + shift


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_texts(old: str, new: str) -> TextEdit:
    """The changed regions between ``old`` and ``new`` (see :class:`TextEdit`)."""
    a, b = _tokens(old), _tokens(new)
    # Most edits touch one place: the common head and tail need no diff (and keep it fast).
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    old_at = _starts(a)
    new_at = _starts(b)
    changes = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        changes.append((old_at[head + i1], old_at[head + i2], new_at[head + j1], new_at[head + j2]))
    return TextEdit(tuple(changes))


def _starts(tokens: list[str]) -> list[int]:
    """Each token's offset, and one past the last."""
    out, pos = [], 0
    for token in tokens:
        out.append(pos)
        pos += len(token)
    out.append(pos)
    return out
