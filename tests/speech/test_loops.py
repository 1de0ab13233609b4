"""Loops are found and only they are decoded again; what a speaker repeats is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from kollega.speech import Segment, transcribe
from kollega.speech.audio import SAMPLE_RATE, Audio
from kollega.speech.transcribe import find_loops, repeats_in_a_row


@pytest.mark.parametrize(
    ("text", "loops"),
    [
        ("uke nøik, uke nøik, uke nøik", True),
        ("Uke nøik. UKE NØIK! uke nøik og så", True),
        ("jeg vet ikke jeg vet ikke jeg vet ikke", True),
        ("jeg vet ikke, jeg vet ikke.", False),  # said twice: kept
        ("nei, nei, nei", False),  # one word: a person says that
        ("det var det var fint, det var", False),
        ("", False),
    ],
)
def test_a_phrase_three_times_in_a_row_is_a_loop(text: str, loops: bool) -> None:
    assert repeats_in_a_row(text) is loops


def _seg(start: float, text: str) -> Segment:
    return Segment(start=start, end=start + 2.0, text=text)


def test_loops_are_the_looping_segments_joined() -> None:
    segments = [
        _seg(0, "Hvordan har du det?"),
        _seg(2, "Jeg vet ikke, jeg vet ikke."),
        _seg(4, "uke nøik uke nøik uke nøik"),
        _seg(6.5, "helt vanlig tekst"),  # its window failed the compression test
        _seg(10, "Takk."),
        _seg(12, "Ja."),
        _seg(14, "Ja."),
        _seg(16, "Ja."),
    ]
    compression = [1.2, 1.3, 3.1, 2.6, 1.1, None, None, None]
    assert find_loops(segments, compression) == [(4, 8.5), (12, 18)]
    assert find_loops(segments[:2]) == []


@dataclass
class FakeSegment:
    start: float
    end: float
    text: str
    avg_logprob: float = -0.2
    compression_ratio: float = 1.2


class FakeWhisper:
    """Answers the first pass with a loop in its second window; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, dict[str, Any]]] = []

    def transcribe(self, samples: Any, **options: Any) -> tuple[list[FakeSegment], None]:
        seconds = len(samples) / SAMPLE_RATE
        self.calls.append((seconds, options))
        if options["no_repeat_ngram_size"] == 0:
            return [
                FakeSegment(0.0, 3.0, "Jeg vet ikke, jeg vet ikke."),
                FakeSegment(3.5, 9.0, "uke nøik uke nøik uke nøik uke nøik", compression_ratio=3.0),
                FakeSegment(9.5, 12.0, "Takk for praten."),
            ], None
        return [FakeSegment(0.5, 5.0, "Uken og ukene etter.")], None


def test_only_the_loop_is_decoded_again_and_repeats_stay() -> None:
    engine = FakeWhisper()
    silence = Audio(channels=(np.zeros(12 * SAMPLE_RATE, dtype=np.float32),), source="test")
    result = transcribe(silence, language="nb", model=engine, turns="none")  # type: ignore[arg-type]
    assert [s.text for s in result.segments] == [
        "Jeg vet ikke, jeg vet ikke.",
        "Uken og ukene etter.",
        "Takk for praten.",
    ]
    assert result.segments[1].start == pytest.approx(3.5)  # 0.5 s into a clip from 3.0 s
    first, again = engine.calls
    assert first[0] == 12.0 and first[1]["no_repeat_ngram_size"] == 0
    # Only the looping stretch, with half a second either side, went through again.
    assert again[0] == pytest.approx(6.5) and again[1]["no_repeat_ngram_size"] == 6
    assert again[1]["temperature"][0] == 0.0 and len(again[1]["temperature"]) > 1
