"""The one package where the Django apps convert to and from :mod:`kollega.stc` records.

Keeping the conversion here lets ``kollega.stc`` stay a pure library that the apps never
reach into directly (an import-linter contract holds them to it). Its modules follow the
steps: ``coding`` (the embedder, suggested themes and code groups), ``agreement``,
``project`` (the whole analysis as one project, and the recontextualisation check),
``condensation`` (step 3's assistants) and ``refi`` (REFI-QDA files); callers import any of
their names from here.

The parts of ``kollega.stc`` that load numerical libraries or models (``steps``, ``assist``,
``agreement``, ``llm``, ``io``) are imported inside the functions that use them, so that a
page which does not analyse does not pay for loading them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kollega.workbench.adapters.agreement import agreement
from kollega.workbench.adapters.coding import (
    embedder_name,
    model_of,
    suggest_codes,
    suggest_themes,
)
from kollega.workbench.adapters.condensation import (
    draft_condensate,
    rank_golden_quotes,
    suggest_subgroups,
)
from kollega.workbench.adapters.project import (
    ID_KINDS,
    ExchangeError,
    plain_project,
    project_data,
    project_data_and_check,
    project_data_only,
    recontextualisation,
    split_id,
    stc_project,
)
from kollega.workbench.adapters.refi import (
    read_qdc,
    read_qdpx,
    validate_qdpx,
    write_qdc,
    write_qdpx,
)

__all__ = [
    "ID_KINDS",
    "ExchangeError",
    "TranscriptFileError",
    "agreement",
    "draft_condensate",
    "embedder_name",
    "model_of",
    "plain_project",
    "project_data",
    "project_data_and_check",
    "project_data_only",
    "rank_golden_quotes",
    "read_qdc",
    "read_qdpx",
    "recontextualisation",
    "speaker_role",
    "split_id",
    "stc_project",
    "suggest_codes",
    "suggest_subgroups",
    "suggest_themes",
    "turns_from_file",
    "validate_qdpx",
    "write_qdc",
    "write_qdpx",
]

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


def turns_from_file(path: str | Path, *, pseudonym: str = "") -> list[dict[str, Any]]:
    """Read a .txt, .docx, .vtt or .srt transcript as turns for ``research.Transcript``.

    Each turn is ``{"speaker", "start", "end", "text"}``; times are seconds or None (text
    formats carry none). Raises :class:`TranscriptFileError` for anything unreadable.
    """
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io.transcripts import read_transcript

    if Path(path).suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise TranscriptFileError(f"{Path(path).name}: use a .txt, .docx, .vtt or .srt file")
    try:
        transcript = read_transcript(path)
    except StcFormatError as exc:
        raise TranscriptFileError(str(exc)) from None
    turns = [
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
