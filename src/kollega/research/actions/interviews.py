"""Interviews and their recordings (checked, encrypted, stored, rotated, deleted).

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

import errno
import tempfile
import uuid
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import recordings
from kollega.research.actions._shared import (
    refuse_larger_than,
    refuse_while_transcribing,
    upload_path,
)
from kollega.research.models import Interview, Participant, Recording, Wave
from kollega.speech import AudioError, load_audio


@transaction.atomic
def do_create_interview(
    actor: Actor,
    participant: Participant,
    *,
    kind: str,
    scheduled_on: date | None,
    language: str,
    wave: Wave | None = None,
) -> Interview:
    interview = Interview.objects.create(
        participant=participant,
        kind=kind,
        scheduled_on=scheduled_on,
        language=language,
        wave=wave,
    )
    record(
        actor,
        AuditAction.RESEARCH_INTERVIEW_CREATE,
        interview,
        participant=participant.pk,
        wave=wave.number if wave else None,
    )
    return interview


@transaction.atomic
def do_update_interview(
    actor: Actor,
    interview: Interview,
    *,
    kind: str,
    scheduled_on: date | None,
    language: str,
    wave: Wave | None = None,
) -> Interview:
    interview.kind, interview.scheduled_on, interview.language = kind, scheduled_on, language
    interview.wave = wave
    interview.save()
    record(
        actor, AuditAction.RESEARCH_INTERVIEW_UPDATE, interview, wave=wave.number if wave else None
    )
    return interview


def check_recording(upload: UploadedFile[Any]) -> tuple[float, int]:
    """Decode the upload to prove it is whole audio within the limits: (seconds, channels).

    Raises ActionRefused with the reason. The clear audio exists only in Django's upload
    temporary file (mode 0600) and, for small uploads, in memory.
    """
    if not upload.size:
        raise ActionRefused(_("The file is empty."))
    refuse_larger_than(upload, settings.KOLLEGA_MAX_RECORDING_MB)
    with upload_path(upload) as path:
        try:
            audio = load_audio(path, max_duration_s=settings.KOLLEGA_MAX_RECORDING_MINUTES * 60)
        except AudioError as exc:
            raise ActionRefused(_("This recording cannot be used: %s") % _reason(exc)) from None
    return audio.duration, len(audio.channels)


def _reason(exc: Exception) -> str:
    """The library's message without the temporary file's path in front."""
    message = str(exc)
    head, sep, tail = message.partition(": ")
    return tail if sep and ("/" in head or "\\" in head) else message


def do_store_recording(actor: Actor, interview: Interview, upload: UploadedFile[Any]) -> Recording:
    """Check, encrypt and store a recording, replacing the interview's earlier one."""
    refuse_while_transcribing(interview)
    duration, channels = check_recording(upload)
    upload.seek(0)
    # Encrypted in chunks, a chunk at a time, into a temporary file: never whole in memory.
    ciphertext = File(recordings.encrypted_file(upload))
    with transaction.atomic():
        Recording.objects.filter(interview=interview).delete()
        recording = Recording(
            interview=interview,
            size_bytes=upload.size or 0,
            duration_s=round(duration, 3),
            channels=channels,
        )
        with ciphertext:
            _save_file(recording, ciphertext)
        try:
            recording.save()
        except Exception:
            recording.file.delete(save=False)
            raise
        record(
            actor,
            AuditAction.RESEARCH_RECORDING_UPLOAD,
            recording,
            interview=interview.pk,
            seconds=round(duration),
            channels=channels,
        )
    return recording


def _save_file(recording: Recording, ciphertext: File[Any]) -> None:
    """Write the encrypted recording to file storage under a fresh random name.

    The name says nothing about the participant or the original file. A write that fails
    partway (a full disk) leaves no partial file behind and is refused with a clear message.
    """
    storage = recording.file.storage
    name = recording.file.field.generate_filename(recording, f"{uuid.uuid4().hex}.enc")
    try:
        stored = storage.save(name, ciphertext)
    except OSError as exc:
        storage.delete(name)  # the fresh name is ours alone: whatever is there is the partial write
        if exc.errno == errno.ENOSPC:
            raise ActionRefused(
                _(
                    "The recording could not be stored: the server's disk is full. Nothing was kept; please tell the administrator."
                )
            ) from None
        raise ActionRefused(
            _(
                "The recording could not be stored: the server could not write it. Nothing was kept; please try again."
            )
        ) from None
    recording.file.name = stored


@transaction.atomic
def do_delete_recording(actor: Actor, interview: Interview) -> None:
    recording = Recording.objects.filter(interview=interview).first()
    if recording is None:
        raise ActionRefused(_("This interview has no recording."))
    refuse_while_transcribing(interview)
    recording.delete()
    record(
        actor,
        AuditAction.RESEARCH_RECORDING_DELETE,
        object_type="research.recording",
        object_id=interview.pk,
        interview=interview.pk,
    )


def recording_bytes(recording: Recording) -> bytes:
    """The whole clear recording, in memory (tests and small files only; see
    ``recordings.write_clear`` for the worker's way)."""
    with recording.file.open("rb") as handle:
        return b"".join(recordings.open_clear(handle).read())


def rotate_recording_files() -> int:
    """Re-encrypt every recording under the first data key (``kollega rotate_data_keys``),
    in chunks (recordings stored whole before chunking are rewritten in chunks too).

    Each file is written anew and the row pointed at it before the old file is deleted, so an
    interrupted rotation leaves every recording readable with the keys still listed.
    """
    count = 0
    for pk in Recording.objects.values_list("pk", flat=True):
        with transaction.atomic():
            recording = Recording.objects.select_for_update().filter(pk=pk).first()
            if recording is None:
                continue
            with recording.file.open("rb") as handle, tempfile.TemporaryFile() as token:
                recordings.encrypt_to(recordings.open_clear(handle).as_file(), token)
                token.seek(0)
                old = str(recording.file.name)
                storage = recording.file.storage
                recording.file.save("recording.enc", File(token), save=False)
            recording.save(update_fields=["file"])
            transaction.on_commit(partial(storage.delete, old))
        count += 1
    return count
