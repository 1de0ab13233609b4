"""Every change to research records: one transaction and one audit event each.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

import errno
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core import crypto
from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.uploads import refuse_expanding_archive
from kollega.research.models import (
    ACTIVE_JOB_STATUSES,
    TURN_SEPARATOR,
    Finding,
    FindingDecision,
    Interview,
    JobStatus,
    Participant,
    Recording,
    Study,
    Transcript,
    TranscriptionJob,
    TranscriptSource,
    TurnMethod,
)

# A job whose worker has said nothing for this long is presumed dead and may be cancelled.
STALE_JOB = timedelta(minutes=10)

# Placeholders written into de-identified text, in the transcript's language.
PLACEHOLDERS = {
    "nb": {
        "person": "navn",
        "place": "sted",
        "employer": "arbeidsgiver",
        "date": "dato",
        "age": "alder",
        "phone": "telefon",
        "email": "e-post",
        "national_id": "fødselsnummer",
        "address": "adresse",
    },
    "en": {
        "person": "name",
        "place": "place",
        "employer": "employer",
        "date": "date",
        "age": "age",
        "phone": "phone",
        "email": "e-mail",
        "national_id": "national ID",
        "address": "address",
    },
}
PLACEHOLDERS["nn"] = PLACEHOLDERS["nb"] | {"person": "namn", "place": "stad"}


# --- Studies and participants ---------------------------------------------------------------


@transaction.atomic
def do_create_study(actor: Any, *, title: str, aims: str, language: str) -> Study:
    study = Study.objects.create(title=title, aims=aims, language=language)
    study.researchers.add(actor)
    record(actor, "research.study.create", study)
    return study


@transaction.atomic
def do_update_study(
    actor: Any, study: Study, *, title: str, aims: str, language: str, researchers: Iterable[Any]
) -> Study:
    chosen = {user.pk for user in researchers}
    if actor.pk not in chosen:
        raise ActionRefused(_("You cannot take yourself off the study."))
    study.title, study.aims, study.language = title, aims, language
    study.save()
    study.researchers.set(chosen)
    record(actor, "research.study.update", study, researchers=sorted(chosen))
    return study


@transaction.atomic
def do_add_participant(actor: Any, study: Study, *, pseudonym: str) -> Participant:
    if study.participants.filter(pseudonym__iexact=pseudonym).exists():
        raise ActionRefused(_("This study already has a participant called %s.") % pseudonym)
    participant = Participant.objects.create(study=study, pseudonym=pseudonym)
    record(actor, "research.participant.add", participant, study=study.pk)
    return participant


def next_pseudonym(study: Study) -> str:
    """P01, P02, ... the first free one."""
    taken = {p.upper() for p in study.participants.values_list("pseudonym", flat=True)}
    n = 1
    while f"P{n:02d}" in taken:
        n += 1
    return f"P{n:02d}"


@transaction.atomic
def do_withdraw_participant(actor: Any, participant: Participant) -> dict[str, int]:
    """Delete everything the study holds about the participant, recordings' files included."""
    interviews = participant.interviews.all()
    counts = {
        "interviews": interviews.count(),
        "recordings": Recording.objects.filter(interview__in=interviews).count(),
        "transcripts": Transcript.objects.filter(interview__in=interviews).count(),
    }
    for job in TranscriptionJob.objects.filter(
        interview__in=interviews, status__in=ACTIVE_JOB_STATUSES
    ):
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    study_pk, participant_pk = participant.study_id, participant.pk
    participant.delete()
    record(
        actor,
        "research.participant.withdraw",
        None,
        object_type="research.participant",
        object_id=participant_pk,
        study=study_pk,
        deleted=counts,
    )
    return counts


# --- Interviews and recordings -------------------------------------------------------------


@transaction.atomic
def do_create_interview(
    actor: Any, participant: Participant, *, kind: str, scheduled_on: date | None, language: str
) -> Interview:
    interview = Interview.objects.create(
        participant=participant, kind=kind, scheduled_on=scheduled_on, language=language
    )
    record(actor, "research.interview.create", interview, participant=participant.pk)
    return interview


@transaction.atomic
def do_update_interview(
    actor: Any, interview: Interview, *, kind: str, scheduled_on: date | None, language: str
) -> Interview:
    interview.kind, interview.scheduled_on, interview.language = kind, scheduled_on, language
    interview.save()
    record(actor, "research.interview.update", interview)
    return interview


def _active_job(interview: Interview) -> TranscriptionJob | None:
    return interview.transcription_jobs.filter(status__in=ACTIVE_JOB_STATUSES).first()


def _refuse_while_transcribing(interview: Interview) -> None:
    if _active_job(interview) is not None:
        raise ActionRefused(_("Wait for the transcription to finish or cancel it first."))


def _refuse_larger_than(upload: UploadedFile[Any], limit_mb: int) -> None:
    if (upload.size or 0) > limit_mb * 1024 * 1024:
        raise ActionRefused(
            _("The file is larger than the limit of %(limit)d MB.") % {"limit": limit_mb}
        )


@contextmanager
def _upload_path(upload: UploadedFile[Any], name: str | None = None) -> Iterator[Path]:
    """A path holding the upload's bytes, removed afterwards.

    Django's own temporary file (mode 0600) when it has one and ``name`` does not matter;
    otherwise a copy named ``name`` in a private temporary folder (mode 0700).
    """
    existing = getattr(upload, "temporary_file_path", None)
    try:
        if existing is not None and name is None:
            yield Path(existing())
            return
        with tempfile.TemporaryDirectory(prefix="kollega-upload-") as folder:
            path = Path(folder) / (name or "upload")
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            yield path
    finally:
        upload.seek(0)


def check_recording(upload: UploadedFile[Any]) -> tuple[float, int]:
    """Decode the upload to prove it is whole audio within the limits: (seconds, channels).

    Raises ActionRefused with the reason. The clear audio exists only in Django's upload
    temporary file (mode 0600) and, for small uploads, in memory.
    """
    from kollega.speech import AudioError, load_audio

    if not upload.size:
        raise ActionRefused(_("The file is empty."))
    _refuse_larger_than(upload, settings.KOLLEGA_MAX_RECORDING_MB)
    with _upload_path(upload) as path:
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


def do_store_recording(actor: Any, interview: Interview, upload: UploadedFile[Any]) -> Recording:
    """Check, encrypt and store a recording, replacing the interview's earlier one."""
    _refuse_while_transcribing(interview)
    duration, channels = check_recording(upload)
    ciphertext = crypto.encrypt_bytes(upload.read())
    with transaction.atomic():
        Recording.objects.filter(interview=interview).delete()
        recording = Recording(
            interview=interview,
            size_bytes=upload.size or 0,
            duration_s=round(duration, 3),
            channels=channels,
        )
        _save_file(recording, ciphertext)
        try:
            recording.save()
        except Exception:
            recording.file.delete(save=False)
            raise
        record(
            actor,
            "research.recording.upload",
            recording,
            interview=interview.pk,
            seconds=round(duration),
            channels=channels,
        )
    return recording


def _save_file(recording: Recording, ciphertext: bytes) -> None:
    """Write the encrypted recording to file storage under a fresh random name.

    The name says nothing about the participant or the original file. A write that fails
    partway (a full disk) leaves no partial file behind and is refused with a clear message.
    """
    storage = recording.file.storage
    name = recording.file.field.generate_filename(recording, f"{uuid.uuid4().hex}.enc")
    try:
        stored = storage.save(name, ContentFile(ciphertext))
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
def do_delete_recording(actor: Any, interview: Interview) -> None:
    recording = Recording.objects.filter(interview=interview).first()
    if recording is None:
        raise ActionRefused(_("This interview has no recording."))
    _refuse_while_transcribing(interview)
    recording.delete()
    record(
        actor,
        "research.recording.delete",
        object_type="research.recording",
        object_id=interview.pk,
        interview=interview.pk,
    )


# Transcripts bigger than this are not interview transcripts.
MAX_TRANSCRIPT_FILE_MB = 20


def do_import_transcript(actor: Any, interview: Interview, upload: UploadedFile[Any]) -> Transcript:
    """Replace the interview's transcript with one read from a .txt, .docx, .vtt or .srt file,
    and propose its identifiers."""
    from kollega.workbench.adapters import TranscriptFileError, turns_from_file

    _refuse_while_transcribing(interview)
    _refuse_larger_than(upload, MAX_TRANSCRIPT_FILE_MB)
    refuse_expanding_archive(upload, max_mb=MAX_TRANSCRIPT_FILE_MB)
    suffix = Path(upload.name or "").suffix.lower()
    # A fixed name: messages then name the format, not the researcher's file name.
    with _upload_path(upload, f"transcript{suffix}") as path:
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
        propose_identifiers(transcript)
        record(
            actor,
            "research.transcript.import",
            transcript,
            interview=interview.pk,
            format=suffix.lstrip("."),
            turns=len(turns),
        )
    return transcript


def recording_bytes(recording: Recording) -> bytes:
    with recording.file.open("rb") as handle:
        return crypto.decrypt_bytes(handle.read())


def rotate_recording_files() -> int:
    """Re-encrypt every recording under the first data key (``kollega rotate_data_keys``).

    Each file is written anew and the row pointed at it before the old file is deleted, so an
    interrupted rotation leaves every recording readable with the keys still listed.
    """
    count = 0
    for pk in Recording.objects.values_list("pk", flat=True):
        with transaction.atomic():
            recording = Recording.objects.select_for_update().filter(pk=pk).first()
            if recording is None:
                continue
            with recording.file.open("rb") as handle:
                token = crypto.rotate_token(handle.read())
            old = str(recording.file.name)
            storage = recording.file.storage
            recording.file.save("recording.enc", ContentFile(token), save=False)
            recording.save(update_fields=["file"])
            transaction.on_commit(partial(storage.delete, old))
        count += 1
    return count


# --- Transcription -------------------------------------------------------------------------


def do_start_transcription(actor: Any, interview: Interview) -> TranscriptionJob:
    with transaction.atomic():
        # Lock the interview so two clicks cannot start two jobs.
        Interview.objects.select_for_update().filter(pk=interview.pk).first()
        if not Recording.objects.filter(interview=interview).exists():
            raise ActionRefused(_("Upload a recording first."))
        if _active_job(interview) is not None:
            raise ActionRefused(_("A transcription of this interview is already under way."))
        job = TranscriptionJob.objects.create(interview=interview)
        record(actor, "research.transcription.start", job, interview=interview.pk)
        _enqueue_on_commit(job)
    return job


def _enqueue_on_commit(job: TranscriptionJob) -> None:
    from kollega.research.tasks import transcribe_interview

    def enqueue() -> None:
        result = transcribe_interview.enqueue(job.pk)
        TranscriptionJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def do_resume_stalled_jobs(*, now: datetime | None = None) -> int:
    """Put every running job whose worker has said nothing for STALE_JOB (killed, or its
    machine lost) back in the queue for a live worker; returns how many.

    A job that was asked to stop is cancelled instead. The old worker, should it wake, finds
    its claim taken over and writes nothing (see ``transcription``).
    """
    cutoff = (now or timezone.now()) - STALE_JOB
    resumed = 0
    stalled = TranscriptionJob.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=cutoff)
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            job = stalled.select_for_update().filter(pk=pk).first()
            if job is None:
                continue  # it reported, finished or was cancelled meanwhile
            if job.cancel_requested:
                job.status = JobStatus.CANCELLED
                job.finished = timezone.now()
                job.save(update_fields=["status", "finished"])
                record(
                    "system", "research.transcription.cancelled", job, interview=job.interview_id
                )
                continue
            job.status = JobStatus.QUEUED
            job.fraction = 0.0
            job.eta_s = None
            job.save(update_fields=["status", "fraction", "eta_s"])
            record("system", "research.transcription.resume", job, interview=job.interview_id)
            _enqueue_on_commit(job)
            resumed += 1
    return resumed


@transaction.atomic
def do_cancel_transcription(actor: Any, job: TranscriptionJob) -> TranscriptionJob:
    job = TranscriptionJob.objects.select_for_update().get(pk=job.pk)
    if not job.active:
        raise ActionRefused(_("This transcription has already ended."))
    heartbeat = job.heartbeat or job.started or job.created
    if job.status == JobStatus.QUEUED or timezone.now() - heartbeat > STALE_JOB:
        # No worker holds it (or its worker died): end it here; a late worker sees it ended.
        job.status = JobStatus.CANCELLED
        job.finished = timezone.now()
    job.cancel_requested = True
    job.save()
    record(actor, "research.transcription.cancel", job, interview=job.interview_id)
    return job


# --- Transcripts ----------------------------------------------------------------------------


def clean_turn_text(text: str) -> str:
    """One paragraph per turn: blank lines inside a turn would break the offsets."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def merge_turns(turns: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Drop empty turns and join neighbours with the same speaker."""
    merged: list[dict[str, Any]] = []
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


@transaction.atomic
def do_save_transcript(
    actor: Any, transcript: Transcript, *, turns: list[dict[str, Any]], version: int
) -> bool:
    """Save the researcher's corrections. Returns whether the words changed.

    ``version`` is the version the editor was opened on; a newer one means someone saved in
    between, and this save is refused rather than overwrite their work. Changed words make
    earlier identifier proposals point at the wrong text, so those are dropped.
    """
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.version != version:
        raise ActionRefused(
            _(
                "Someone saved this transcript after you opened it. Reload it and make your "
                "changes again."
            )
        )
    new_turns = merge_turns(turns)
    if not new_turns:
        raise ActionRefused(_("A transcript needs at least one turn with words."))
    old_text = current.text
    current.set_turns(new_turns)
    words_changed = current.text != old_text
    if words_changed:
        current.findings.all().delete()
        current.proposals_made = None
    current.version += 1
    current.updated = timezone.now()
    current.save()
    record(
        actor,
        "research.transcript.edit",
        current,
        interview=current.interview_id,
        turns=len(new_turns),
        words_changed=words_changed,
    )
    transcript.refresh_from_db()
    return words_changed


def propose_identifiers(transcript: Transcript) -> list[Finding]:
    """Run the de-identification rules over the transcript and store their proposals."""
    from kollega.speech import find_identifiers

    text = transcript.text
    breaks = [m.start() for m in re.finditer(re.escape(TURN_SEPARATOR), text)]
    found = find_identifiers(text, language=transcript.language)
    rows = [
        Finding(
            transcript=transcript,
            kind=f.kind,
            start=f.start,
            end=f.end,
            text=f.text,
            confidence=f.confidence,
            source=f.source[:40],
        )
        for f in found
        # A proposal across two turns cannot be applied turn by turn; none should arise.
        if not any(f.start <= b < f.end for b in breaks)
    ]
    transcript.findings.all().delete()
    Finding.objects.bulk_create(rows)
    transcript.proposals_made = timezone.now()
    transcript.save(update_fields=["proposals_made"])
    return rows


@transaction.atomic
def do_propose_identifiers(actor: Any, transcript: Transcript) -> int:
    if transcript.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    rows = propose_identifiers(transcript)
    record(
        actor,
        "research.deid.propose",
        transcript,
        interview=transcript.interview_id,
        kinds=dict(Counter(f.kind for f in rows)),
    )
    return len(rows)


@transaction.atomic
def do_decide_findings(
    actor: Any,
    transcript: Transcript,
    *,
    decisions: Mapping[int, str],
    accept_kinds: Iterable[str] = (),
) -> int:
    """Set decisions on proposals; ``accept_kinds`` accepts every open proposal of a kind."""
    valid = set(FindingDecision.values)
    changed = 0
    for pk, decision in decisions.items():
        if decision not in valid:
            raise ActionRefused(_("Unknown decision."))
        changed += (
            transcript.findings.filter(pk=pk).exclude(decision=decision).update(decision=decision)
        )
    kinds = list(accept_kinds)
    if kinds:
        changed += transcript.findings.filter(
            kind__in=kinds, decision=FindingDecision.PROPOSED
        ).update(decision=FindingDecision.ACCEPTED)
    record(
        actor,
        "research.deid.decide",
        transcript,
        interview=transcript.interview_id,
        changed=changed,
        accepted_kinds=kinds,
    )
    return changed


@transaction.atomic
def do_apply_deidentification(actor: Any, transcript: Transcript) -> dict[str, int]:
    """Replace the accepted identifiers with placeholders such as ``[navn 1]``.

    The identified text is not kept: the transcript is overwritten and the proposals (which
    hold the identifiers) are deleted. Every proposal must be decided first.
    """
    from kollega.speech import Finding as SpeechFinding
    from kollega.speech import apply

    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if current.proposals_made is None:
        raise ActionRefused(_("Make the proposals first."))
    open_count = current.findings.filter(decision=FindingDecision.PROPOSED).count()
    if open_count:
        raise ActionRefused(
            _("Decide on every proposal first (%(count)d left).") % {"count": open_count}
        )
    accepted = list(current.findings.filter(decision=FindingDecision.ACCEPTED))
    names = PLACEHOLDERS.get(current.language, PLACEHOLDERS["en"])
    text = current.text
    try:
        new_text, _map = apply(
            text,
            [
                SpeechFinding(f.kind, f.start, f.end, f.text, f.confidence, f.source)  # type: ignore[arg-type]
                for f in accepted
            ],
            style=lambda finding, n: f"[{names.get(finding.kind, finding.kind)} {n}]",
        )
    except ValueError:
        raise ActionRefused(
            _("The proposals no longer match the text. Make the proposals again.")
        ) from None
    pieces = new_text.split(TURN_SEPARATOR)
    turns = current.turns
    if len(pieces) != len(turns):
        raise ActionRefused(_("The proposals no longer match the text. Make the proposals again."))
    for turn, piece in zip(turns, pieces, strict=True):
        turn["text"] = piece
    current.set_turns(turns)
    current.findings.all().delete()
    current.deidentified = timezone.now()
    current.version += 1
    current.updated = timezone.now()
    current.save()
    counts = dict(Counter(f.kind for f in accepted))
    record(actor, "research.deid.apply", current, interview=current.interview_id, replaced=counts)
    transcript.refresh_from_db()
    return counts
