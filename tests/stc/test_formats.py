from __future__ import annotations

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.stc import StcFormatError
from kollega.stc.io import (
    read_docx,
    read_srt,
    read_transcript,
    read_txt,
    read_vtt,
    write_srt,
    write_txt,
    write_vtt,
)
from kollega.stc.types import Span


def test_txt_speaker_turns_point_at_what_was_said(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(
        "Intervjuer: Hvordan gikk det?\r\n\r\nLege A: Jeg sov dårlig.\r\nVeldig dårlig.\r\n".encode()
    )
    t = read_txt(f)
    assert [tt.speaker for tt in t.turns] == ["Intervjuer", "Lege A"]
    assert t.text[t.turns[1].start : t.turns[1].end] == "Jeg sov dårlig.\nVeldig dårlig."
    assert "\r" not in t.text


def test_txt_bracket_ids_are_turns(tmp_path):
    f = tmp_path / "b.txt"
    f.write_text("[I] What happened?\n[P3] A colleague called me.\n", encoding="utf-8")
    t = read_txt(f)
    assert [(x.speaker, t.text[x.start : x.end]) for x in t.turns] == [
        ("I", "What happened?"),
        ("P3", "A colleague called me."),
    ]


def test_non_utf8_text_gets_a_clear_error(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Lege: Jeg var sliten og trøtt".encode("latin-1"))
    with pytest.raises(StcFormatError, match="not UTF-8"):
        read_txt(f)


def test_docx_paragraphs_become_turns(tmp_path):
    d = docx.Document()
    d.add_paragraph("Interviewer: Why did you call?")
    d.add_paragraph("Doctor: Because I could not go on like that.")
    d.save(tmp_path / "i.docx")
    t = read_docx(tmp_path / "i.docx")
    assert t.turns[1].speaker == "Doctor"
    assert t.text[t.turns[1].start : t.turns[1].end] == "Because I could not go on like that."


def test_corrupt_docx_is_refused(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(StcFormatError, match="docx"):
        read_docx(tmp_path / "x.docx")


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.500
<v Interviewer>How are you now?

00:00:05.000 --> 00:00:09.250
<v Lege B>Bedre. Jeg sover igjen.

00:00:09.250 --> 00:00:12.000
<v Lege B>Og jeg har sagt nei til sykehjemmet.
"""


def test_vtt_voices_times_and_merged_cues(tmp_path):
    (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
    t = read_vtt(tmp_path / "a.vtt")
    assert [x.speaker for x in t.turns] == ["Interviewer", "Lege B"]
    b = t.turns[1]
    assert (b.time_start, b.time_end) == (5.0, 12.0)
    assert t.text[b.start : b.end] == "Bedre. Jeg sover igjen. Og jeg har sagt nei til sykehjemmet."


def test_a_speaker_named_twice_in_a_cue_is_labelled_once(tmp_path):
    (tmp_path / "a.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Intervjuer>Intervjuer: Hvordan var det?\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Lege>Det var tungt.\n",
        encoding="utf-8",
    )
    t = read_vtt(tmp_path / "a.vtt")
    assert t.text == "Intervjuer: Hvordan var det?\n\nLege: Det var tungt."
    assert t.excerpt(Span(t.id, t.turns[0].start, t.turns[0].end)) == "Hvordan var det?"


def test_vtt_srt_and_txt_convert_into_each_other(tmp_path):
    (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
    t = read_vtt(tmp_path / "a.vtt")
    write_srt(t, tmp_path / "b.srt")
    s = read_srt(tmp_path / "b.srt")
    write_vtt(s, tmp_path / "c.vtt")
    v = read_vtt(tmp_path / "c.vtt")
    write_txt(v, tmp_path / "d.txt")
    x = read_txt(tmp_path / "d.txt")
    assert s.text == v.text == x.text == t.text
    assert s.turns == v.turns == t.turns
    assert [(y.speaker, y.start, y.end) for y in x.turns] == [
        (y.speaker, y.start, y.end) for y in t.turns
    ]


@pytest.mark.parametrize(
    ("suffix", "content", "message"),
    [
        (".vtt", "00:00:01.000 --> 00:00:02.000\nhi\n", "must start with 'WEBVTT'"),
        (".srt", "1\n00:00:01,000 --> 00:00:00,500\nhi\n", "ends before it starts"),
        (".srt", "1\nno timing here\n", "without a timing line"),
        (".pdf", "x", "unknown transcript format"),
    ],
)
def test_malformed_subtitles_name_the_problem(tmp_path, suffix, content, message):
    f = tmp_path / f"x{suffix}"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(StcFormatError, match=message):
        read_transcript(f)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".vtt", ".srt", ".docx"]))
def test_random_bytes_give_a_transcript_or_stc_format_error(tmp_path_factory, data, suffix):
    f = tmp_path_factory.mktemp("fuzz") / f"x{suffix}"
    f.write_bytes(data)
    try:
        t = read_transcript(f)
    except StcFormatError:
        return
    assert all(0 <= x.start <= x.end <= len(t.text) for x in t.turns)
