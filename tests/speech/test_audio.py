from __future__ import annotations

from pathlib import Path

import pytest

from kollega.speech import AudioError, load_audio

from .conftest import needs_audio_tools


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "absent.wav")


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(empty)


def test_it_refuses_a_file_that_is_not_audio(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("Dette er ikke lyd, bare notater fra intervjuet.\n" * 20)
    with pytest.raises(AudioError, match="not a readable audio file"):
        load_audio(text)


@needs_audio_tools
def test_it_refuses_a_truncated_wav(clips: dict[str, Path], tmp_path: Path) -> None:
    data = clips["question"].read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated"):
        load_audio(cut)


@needs_audio_tools
def test_it_refuses_a_truncated_flac(clips: dict[str, Path], tmp_path: Path) -> None:
    from .conftest import sox

    flac = tmp_path / "whole.flac"
    sox(clips["dialogue"], flac)
    data = flac.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated"):
        load_audio(cut)


@needs_audio_tools
def test_it_refuses_a_recording_over_the_limit(clips: dict[str, Path]) -> None:
    with pytest.raises(AudioError, match="more than the limit"):
        load_audio(clips["dialogue"], max_duration_s=2)


@needs_audio_tools
def test_it_decodes_other_formats_at_16_khz(clips: dict[str, Path], tmp_path: Path) -> None:
    from .conftest import sox

    ogg = tmp_path / "q.ogg"
    sox(clips["question"], "-r", "44100", ogg)
    audio = load_audio(ogg)
    assert len(audio.channels) == 1
    assert abs(audio.duration - load_audio(clips["question"]).duration) < 0.1


@needs_audio_tools
def test_it_keeps_two_different_channels_apart(clips: dict[str, Path], tmp_path: Path) -> None:
    from .conftest import sox

    assert load_audio(clips["stereo"]).is_two_speaker_stereo
    copied = tmp_path / "copied.wav"
    sox(clips["dialogue"], "-c", "2", copied)
    assert not load_audio(copied).is_two_speaker_stereo
