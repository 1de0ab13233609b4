"""Typed records produced by :mod:`kollega.speech`.

They are plain frozen dataclasses so that they can be stored, compared and serialised
(:meth:`SpeechTranscript.to_dict`) without the engine that made them.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypedDict

TurnMethod = Literal["channels", "pauses", "none"]
"""How speaker turns were found: by channel of a two-channel recording, by pauses, or not at all."""

FindingKind = Literal[
    "person",
    "place",
    "employer",
    "date",
    "age",
    "phone",
    "email",
    "national_id",
    "address",
]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "person",
    "place",
    "employer",
    "date",
    "age",
    "phone",
    "email",
    "national_id",
    "address",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of recognised speech; times are seconds from the start of the recording."""

    start: float
    end: float
    text: str
    channel: int | None = None
    avg_logprob: float | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """Consecutive segments attributed to one speaker (a suggestion the researcher corrects)."""

    speaker: str
    start: float
    end: float
    text: str
    segments: tuple[Segment, ...] = ()


class TurnDict(TypedDict):
    """A turn as plain data, the form a transcript's turns are stored and edited in.

    ``start`` and ``end`` are seconds from the start of the recording, or None where the turn
    has no time (a text file carries none; a turn split in the editor keeps only the times of
    the turn it came from).
    """

    speaker: str
    start: float | None
    end: float | None
    text: str


@dataclass(frozen=True, slots=True)
class SpeechTranscript:
    """The result of :func:`kollega.speech.transcribe`.

    ``turn_method`` states how ``turns`` were made, so the interface can tell the researcher
    whether speaker labels came from the recording's channels or from a pause heuristic.
    """

    language: str
    duration: float
    segments: tuple[Segment, ...]
    turns: tuple[Turn, ...]
    turn_method: TurnMethod
    model: str
    speakers: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The whole transcript, one turn per paragraph."""
        return "\n\n".join(turn.text for turn in self.turns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Finding:
    """A suggested identifier in a text: ``text[start:end]`` is of ``kind``.

    ``confidence`` is in [0, 1]; ``source`` names the rule or model that proposed it
    (``"propagated"`` for a name repeated from an earlier finding).
    """

    kind: FindingKind
    start: int
    end: int
    text: str
    confidence: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class Replacement:
    """One replaced span: ``old[old_start:old_end]`` became ``new[new_start:new_end]``."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps character offsets between a text and its de-identified version.

    Offsets outside replaced spans map exactly; an offset inside a replaced span maps to the
    start of its replacement (``side="start"``) or to its end (``side="end"``), so a coded span
    that overlapped an identifier still covers its placeholder.
    """

    replacements: tuple[Replacement, ...] = field(default_factory=tuple)

    def to_new(self, offset: int, *, side: Literal["start", "end"] = "start") -> int:
        """Map an offset in the original text to the de-identified text."""
        return _map(offset, self.replacements, old_to_new=True, side=side)

    def to_old(self, offset: int, *, side: Literal["start", "end"] = "start") -> int:
        """Map an offset in the de-identified text back to the original text."""
        return _map(offset, self.replacements, old_to_new=False, side=side)

    def span_to_new(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span ``[start, end)`` of the original text."""
        return self.to_new(start, side="start"), self.to_new(end, side="end")

    def span_to_old(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span ``[start, end)`` of the de-identified text."""
        return self.to_old(start, side="start"), self.to_old(end, side="end")


def _map(
    offset: int,
    replacements: tuple[Replacement, ...],
    *,
    old_to_new: bool,
    side: Literal["start", "end"],
) -> int:
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
    starts = [r.old_start if old_to_new else r.new_start for r in replacements]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return offset
    r = replacements[index]
    src_start, src_end, dst_start, dst_end = (
        (r.old_start, r.old_end, r.new_start, r.new_end)
        if old_to_new
        else (r.new_start, r.new_end, r.old_start, r.old_end)
    )
    if offset >= src_end:
        return dst_end + (offset - src_end)
    if offset == src_start:
        return dst_start
    return dst_start if side == "start" else dst_end
