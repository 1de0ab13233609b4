"""Writers and readers for transcripts: WebVTT, SubRip and plain text.

The writers take a :class:`SpeechTranscript` or, for WebVTT and plain text, a transcript's
turns as plain data (:class:`TurnDict`). From a SpeechTranscript they produce one cue per
segment, labelled with its turn's speaker (``<v speaker>`` in WebVTT, ``speaker: `` in SRT);
from plain turns one cue per turn. Files are written to a temporary name and renamed, so a
killed job never leaves a half-written transcript. ``read_vtt``/``read_srt`` read back what
the writers wrote (and plain cues without speakers).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kollega.speech.turns import merge_turns
from kollega.speech.types import Segment, SpeechTranscript, TurnDict, TurnMethod

if TYPE_CHECKING:
    from kollega.stc.types import Transcript as StcTranscript

_VTT_TIME = re.compile(
    r"(?P<a>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})\s+-->\s+(?P<b>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})"
)
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+(?P<speaker>[^>]+)>(?P<text>.*?)(?:</v>)?$", re.S)
_SRT_SPEAKER = re.compile(r"^(?P<speaker>[\w .'-]{1,40}): (?P<text>.*)$", re.S)


def format_timestamp(seconds: float, *, sep: str = ".", hours: bool = True) -> str:
    """``HH:MM:SS.mmm`` (``sep=","`` for SRT; ``hours=False`` drops a zero hour)."""
    millis = round(max(seconds, 0.0) * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    stamp = f"{m:02d}:{s:02d}{sep}{ms:03d}"
    return f"{h:02d}:{stamp}" if hours or h else stamp


_STAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)")


def parse_timestamp(stamp: str) -> float:
    """Seconds from ``[HH:]MM:SS.mmm`` or ``HH:MM:SS,mmm``; ValueError for anything else."""
    match = _STAMP.fullmatch(stamp.strip())
    if match is None:
        raise ValueError(f"not a timestamp: {stamp!r}")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))


def _labelled(transcript: SpeechTranscript) -> Iterator[tuple[Segment, str]]:
    for turn in transcript.turns:
        for seg in turn.segments:
            yield seg, turn.speaker


def cue_times(turns: Sequence[TurnDict]) -> list[tuple[float, float]] | None:
    """Each turn's start and end for subtitles, or None when some turn has no time to take.

    A time lost by splitting a turn is the nearest known time before (for a start) or after
    (for an end), looking at most two turns away, so the parts of a split turn span the turn
    they came from. A text file's turns have no times at all.
    """
    times = []
    for i, turn in enumerate(turns):
        start = turn.get("start")
        for before in reversed(turns[max(0, i - 2) : i]):
            if start is not None:
                break
            start = before.get("end") if before.get("end") is not None else before.get("start")
        end = turn.get("end")
        for after in turns[i + 1 : i + 3]:
            if end is not None:
                break
            end = after.get("start") if after.get("start") is not None else after.get("end")
        if start is None or end is None:
            return None
        times.append((float(start), max(float(start), float(end))))
    return times


def to_vtt(transcript: SpeechTranscript | Sequence[TurnDict]) -> str:
    """WebVTT with a ``<v speaker>`` tag on each cue.

    A :class:`SpeechTranscript` gives one cue per segment; plain turns give one cue per turn,
    timed by :func:`cue_times`. Raises ValueError for plain turns that have no times.
    """
    if isinstance(transcript, SpeechTranscript):
        cues = [(seg.start, seg.end, speaker, seg.text) for seg, speaker in _labelled(transcript)]
    else:
        times = cue_times(transcript)
        if times is None:
            raise ValueError("WebVTT needs times, and some turn has none to take")
        cues = [
            (start, end, turn["speaker"], turn["text"])
            for (start, end), turn in zip(times, transcript, strict=True)
        ]
    return "WEBVTT\n\n" + "".join(
        f"{format_timestamp(start)} --> {format_timestamp(end)}\n<v {speaker}>{text}\n\n"
        for start, end, speaker, text in cues
    )


def to_srt(transcript: SpeechTranscript) -> str:
    cues = [
        f"{i}\n{format_timestamp(seg.start, sep=',')} --> {format_timestamp(seg.end, sep=',')}\n"
        f"{speaker}: {seg.text}"
        for i, (seg, speaker) in enumerate(_labelled(transcript), start=1)
    ]
    return "".join(cue + "\n\n" for cue in cues)


def to_txt(transcript: SpeechTranscript | Sequence[TurnDict], *, timestamps: bool = True) -> str:
    """One paragraph per turn: ``[HH:MM:SS] speaker: text`` (no stamp where a turn has no
    start time, as a plain turn from a text file)."""
    turns: list[tuple[float | None, str, str]]
    if isinstance(transcript, SpeechTranscript):
        turns = [(turn.start, turn.speaker, turn.text) for turn in transcript.turns]
    else:
        turns = [(turn.get("start"), turn["speaker"], turn["text"]) for turn in transcript]
    lines = []
    for start, speaker, text in turns:
        stamp = f"[{format_timestamp(start)[:8]}] " if timestamps and start is not None else ""
        lines.append(f"{stamp}{speaker}: {text}")
    return "\n\n".join(lines) + "\n"


def write_vtt(transcript: SpeechTranscript, path: str | os.PathLike[str]) -> None:
    write_text_atomic(path, to_vtt(transcript))


def write_srt(transcript: SpeechTranscript, path: str | os.PathLike[str]) -> None:
    write_text_atomic(path, to_srt(transcript))


def write_txt(transcript: SpeechTranscript, path: str | os.PathLike[str]) -> None:
    write_text_atomic(path, to_txt(transcript))


def read_vtt(path: str | os.PathLike[str], *, language: str = "") -> SpeechTranscript:
    """Read a WebVTT file; ``<v speaker>`` tags become turns. Raises ValueError if not WebVTT."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if not text.startswith("WEBVTT"):
        raise ValueError(f"{path}: not a WebVTT file (no WEBVTT header)")
    return _from_cues(text, _VOICE, language)


def read_srt(path: str | os.PathLike[str], *, language: str = "") -> SpeechTranscript:
    """Read a SubRip file; a ``speaker: `` prefix becomes the turn's speaker."""
    return _from_cues(Path(path).read_text(encoding="utf-8-sig"), _SRT_SPEAKER, language)


def _from_cues(text: str, speaker_pattern: re.Pattern[str], language: str) -> SpeechTranscript:
    segments: list[Segment] = []
    labels: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            match = _VTT_TIME.search(line)
            if match is None:
                continue
            body = "\n".join(lines[i + 1 :]).strip()
            voice = speaker_pattern.match(body)
            speaker = voice["speaker"].strip() if voice else "speaker"
            segments.append(
                Segment(
                    start=parse_timestamp(match["a"]),
                    end=parse_timestamp(match["b"]),
                    text=(voice["text"] if voice else body).strip(),
                )
            )
            labels.append(speaker)
            break
    turns = merge_turns(segments, labels)
    method: TurnMethod = "none"
    return SpeechTranscript(
        language=language,
        duration=max((s.end for s in segments), default=0.0),
        segments=tuple(segments),
        turns=turns,
        turn_method=method,
        model="",
        speakers=tuple(dict.fromkeys(labels)),
    )


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_stc_transcript(
    transcript: SpeechTranscript, *, name: str, transcript_id: str | None = None
) -> StcTranscript:
    """The transcript as a ``kollega.stc`` Transcript (one paragraph per turn, with times)."""
    # Imported when used: it loads a model or numerical libraries, slow to import.
    from kollega.stc.io.transcripts import transcript_from_turns

    stc = transcript_from_turns(
        [(turn.speaker, turn.text, turn.start, turn.end) for turn in transcript.turns],
        name=name,
        transcript_id=transcript_id,
    )
    stc.language = transcript.language
    return stc
