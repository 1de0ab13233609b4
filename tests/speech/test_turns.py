from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from kollega.speech import Segment
from kollega.speech.turns import turns_by_channel, turns_by_pauses

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


def _overlaps(turns: tuple[Any, ...]) -> list[tuple[str, str]]:
    """Pairs of neighbouring turns where one lies across the other's words."""
    return [
        (a.text, b.text) for a, b in itertools.pairwise(turns) if a.end > b.end or b.start < a.start
    ]


def test_two_channels_interleaved_follow_who_speaks_in_time_order() -> None:
    # As Whisper gives them, channel by channel: the interviewer's channel first.
    segs = [
        Segment(0.0, 2.0, "Hvordan har du det?", channel=0),
        Segment(5.0, 6.5, "Og på jobben?", channel=0),
        Segment(2.3, 4.8, "Bra, takk.", channel=1),
        Segment(6.8, 9.0, "Travelt, men greit.", channel=1),
    ]
    turns = turns_by_channel(segs)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hvordan har du det?"),
        ("participant", "Bra, takk."),
        ("interviewer", "Og på jobben?"),
        ("participant", "Travelt, men greit."),
    ]
    assert [(t.start, t.end) for t in turns] == [(0.0, 2.0), (2.3, 4.8), (5.0, 6.5), (6.8, 9.0)]


def test_one_channels_long_segment_is_cut_around_the_other_speakers_reply() -> None:
    # Whisper ran over the interviewer's silent stretch: two questions in one segment spanning
    # the first answer; then the participant's one segment spanning the interviewer's "Ja?".
    segs = [
        Segment(0.0, 8.0, "Hvordan har du det? Og hvordan går det på jobben nå?", channel=0),
        Segment(11.0, 11.4, "Ja?", channel=0),
        Segment(2.6, 5.4, "Bra, takk, jeg sover godt.", channel=1),
        Segment(8.3, 14.0, "Travelt, men greit nok. Det går fint.", channel=1),
    ]
    turns = turns_by_channel(segs)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hvordan har du det?"),
        ("participant", "Bra, takk, jeg sover godt."),
        ("interviewer", "Og hvordan går det på jobben nå?"),
        ("participant", "Travelt, men greit nok."),
        ("interviewer", "Ja?"),
        ("participant", "Det går fint."),
    ]
    assert _overlaps(turns) == []
    assert turns[0].start == 0.0 and turns[-1].end == 14.0


def test_a_short_reply_inside_a_long_segment_starts_a_turn_of_its_own() -> None:
    # "Mm." on the participant's channel while the interviewer's long segment runs on.
    segs = [
        Segment(0.0, 10.0, "Da du kom hjem den natta var du sliten og du la deg rett", channel=0),
        Segment(5.0, 5.4, "Mm.", channel=1),
        Segment(10.5, 12.0, "Ja, helt utslitt.", channel=1),
    ]
    turns = turns_by_channel(segs)
    assert [t.speaker for t in turns] == [
        "interviewer",
        "participant",
        "interviewer",
        "participant",
    ]
    assert turns[1].text == "Mm."
    # Every word is kept, once, and in order per speaker.
    assert " ".join(t.text for t in turns if t.speaker == "interviewer") == segs[0].text
    assert _overlaps(turns) == []


def test_overlap_at_a_change_of_speaker_cuts_nothing() -> None:
    segs = [
        Segment(0.0, 3.0, "Hva tenker du om det?", channel=0),
        Segment(2.9, 6.0, "Jeg tenker at det var bra.", channel=1),
    ]
    turns = turns_by_channel(segs)
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hva tenker du om det?"),
        ("participant", "Jeg tenker at det var bra."),
    ]


def test_with_the_channels_a_piece_of_silence_gets_no_words() -> None:
    # The participant's answer is one segment from 1 s to 6 s, but their channel holds voice
    # only from 3 s; the interviewer asks something from 1.5 s to 2.5 s.
    left = np.concatenate([_silence(1.5), _tone(110, 1), _silence(3.5)])
    right = np.concatenate([_tone(230, 1), _silence(2), _tone(230, 3)])
    segs = [
        Segment(0.0, 1.0, "Ja.", channel=1),
        Segment(1.0, 6.0, "Det var en lang og tung tid for meg.", channel=1),
        Segment(1.5, 2.5, "Hvordan?", channel=0),
    ]
    turns = turns_by_channel(segs, channels=(left, right), sample_rate=RATE)
    assert [(t.speaker, t.text) for t in turns] == [
        ("participant", "Ja."),
        ("interviewer", "Hvordan?"),
        ("participant", "Det var en lang og tung tid for meg."),
    ]
    # The answer's turn starts where its voice does.
    assert abs(turns[2].start - 3.0) < 0.05
    # Without the channels the words are shared by time: one goes before the question.
    assert turns_by_channel(segs)[0].text == "Ja. Det"
