"""Transcripts: imported from files and corrected in the editor.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.core.uploads import refuse_expanding_archive
from kollega.research.actions._shared import (
    refuse_larger_than,
    refuse_while_transcribing,
    upload_path,
)
from kollega.research.actions.deidentification import do_propose_identifiers
from kollega.research.models import Interview, Transcript, TranscriptSource, TurnMethod
from kollega.speech.transcript_files import TranscriptFileError, turns_from_file
from kollega.speech.types import TurnDict

# Transcripts bigger than this are not interview transcripts.
MAX_TRANSCRIPT_FILE_MB = 20


def do_import_transcript(
    actor: Actor, interview: Interview, upload: UploadedFile[Any]
) -> Transcript:
    """Replace the interview's transcript with one read from a .txt, .docx, .vtt or .srt file,
    and start proposing its identifiers in the background."""
    refuse_while_transcribing(interview)
    refuse_larger_than(upload, MAX_TRANSCRIPT_FILE_MB)
    refuse_expanding_archive(upload, max_mb=MAX_TRANSCRIPT_FILE_MB)
    suffix = Path(upload.name or "").suffix.lower()
    # A fixed name: messages then name the format, not the researcher's file name.
    with upload_path(upload, f"transcript{suffix}") as path:
        try:
            turns = merge_turns(turns_from_file(path, pseudonym=interview.participant.pseudonym))
        except TranscriptFileError as exc:
            raise ActionRefused(_("This file cannot be imported: %s") % exc) from None
    if not turns:
        raise ActionRefused(_("This file cannot be imported: it holds no text."))
    with transaction.atomic():
        Transcript.objects.filter(interview=interview).delete()
        transcript = Transcript(
            interview=interview,
            source=TranscriptSource.IMPORTED,
            turn_method=TurnMethod.FILE,
            settings_used={"format": suffix.lstrip(".")},
            language=interview.language,
        )
        transcript.set_turns(turns)
        transcript.save()
        record(
            actor,
            AuditAction.RESEARCH_TRANSCRIPT_IMPORT,
            transcript,
            interview=interview.pk,
            format=suffix.lstrip("."),
            turns=len(turns),
        )
        # A long file takes the rules a while: they run in the background.
        do_propose_identifiers(actor, transcript)
    return transcript


def clean_turn_text(text: str) -> str:
    """One paragraph per turn: blank lines inside a turn would break the offsets."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def merge_turns(turns: Iterable[Mapping[str, Any]]) -> list[TurnDict]:
    """Drop empty turns and join neighbours with the same speaker."""
    merged: list[TurnDict] = []
    for turn in turns:
        text = clean_turn_text(str(turn.get("text", "")))
        if not text:
            continue
        speaker = str(turn.get("speaker", "")).strip()
        if merged and merged[-1]["speaker"] == speaker:
            merged[-1]["text"] += " " + text
            merged[-1]["end"] = turn.get("end", merged[-1]["end"])
            continue
        merged.append(
            {"speaker": speaker, "start": turn.get("start"), "end": turn.get("end"), "text": text}
        )
    return merged


# A line holding only this, in a turn's text, splits the turn in two.
SPLIT_MARK = "---"


class TurnEdit(TypedDict):
    """One turn as the editor sends it back: the speaker chosen and the words."""

    speaker: str
    text: str


def split_turns(edits: Sequence[TurnEdit], old: Sequence[TurnDict]) -> list[TurnDict]:
    """Give each edited turn its times back, and split at lines holding only ``---``:
    the words after the mark go to the other of interviewer and participant.

    ``edits`` holds one entry per turn of ``old``, in order. A turn split in parts keeps its
    start on the first part and its end on the last.
    """
    out: list[TurnDict] = []
    for edited, before in zip(edits, old, strict=True):
        parts = _split_on_mark(edited["text"])
        speaker = edited["speaker"]
        for index, part in enumerate(parts):
            who = speaker if index % 2 == 0 else _other(speaker)
            out.append(
                {
                    "speaker": who,
                    "start": before.get("start") if index == 0 else None,
                    "end": before.get("end") if index == len(parts) - 1 else None,
                    "text": part,
                }
            )
    return out


def _split_on_mark(text: str) -> list[str]:
    parts: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == SPLIT_MARK:
            parts.append([])
        else:
            parts[-1].append(line)
    return ["\n".join(p) for p in parts]


def _other(speaker: str) -> str:
    return "participant" if speaker == "interviewer" else "interviewer"


def _locked_at(transcript: Transcript, version: int) -> Transcript:
    """The transcript, locked, if it is still at ``version``; ActionRefused if someone saved
    it in between (their work is not overwritten)."""
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.version != version:
        raise ActionRefused(
            _(
                "Someone saved this transcript after you opened it. Reload it and make your "
                "changes again."
            )
        )
    return current


@transaction.atomic
def do_save_transcript(
    actor: Actor, transcript: Transcript, *, turns: Iterable[Mapping[str, Any]], version: int
) -> bool:
    """Save the researcher's corrections. Returns whether the words changed.

    ``version`` is the version the editor was opened on; a newer one means someone saved in
    between, and this save is refused rather than overwrite their work. Changed words make
    earlier identifier proposals point at the wrong text, so those are dropped, and a
    de-identified transcript goes back to identifier review.
    """
    current = _locked_at(transcript, version)
    return _save_turns(actor, current, transcript, turns)


@transaction.atomic
def do_edit_transcript(
    actor: Actor, transcript: Transcript, *, edits: Sequence[TurnEdit], version: int
) -> bool:
    """Save the editor's form: ``edits`` holds each turn's speaker and words, in order.

    A line holding only ``---`` splits a turn (see :func:`split_turns`); neighbouring turns of
    one speaker are joined and empty turns dropped. Refused like :func:`do_save_transcript`;
    returns whether the words changed.
    """
    current = _locked_at(transcript, version)
    return _save_turns(actor, current, transcript, split_turns(edits, current.turns))


def _save_turns(
    actor: Actor, current: Transcript, transcript: Transcript, turns: Iterable[Mapping[str, Any]]
) -> bool:
    new_turns = merge_turns(turns)
    if not new_turns:
        raise ActionRefused(_("A transcript needs at least one turn with words."))
    old_text = current.text
    current.set_turns(new_turns)
    words_changed = current.text != old_text
    if words_changed:
        current.findings.all().delete()
        current.proposals_made = None
        # Changed words may hold new identifiers: the transcript goes back through review
        # (and analyses follow it only once it is de-identified again).
        current.deidentified = None
    current.version += 1
    current.updated = timezone.now()
    current.save()
    record(
        actor,
        AuditAction.RESEARCH_TRANSCRIPT_EDIT,
        current,
        interview=current.interview_id,
        turns=len(new_turns),
        words_changed=words_changed,
    )
    transcript.refresh_from_db()
    return words_changed
