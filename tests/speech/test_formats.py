from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kollega.speech import (
    Segment,
    SpeechTranscript,
    read_srt,
    read_vtt,
    to_stc_transcript,
    to_txt,
    write_srt,
    write_txt,
    write_vtt,
)
from kollega.speech.turns import turns_by_channel

SEGMENTS = (
    Segment(0.5, 2.25, "Hvordan har du hatt det?", channel=0),
    Segment(3.0, 5.5, "Ganske tungt en stund.", channel=1),
    Segment(5.75, 3725.125, "Men nå går det bedre.", channel=1),
)
TRANSCRIPT = SpeechTranscript(
    language="nb",
    duration=3726.0,
    segments=SEGMENTS,
    turns=turns_by_channel(SEGMENTS),
    turn_method="channels",
    model="whisper-base",
    speakers=("interviewer", "participant"),
)


@pytest.mark.parametrize(("write", "read"), [(write_vtt, read_vtt), (write_srt, read_srt)])
def test_cues_round_trip_with_speakers_and_times(
    write: Callable[[SpeechTranscript, Path], None],
    read: Callable[..., SpeechTranscript],
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.cues"
    write(TRANSCRIPT, path)
    back = read(path, language="nb")
    assert back.segments == tuple(Segment(s.start, s.end, s.text) for s in SEGMENTS)
    assert [(t.speaker, t.text) for t in back.turns] == [
        ("interviewer", "Hvordan har du hatt det?"),
        ("participant", "Ganske tungt en stund. Men nå går det bedre."),
    ]


def test_the_vtt_file_is_webvtt_with_voice_tags(tmp_path: Path) -> None:
    write_vtt(TRANSCRIPT, tmp_path / "t.vtt")
    text = (tmp_path / "t.vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.250\n<v interviewer>")
    assert "01:02:05.125" in text


def test_the_text_file_has_one_timestamped_paragraph_per_turn(tmp_path: Path) -> None:
    write_txt(TRANSCRIPT, tmp_path / "t.txt")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == to_txt(TRANSCRIPT)
    assert to_txt(TRANSCRIPT).split("\n\n") == [
        "[00:00:00] interviewer: Hvordan har du hatt det?",
        "[00:00:03] participant: Ganske tungt en stund. Men nå går det bedre.\n",
    ]


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kollega.speech.formats as formats

    def broken(_transcript: SpeechTranscript) -> str:
        raise RuntimeError("killed")

    monkeypatch.setattr(formats, "to_vtt", broken)
    with pytest.raises(RuntimeError):
        formats.write_vtt(TRANSCRIPT, tmp_path / "t.vtt")
    assert list(tmp_path.iterdir()) == []


def test_read_vtt_refuses_other_files(tmp_path: Path) -> None:
    (tmp_path / "x.vtt").write_text("not a subtitle file", encoding="utf-8")
    with pytest.raises(ValueError, match="WEBVTT"):
        read_vtt(tmp_path / "x.vtt")


def test_it_converts_to_an_stc_transcript() -> None:
    stc = to_stc_transcript(TRANSCRIPT, name="intervju 1")
    assert stc.language == "nb"
    assert [(t.speaker, stc.text[t.start : t.end], t.time_start) for t in stc.turns] == [
        ("interviewer", "Hvordan har du hatt det?", 0.5),
        ("participant", "Ganske tungt en stund. Men nå går det bedre.", 3.0),
    ]
