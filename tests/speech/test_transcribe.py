from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kollega.speech import Cancelled, Progress, transcribe
from kollega.speech.transcribe import loop_options, whisper_options
from tests.speech.conftest import _seconds, needs_audio_tools, sox, speak

pytestmark = pytest.mark.slow


def _words(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


def test_the_transcript_has_the_spoken_words(transcribed: Callable[[str], Any]) -> None:
    result = transcribed("dialogue")
    assert {"tired", "support", "conversation"} <= _words(result.text)
    assert result.language == "en"
    assert 0 <= result.segments[0].start < result.segments[-1].end <= result.duration + 0.5


def test_a_mono_dialogue_is_split_at_the_pause_into_two_speakers(
    transcribed: Callable[[str], Any],
) -> None:
    result = transcribed("dialogue")
    assert result.turn_method == "pauses"
    assert [t.speaker for t in result.turns] == ["interviewer", "participant"]
    assert "met" in _words(result.turns[0].text)
    assert "tired" in _words(result.turns[1].text)


def test_a_two_channel_recording_is_split_by_channel(transcribed: Callable[[str], Any]) -> None:
    result = transcribed("stereo")
    assert result.turn_method == "channels"
    assert [t.speaker for t in result.turns] == ["interviewer", "participant"]
    assert "tired" in _words(result.turns[1].text)
    assert "tired" not in _words(result.turns[0].text)


def test_it_reports_progress_up_to_done(whisper: Any, clips: dict[str, Path]) -> None:
    seen: list[Progress] = []
    transcribe(clips["question"], language="en", model=whisper, on_progress=seen.append)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert seen[-1].eta_s == 0.0


def test_cancelling_raises_and_returns_nothing(whisper: Any, clips: dict[str, Path]) -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        transcribe(clips["question"], language="en", model=whisper, cancel=stop)
    calls: list[Progress] = []

    def cancel_after_first() -> bool:
        return bool(calls)

    with pytest.raises(Cancelled, match="no partial"):
        transcribe(
            clips["dialogue"],
            language="en",
            model=whisper,
            turns="none",
            on_progress=calls.append,
            cancel=cancel_after_first,
        )


def test_the_first_pass_forbids_nothing_and_loops_are_decoded_with_retries() -> None:
    from faster_whisper import WhisperModel

    options = whisper_options("nb")
    assert options["language"] == "no"
    assert options["log_prob_threshold"] is None
    assert options["no_repeat_ngram_size"] == 0
    assert options["temperature"] == (0.0,)
    again = loop_options("nb")
    assert again["no_repeat_ngram_size"] == 6
    assert again["temperature"] == (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    assert loop_options("en", temperatures=(0.0,))["temperature"] == (0.0,)
    # Every option is one faster-whisper takes, so a misspelt name fails here, not in a job.
    inspect.signature(WhisperModel.transcribe).bind(None, None, **options)
    inspect.signature(WhisperModel.transcribe).bind(None, None, **again)


@needs_audio_tools
def test_a_two_channel_dialogue_of_two_questions_and_two_answers_makes_four_turns(
    whisper: Any, tmp_path: Path
) -> None:
    """Whisper gives the participant's second answer as one segment starting in the silence
    before the interviewer's second question; the turns still follow who speaks."""
    lines = [
        ("How did you sleep after the night shifts?", "en-us+m3"),
        ("Badly. I woke up every hour and felt sick.", "en-us+f3"),
        ("And what did your family say about it?", "en-us+m3"),
        ("My wife told me to find someone to talk to.", "en-us+f3"),
    ]
    clips = [speak(text, voice, tmp_path / f"{i}.wav") for i, (text, voice) in enumerate(lines)]
    gap = 0.6
    tracks: list[list[Path]] = [[], []]
    for i, clip in enumerate(clips):
        # The speaker's line on their channel, silence as long (and a gap) on the other.
        quiet = tmp_path / f"quiet{i}.wav"
        sox("-n", "-r", "16000", "-c", "1", quiet, "trim", "0", str(_seconds(clip) + gap))
        pause = tmp_path / f"pause{i}.wav"
        sox("-n", "-r", "16000", "-c", "1", pause, "trim", "0", str(gap))
        tracks[i % 2] += [clip, pause]
        tracks[1 - i % 2].append(quiet)
    left, right, stereo = tmp_path / "l.wav", tmp_path / "r.wav", tmp_path / "lr.wav"
    sox(*tracks[0], left)
    sox(*tracks[1], right)
    sox("-M", left, right, stereo)
    result = transcribe(stereo, language="en", model=whisper)
    assert result.turn_method == "channels"
    assert [t.speaker for t in result.turns] == ["interviewer", "participant"] * 2
    said = [_words(t.text) for t in result.turns]
    assert "sleep" in said[0] and "woke" in said[1] and "family" in said[2] and "wife" in said[3]
    assert "wife" not in said[1] and "woke" not in said[3]
    # The answer's first word stays with it, though its segment began before the question.
    assert "my" in said[3] and "my" not in said[1]
    for earlier, later in itertools.pairwise(result.turns):
        assert earlier.end <= later.start, (earlier, later)
