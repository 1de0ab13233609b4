"""Every reader of uploaded or imported files, fed arbitrary and half-valid input: each either
reads it or raises its documented error, never anything else."""

from __future__ import annotations

import contextlib
import io
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kollega.speech import formats as speech_formats
from kollega.speech.transcript_files import TranscriptFileError, turns_from_file
from kollega.stc.errors import StcFormatError
from kollega.stc.io import (
    read_docx,
    read_qdc,
    read_qdpx,
    read_srt,
    read_txt,
    read_vtt,
    write_qdc,
    write_qdpx,
)
from tests.fuzz.conftest import PARSERS

STAMPS = st.sampled_from(
    ["00:00:01.000", "00:00:02,500", "1:02.5", "99:99:99.999", "00:00:00.000", "-1:00", "x", ""]
)
WORDS = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)


@st.composite
def cue_files(draw: st.DrawFn, *, vtt: bool) -> bytes:
    """Subtitle files that look almost right: real headers, odd times, tags and blank lines."""
    lines = ["WEBVTT", ""] if vtt and draw(st.booleans()) else []
    for number in range(draw(st.integers(0, 6))):
        if not vtt or draw(st.booleans()):
            lines.append(draw(st.sampled_from([str(number + 1), "", "NOTE", "x"])))
        arrow = draw(st.sampled_from([" --> ", "-->", " -> ", " --> "]))
        lines.append(
            draw(STAMPS) + arrow + draw(STAMPS) + draw(st.sampled_from(["", " align:start"]))
        )
        speaker = draw(st.sampled_from(["", "<v I>", "<v P01>", "<v>", "I: ", "<b>", "</v>"]))
        lines.append(speaker + draw(WORDS))
        lines.append("")
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def docx_files(draw: st.DrawFn) -> bytes:
    """Zip files shaped like .docx, with XML that may be broken, hostile or empty."""
    body = draw(
        st.sampled_from(
            [
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>',
                '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "{}">]><d>&e;</d>',
                "<w:document>{}",
                "{}",
            ]
        )
    )
    text = draw(WORDS).replace("<", "&lt;").replace("{", "").replace("}", "")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        if draw(st.booleans()):
            zf.writestr("[Content_Types].xml", "<Types/>")
        name = draw(st.sampled_from(["word/document.xml", "word/other.xml", "document.xml"]))
        zf.writestr(name, body.replace("{}", text))
    return buffer.getvalue()


@cache
def _valid_qdpx() -> bytes:
    from kollega.stc.demo import load_demo_project

    folder = Path(__import__("tempfile").mkdtemp(prefix="kollega-fuzz-"))
    write_qdpx(load_demo_project(), folder / "demo.qdpx")
    return (folder / "demo.qdpx").read_bytes()


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A valid file with bytes flipped, cut short, or with a stretch repeated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@st.composite
def qdpx_files(draw: st.DrawFn) -> bytes:
    """Either a mutated real project, or a zip holding a project.qde of random XML."""
    if draw(st.booleans()):
        return draw(mutated(_valid_qdpx()))
    buffer = io.BytesIO()
    root = draw(
        st.sampled_from(["Project", "CodeBook", "x", "Project xmlns='urn:QDA-XML:project:1.0'"])
    )
    inner = draw(
        st.lists(
            st.sampled_from(
                [
                    "<Users><User guid='u' name='{t}'/></Users>",
                    "<CodeBook><Codes><Code guid='c' name='{t}' isCodable='true'/></Codes></CodeBook>",
                    "<Sources><TextSource guid='s' name='{t}' plainTextPath='internal://s.txt'><PlainTextSelection guid='p' startPosition='-5' endPosition='{t}'/></TextSource></Sources>",
                    "<Sources><TextSource guid='s' name='n' plainTextPath='../../etc/passwd'/></Sources>",
                    "&undefined;",
                    "<![CDATA[{t}]]>",
                ]
            ),
            max_size=4,
        )
    )
    text = draw(WORDS).replace("<", "").replace("&", "").replace("'", "")
    xml = (
        f"<{root}>"
        + "".join(part.replace("{t}", text) for part in inner)
        + "</"
        + root.split()[0]
        + ">"
    )
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", xml)
        if draw(st.booleans()):
            zf.writestr("sources/s.txt", text)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _stc_reads(reader: object, path: Path) -> None:
    with contextlib.suppress(StcFormatError):
        reader(path)  # type: ignore[operator]


@PARSERS
@given(data=st.one_of(st.binary(max_size=2000), cue_files(vtt=True), cue_files(vtt=False)))
def test_transcript_text_readers_read_or_refuse(tmp_path: Path, data: bytes) -> None:
    for name, reader in [("t.txt", read_txt), ("t.vtt", read_vtt), ("t.srt", read_srt)]:
        _stc_reads(reader, _write(tmp_path, name, data))


@PARSERS
@given(data=st.one_of(st.binary(max_size=2000), docx_files()))
def test_the_docx_reader_reads_or_refuses(tmp_path: Path, data: bytes) -> None:
    _stc_reads(read_docx, _write(tmp_path, "t.docx", data))


@PARSERS
@given(data=st.one_of(st.binary(max_size=3000), qdpx_files()))
def test_the_qdpx_reader_reads_or_refuses(tmp_path: Path, data: bytes) -> None:
    _stc_reads(read_qdpx, _write(tmp_path, "p.qdpx", data))


@cache
def _valid_qdc() -> bytes:
    from kollega.stc.demo import load_demo_project

    project = load_demo_project()
    folder = Path(__import__("tempfile").mkdtemp(prefix="kollega-fuzz-"))
    write_qdc(project.code_groups, folder / "c.qdc", categories=project.categories)
    return (folder / "c.qdc").read_bytes()


@PARSERS
@given(data=st.one_of(st.binary(max_size=2000), st.deferred(lambda: mutated(_valid_qdc()))))
def test_the_codebook_reader_reads_or_refuses(tmp_path: Path, data: bytes) -> None:
    _stc_reads(read_qdc, _write(tmp_path, "c.qdc", data))


@PARSERS
@given(
    data=st.one_of(st.binary(max_size=2000), cue_files(vtt=True), cue_files(vtt=False)),
    suffix=st.sampled_from([".txt", ".docx", ".vtt", ".srt", ".pdf", ""]),
)
def test_the_research_import_reads_or_refuses(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = _write(tmp_path, f"transcript{suffix}", data)
    try:
        turns = turns_from_file(path, pseudonym="P01")
    except TranscriptFileError:
        return
    assert all(turn["text"].strip() for turn in turns)


@PARSERS
@given(data=st.one_of(st.binary(max_size=2000), cue_files(vtt=True), cue_files(vtt=False)))
def test_the_speech_subtitle_readers_read_or_refuse(tmp_path: Path, data: bytes) -> None:
    for name, reader in [("s.vtt", speech_formats.read_vtt), ("s.srt", speech_formats.read_srt)]:
        with contextlib.suppress(ValueError):
            reader(_write(tmp_path, name, data))


@PARSERS
@given(stamp=st.one_of(st.text(max_size=20), STAMPS))
def test_timestamps_parse_or_refuse(stamp: str) -> None:
    try:
        seconds = speech_formats.parse_timestamp(stamp)
    except ValueError:
        return
    assert seconds >= 0


@pytest.mark.django_db
@PARSERS
@given(where=st.text(max_size=200), minutes=st.integers(1, 600))
def test_calendar_files_stay_valid_icalendar(where: str, minutes: int) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from icalendar import Calendar

    from kollega.service.ics import calendar_file

    starts = timezone.now()
    response = calendar_file(
        uid_seed="fuzz", starts=starts, ends=starts + timedelta(minutes=minutes), where=where
    )
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"])
