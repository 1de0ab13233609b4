"""Transcript files: ``.txt``, ``.docx``, WebVTT ``.vtt`` and SubRip ``.srt``.

Readers return a `Transcript` whose text is NFC with ``\\n`` line ends and whose turns
point into it. Subtitle readers build the text as ``Speaker: words`` paragraphs, which
is also what `write_txt` writes, so every format converts to every other.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from kollega.stc.errors import StcFormatError
from kollega.stc.io._zip import check_expanded
from kollega.stc.text import parse_turns
from kollega.stc.types import Transcript, Turn, new_id, normalise_text

__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "read_docx",
    "read_srt",
    "read_transcript",
    "read_txt",
    "read_vtt",
    "transcript_from_turns",
    "write_srt",
    "write_txt",
    "write_vtt",
]

MAX_TRANSCRIPT_BYTES = 50 * 1024 * 1024
# What the parts of one .docx may expand to: a long transcript's document.xml is a few MB.
MAX_DOCX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_DOCX_EXPANDED_BYTES = 128 * 1024 * 1024


def _read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise StcFormatError(f"{p.name}: {size} bytes is more than a transcript can be")
        return p.read_bytes()
    except OSError as exc:
        raise StcFormatError(f"{p}: cannot read ({exc.strerror})") from exc


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else UTF-16 with BOM; anything else is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise StcFormatError(f"{name}: invalid UTF-16 text") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StcFormatError(
            f"{name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc
    if "\x00" in text:
        raise StcFormatError(f"{name}: contains NUL characters; not a text file")
    return text


def transcript_from_text(text: str, *, name: str, transcript_id: str | None = None) -> Transcript:
    text = normalise_text(text)
    return Transcript(id=transcript_id or new_id(), name=name, text=text, turns=parse_turns(text))


def read_txt(path: str | Path, *, transcript_id: str | None = None) -> Transcript:
    """A plain-text transcript with ``Speaker: text`` or ``[id] text`` turns."""
    p = Path(path)
    return transcript_from_text(
        decode_text(_read_bytes(p), p.name), name=p.stem, transcript_id=transcript_id
    )


def write_txt(transcript: Transcript, path: str | Path) -> None:
    Path(path).write_text(transcript.text, encoding="utf-8", newline="\n")


def docx_text(data: bytes, name: str) -> str:
    """The paragraphs of a ``.docx`` document, one per line.

    The parts are decompressed and counted first (`check_expanded`), so a document
    that expands past ``MAX_DOCX_EXPANDED_BYTES`` is refused in bounded memory.
    """
    # Inside: python-docx (and lxml) take about 0.1 s to import, paid only for .docx files.
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_expanded(
                zf,
                member_limit=MAX_DOCX_MEMBER_BYTES,
                total_limit=MAX_DOCX_EXPANDED_BYTES,
                label=name,
            )
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise StcFormatError(f"{name}: not a readable .docx file ({exc})") from exc
    except Exception as exc:  # python-docx raises lxml and package errors of many kinds
        raise StcFormatError(f"{name}: not a readable .docx file ({type(exc).__name__})") from exc
    return "\n".join(p.text for p in document.paragraphs)


def read_docx(path: str | Path, *, transcript_id: str | None = None) -> Transcript:
    """A Word transcript: paragraphs with ``Speaker: text`` or ``[id] text`` turns."""
    p = Path(path)
    return transcript_from_text(
        docx_text(_read_bytes(p), p.name), name=p.stem, transcript_id=transcript_id
    )


def transcript_from_turns(
    turns: Sequence[tuple[str, str, float | None, float | None]],
    *,
    name: str,
    transcript_id: str | None = None,
) -> Transcript:
    """Build a transcript from ``(speaker, words, start_s, end_s)``; consecutive cues of
    one speaker join into one turn. The text reads ``Speaker: words`` per paragraph; words
    that already begin with ``Speaker:`` are not labelled twice."""
    merged: list[tuple[str, str, float | None, float | None]] = []
    for speaker, said, t0, t1 in turns:
        said = normalise_text(" ".join(said.split()))
        # A cue may carry its speaker twice (a voice tag and a "Name:" prefix); the label
        # below is the only one.
        if speaker and said.casefold().startswith(f"{speaker}:".casefold()):
            said = said[len(speaker) + 1 :].lstrip()
        if not said:
            continue
        if merged and merged[-1][0] == speaker:
            prev = merged[-1]
            merged[-1] = (speaker, f"{prev[1]} {said}", prev[2], t1)
        else:
            merged.append((speaker, said, t0, t1))
    parts: list[str] = []
    out: list[Turn] = []
    pos = 0
    for speaker, said, t0, t1 in merged:
        label = f"{speaker}: " if speaker else ""
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(label + said)
        start = pos + len(label)
        pos = start + len(said)
        out.append(Turn(speaker=speaker, start=start, end=pos, time_start=t0, time_end=t1))
    return Transcript(id=transcript_id or new_id(), name=name, text="".join(parts), turns=out)


_TIME_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_CUE_TIME_RE = re.compile(rf"^\s*({_TIME_RE.pattern})\s*-->\s*({_TIME_RE.pattern})")
_VOICE_RE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG_RE = re.compile(r"</?[^>]+>")
_NAME_RE = re.compile(r"^([^\W\d_][^:\n]{0,39}):\s+")


def _seconds(m: re.Match[str], name: str) -> float:
    h, mi, s, ms = (int(g) if g else 0 for g in m.groups())
    if mi >= 60 or s >= 60:
        raise StcFormatError(f"{name}: bad timestamp {m.group(0)!r}")
    return h * 3600 + mi * 60 + s + ms / 1000


def _read_cues(text: str, name: str, *, vtt: bool) -> Transcript:
    text = normalise_text(text)
    blocks = re.split(r"\n\s*\n", text.strip())
    if vtt:
        if not blocks or not blocks[0].startswith("WEBVTT"):
            raise StcFormatError(f"{name}: a WebVTT file must start with 'WEBVTT'")
        blocks = blocks[1:]
    cues: list[tuple[str, str, float | None, float | None]] = []
    for block in blocks:
        lines = block.split("\n")
        if vtt and lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        idx = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if idx is None or idx > 1:
            raise StcFormatError(f"{name}: cue without a timing line: {block[:40]!r}")
        m = _CUE_TIME_RE.match(lines[idx])
        if m is None:
            raise StcFormatError(f"{name}: bad timing line {lines[idx]!r}")
        t0 = _seconds(_TIME_RE.match(m.group(1)), name)  # type: ignore[arg-type]
        t1 = _seconds(_TIME_RE.match(m.group(6)), name)  # type: ignore[arg-type]
        if t1 < t0:
            raise StcFormatError(f"{name}: cue ends before it starts: {lines[idx]!r}")
        body = " ".join(lines[idx + 1 :]).strip()
        speaker = ""
        v = _VOICE_RE.match(body)
        if v:
            speaker = v.group(1).strip()
        body = _TAG_RE.sub("", body).strip()
        if not speaker and (n := _NAME_RE.match(body)):
            speaker, body = n.group(1).strip(), body[n.end() :]
        cues.append((speaker, body, t0, t1))
    return transcript_from_turns(cues, name=name)


def read_vtt(path: str | Path, *, transcript_id: str | None = None) -> Transcript:
    """WebVTT with ``<v Speaker>`` voice tags or ``Speaker: `` prefixes."""
    p = Path(path)
    t = _read_cues(decode_text(_read_bytes(p), p.name), p.stem, vtt=True)
    t.id = transcript_id or t.id
    return t


def read_srt(path: str | Path, *, transcript_id: str | None = None) -> Transcript:
    """SubRip with optional ``Speaker: `` prefixes."""
    p = Path(path)
    t = _read_cues(decode_text(_read_bytes(p), p.name), p.stem, vtt=False)
    t.id = transcript_id or t.id
    return t


def _stamp(seconds: float | None, sep: str) -> str:
    ms = round((seconds or 0.0) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cue_times(transcript: Transcript) -> list[tuple[Turn, float, float]]:
    out: list[tuple[Turn, float, float]] = []
    clock = 0.0
    for turn in transcript.turns:
        t0 = turn.time_start if turn.time_start is not None else clock
        t1 = turn.time_end if turn.time_end is not None else t0
        out.append((turn, t0, t1))
        clock = t1
    return out


def write_vtt(transcript: Transcript, path: str | Path) -> None:
    """One cue per turn, speakers as ``<v>`` voice tags; turns without times get 0 length."""
    lines = ["WEBVTT", ""]
    for turn, t0, t1 in _cue_times(transcript):
        words_ = " ".join(transcript.text[turn.start : turn.end].split())
        voice = f"<v {turn.speaker}>" if turn.speaker else ""
        lines += [f"{_stamp(t0, '.')} --> {_stamp(t1, '.')}", voice + words_, ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8", newline="\n")


def write_srt(transcript: Transcript, path: str | Path) -> None:
    """One numbered cue per turn, speakers as ``Speaker: `` prefixes."""
    lines: list[str] = []
    for i, (turn, t0, t1) in enumerate(_cue_times(transcript), start=1):
        words_ = " ".join(transcript.text[turn.start : turn.end].split())
        label = f"{turn.speaker}: " if turn.speaker else ""
        lines += [str(i), f"{_stamp(t0, ',')} --> {_stamp(t1, ',')}", label + words_, ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8", newline="\n")


def read_transcript(path: str | Path) -> Transcript:
    """Read ``.txt``, ``.docx``, ``.vtt`` or ``.srt`` by the file's suffix."""
    suffix = Path(path).suffix.lower()
    readers = {".txt": read_txt, ".docx": read_docx, ".vtt": read_vtt, ".srt": read_srt}
    if suffix not in readers:
        raise StcFormatError(f"{Path(path).name}: unknown transcript format {suffix!r}")
    return readers[suffix](path)
