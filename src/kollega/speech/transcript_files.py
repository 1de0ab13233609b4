"""Transcripts read from files (.txt, .docx, .vtt, .srt) as speaker turns.

Speaker labels that transcribers commonly write are taken as the interview's two roles
(``interviewer`` and ``participant``); any other label is kept as written.
"""

from __future__ import annotations

from pathlib import Path

from kollega.speech.types import TurnDict
from kollega.stc.errors import StcFormatError
from kollega.stc.io.transcripts import read_transcript

# Speaker labels that transcribers commonly write, in Norwegian and English.
INTERVIEWER_LABELS = {"i", "int", "intervjuer", "interviewer", "forsker", "researcher", "moderator"}
PARTICIPANT_LABELS = {
    "p",
    "d",
    "deltaker",
    "deltakar",
    "participant",
    "informant",
    "respondent",
    "interviewee",
    "lege",
}
TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt")


class TranscriptFileError(ValueError):
    """The file is not a transcript Kollega can read; the message says why, for people."""


def speaker_role(label: str, *, pseudonym: str = "") -> str:
    """``interviewer`` or ``participant`` for labels that clearly mean one, else the label."""
    key = label.strip().rstrip(".").lower()
    if key in INTERVIEWER_LABELS:
        return "interviewer"
    if key in PARTICIPANT_LABELS or (pseudonym and key == pseudonym.lower()):
        return "participant"
    return label.strip() or "speaker"


def turns_from_file(path: str | Path, *, pseudonym: str = "") -> list[TurnDict]:
    """Read a .txt, .docx, .vtt or .srt transcript as turns.

    Times are seconds or None (text formats carry none); a label equal to ``pseudonym`` is
    the participant. Raises :class:`TranscriptFileError` for anything unreadable.
    """
    if Path(path).suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise TranscriptFileError(f"{Path(path).name}: use a .txt, .docx, .vtt or .srt file")
    try:
        transcript = read_transcript(path)
    except StcFormatError as exc:
        raise TranscriptFileError(str(exc)) from None
    turns: list[TurnDict] = [
        {
            "speaker": speaker_role(turn.speaker, pseudonym=pseudonym),
            "start": turn.time_start,
            "end": turn.time_end,
            "text": transcript.text[turn.start : turn.end],
        }
        for turn in transcript.turns
        if transcript.text[turn.start : turn.end].strip()
    ]
    if not turns:
        raise TranscriptFileError(f"{Path(path).name}: the file holds no text")
    return turns
