from __future__ import annotations

import numpy as np

from kollega.speech import Segment
from kollega.speech.turns import turns_by_pauses

RATE = 16_000


def _tone(hz: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    # A buzz with harmonics, closer to a voice than a pure sine.
    return (0.3 * np.sign(np.sin(2 * np.pi * hz * t))).astype(np.float32)


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def test_without_audio_speakers_alternate_at_long_pauses() -> None:
    segs = [Segment(0, 2, "Spørsmål?"), Segment(3, 5, "Svar."), Segment(5.2, 7, "Mer svar.")]
    turns = turns_by_pauses(segs, min_pause_s=0.8)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Spørsmål?"),
        ("participant", "Svar. Mer svar."),
    ]


def test_two_clearly_different_voices_are_told_apart_by_pitch() -> None:
    # low voice, pause, high voice, pause, high voice again (a long answer), pause, low voice
    parts = [
        _tone(110, 1),
        _silence(1),
        _tone(230, 1),
        _silence(1),
        _tone(230, 1),
        _silence(1),
        _tone(110, 1),
    ]
    samples = np.concatenate(parts)
    segs = [Segment(2.0 * i, 2.0 * i + 1, f"s{i}") for i in range(4)]
    turns = turns_by_pauses(segs, samples=samples, min_pause_s=0.8)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "s0"),
        ("participant", "s1 s2"),
        ("interviewer", "s3"),
    ]


def test_one_voice_falls_back_to_alternation() -> None:
    samples = np.concatenate([_tone(150, 1), _silence(1), _tone(152, 1)])
    segs = [Segment(0, 1, "a"), Segment(2, 3, "b")]
    assert [t.speaker for t in turns_by_pauses(segs, samples=samples)] == [
        "interviewer",
        "participant",
    ]


def test_voices_are_told_apart_even_when_segments_leave_no_gap() -> None:
    samples = np.concatenate([_tone(110, 2), _tone(230, 2), _tone(110, 2)])
    segs = [Segment(0, 2, "q"), Segment(2, 4, "a"), Segment(4, 6, "q2")]
    turns = turns_by_pauses(segs, samples=samples)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "q"),
        ("participant", "a"),
        ("interviewer", "q2"),
    ]
