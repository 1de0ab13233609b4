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
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.uploads import refuse_expanding_archive
from kollega.research import recordings
from kollega.research.models import (
    ACTIVE_JOB_STATUSES,
    TURN_SEPARATOR,
    ConsentVersion,
    Exclusion,
    ExclusionReason,
    Finding,
    FindingDecision,
    GuideTopic,
    Interview,
    Invitation,
    InvitationStatus,
    JobStatus,
    Participant,
    ProposalJob,
    Recording,
    Study,
    Transcript,
    TranscriptionJob,
    TranscriptSource,
    TurnMethod,
    Wave,
    WindowNotice,
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
def do_create_study(
    actor: Any,
    *,
    title: str,
    aims: str,
    language: str,
    waves: Iterable[tuple[str, int, int]] = (),
) -> Study:
    """Create a study with `actor` on it and, optionally, its waves as (name, opens, closes)."""
    study = Study.objects.create(title=title, aims=aims, language=language)
    study.researchers.add(actor)
    for number, (name, opens_day, closes_day) in enumerate(waves, start=1):
        Wave.objects.create(
            study=study, number=number, name=name, opens_day=opens_day, closes_day=closes_day
        )
    record(actor, "research.study.create", study, waves=study.waves.count())
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


def do_delete_study(actor: Any, study: Study) -> int:
    """Delete a study and everything in it (recording files too); returns how many rows went.

    Not one transaction: a study's transcripts, units and codes can be many thousand rows, and
    on SQLite one long deletion locks out every other writer. They go a batch per short
    transaction, deepest first (`kollega.core.batchdelete`); the audit row is written first, so
    a deletion that stops half way is on record, and deleting again finishes it.
    """
    from kollega.core.batchdelete import delete_in_batches

    with transaction.atomic():
        record(actor, "research.study.delete", study)
    return delete_in_batches(study)


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


def do_withdraw_participant(actor: Any, participant: Participant) -> dict[str, int]:
    """Delete everything the study holds about the participant, recordings' files included.

    The bookkeeping (jobs told to stop, the pool left, the audit row) is one transaction; the
    interviews, transcripts and coded units then go in batches of short transactions
    (`kollega.core.batchdelete`), the participant last, so a participant with much coded text
    does not lock other writers out. Called inside a caller's transaction it is all one.
    """
    from kollega.core.batchdelete import delete_in_batches

    with transaction.atomic():
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
        if participant.link is not None:
            from kollega.service.pool import leave_pool

            # The invitation holds the link to the pool: it goes too. And someone who withdrew
            # is not invited again, to this study or another: they leave the pool.
            Invitation.objects.filter(study_id=study_pk, link=participant.link).delete()
            leave_pool(participant.link)
        record(
            actor,
            "research.participant.withdraw",
            None,
            object_type="research.participant",
            object_id=participant_pk,
            study=study_pk,
            deleted=counts,
        )
    delete_in_batches(participant)
    return counts


# --- Interviews and recordings -------------------------------------------------------------


@transaction.atomic
def do_create_interview(
    actor: Any,
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
        "research.interview.create",
        interview,
        participant=participant.pk,
        wave=wave.number if wave else None,
    )
    return interview


@transaction.atomic
def do_update_interview(
    actor: Any,
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
    record(actor, "research.interview.update", interview, wave=wave.number if wave else None)
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
            "research.recording.upload",
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
    and start proposing its identifiers in the background."""
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
        record(
            actor,
            "research.transcript.import",
            transcript,
            interview=interview.pk,
            format=suffix.lstrip("."),
            turns=len(turns),
        )
        # A long file takes the rules a while: they run in the background.
        do_propose_identifiers(actor, transcript)
    return transcript


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


# --- Transcription -------------------------------------------------------------------------


def do_start_transcription(actor: Any, interview: Interview) -> TranscriptionJob:
    from kollega.research.tasks import transcribe_interview

    with transaction.atomic():
        # Lock the interview so two clicks cannot start two jobs.
        Interview.objects.select_for_update().filter(pk=interview.pk).first()
        if not Recording.objects.filter(interview=interview).exists():
            raise ActionRefused(_("Upload a recording first."))
        if _active_job(interview) is not None:
            raise ActionRefused(_("A transcription of this interview is already under way."))
        job = TranscriptionJob.objects.create(interview=interview)
        record(actor, "research.transcription.start", job, interview=interview.pk)

        _enqueue_on_commit(transcribe_interview, job)
    return job


def _enqueue_on_commit(task: Any, job: TranscriptionJob | ProposalJob) -> None:
    """Queue the job's background task once the transaction creating the job commits, and
    note the task's id on the job."""

    def enqueue() -> None:
        result = task.enqueue(job.pk)
        type(job).objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def do_resume_stalled_jobs(*, now: datetime | None = None) -> int:
    """Put every running job whose worker has said nothing for STALE_JOB (killed, or its
    machine lost) back in the queue for a live worker; returns how many.

    A job that was asked to stop is cancelled instead. The old worker, should it wake, finds
    its claim taken over and writes nothing (see ``transcription``).
    """
    from kollega.research.tasks import transcribe_interview

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
            _enqueue_on_commit(transcribe_interview, job)
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
    """Run the de-identification rules over the transcript and store their proposals
    (in the caller's process: the transcription worker; pages start a ``ProposalJob``)."""
    from kollega.speech import find_identifiers

    found = find_identifiers(transcript.text, language=transcript.language)
    return store_proposals(transcript, found)


def store_proposals(transcript: Transcript, found: Iterable[Any]) -> list[Finding]:
    """Replace the transcript's proposals with ``found`` (``kollega.speech.Finding``s)."""
    text = transcript.text
    breaks = [m.start() for m in re.finditer(re.escape(TURN_SEPARATOR), text)]
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


def active_proposal_job(transcript: Transcript) -> ProposalJob | None:
    return transcript.proposal_jobs.filter(status__in=ACTIVE_JOB_STATUSES).first()


@transaction.atomic
def do_propose_identifiers(actor: Any, transcript: Transcript) -> ProposalJob:
    """Start finding identifiers in the background; the worker stores the proposals."""
    from kollega.research.tasks import propose_identifiers_in_background

    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if active_proposal_job(current) is not None:
        raise ActionRefused(_("Possible identifiers are already being looked for."))
    job = ProposalJob.objects.create(transcript=current, version=current.version)
    record(actor, "research.deid.propose", job, interview=current.interview_id)
    _enqueue_on_commit(propose_identifiers_in_background, job)
    return job


def _occurrences(text: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` stand in ``text`` (any case; spaces may be line breaks inside a turn)."""
    parts = [re.escape(word) for word in words.split()]
    between = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
    pattern = between.join(parts)
    if parts and re.match(r"\w", words):
        pattern = r"(?<!\w)" + pattern
    if parts and re.search(r"\w$", words):
        pattern += r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]


@transaction.atomic
def do_add_finding(actor: Any, transcript: Transcript, *, words: str, kind: str) -> int:
    """Mark words the rules missed, everywhere they occur, as accepted identifiers of ``kind``.

    A proposal overlapping an occurrence is merged into it, so nothing it covered is left
    showing. Returns how many places were marked.
    """
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if current.proposals_made is None:
        raise ActionRefused(_("Make the proposals first."))
    if kind not in PLACEHOLDERS["en"]:
        raise ActionRefused(_("Unknown kind of identifier."))
    text = current.text
    places = _occurrences(text, words)
    if not places:
        raise ActionRefused(_("These words do not occur in the transcript."))
    existing = list(current.findings.all())
    for start, end in places:
        overlapping = [f for f in existing if f.start < end and start < f.end]
        start = min([start, *(f.start for f in overlapping)])
        end = max([end, *(f.end for f in overlapping)])
        for finding in overlapping:
            existing.remove(finding)
            if finding.pk is not None:
                finding.delete()
        existing.append(
            Finding(
                transcript=current,
                kind=kind,
                start=start,
                end=end,
                text=text[start:end],
                confidence=1.0,
                source="researcher",
                decision=FindingDecision.ACCEPTED,
            )
        )
    Finding.objects.bulk_create([f for f in existing if f.pk is None])
    record(
        actor,
        "research.deid.add",
        current,
        interview=current.interview_id,
        kind=kind,
        places=len(places),
    )
    return len(places)


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


# --- Protocol and recruitment --------------------------------------------------------------

SEEKER = "seeker"
SYSTEM = "system"
# Researchers hear of a window this many days before it closes.
WINDOW_NOTICE_DAYS = 2


@transaction.atomic
def do_update_protocol(
    actor: Any,
    study: Study,
    *,
    research_questions: str,
    ethics_reference: str,
    target_sample: int | None,
    dimensions: list[str],
) -> Study:
    study.research_questions = research_questions
    study.ethics_reference = ethics_reference
    study.target_sample = target_sample
    study.dimensions = list(dimensions)
    study.save()
    record(actor, "research.protocol.update", study, dimensions=study.dimensions)
    return study


@transaction.atomic
def do_add_consent_version(actor: Any, study: Study, *, version: str, text: str) -> ConsentVersion:
    """A new version of the consent text; invitations from now on show it."""
    if study.consent_versions.filter(version__iexact=version).exists():
        raise ActionRefused(_("This study already has a consent text version %s.") % version)
    consent = ConsentVersion.objects.create(study=study, version=version, text=text)
    record(actor, "research.consent.add", consent, study=study.pk, version=version)
    return consent


@transaction.atomic
def do_add_guide_topic(actor: Any, study: Study, *, topic: str, prompts: str) -> GuideTopic:
    last = study.guide_topics.order_by("-position").values_list("position", flat=True).first()
    item = GuideTopic.objects.create(
        study=study, position=(last or 0) + 1, topic=topic, prompts=prompts
    )
    record(actor, "research.guide.add", item, study=study.pk)
    return item


@transaction.atomic
def do_move_guide_topic(actor: Any, item: GuideTopic, *, up: bool) -> None:
    """Swap the topic with the one before (``up``) or after it in the guide."""
    topics = list(item.study.guide_topics.select_for_update().order_by("position", "pk"))
    index = next(i for i, t in enumerate(topics) if t.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(topics):
        raise ActionRefused(_("This topic cannot move further."))
    topics[index], topics[other] = topics[other], topics[index]
    for position, topic in enumerate(topics, start=1):
        if topic.position != position:
            topic.position = position
            topic.save(update_fields=["position"])
    record(actor, "research.guide.move", item, study=item.study_id, up=up)


@transaction.atomic
def do_remove_guide_topic(actor: Any, item: GuideTopic) -> None:
    study_pk, item_pk = item.study_id, item.pk
    item.delete()
    record(
        actor,
        "research.guide.remove",
        object_type="research.guidetopic",
        object_id=item_pk,
        study=study_pk,
    )


@transaction.atomic
def do_add_wave(actor: Any, study: Study, *, name: str, opens_day: int, closes_day: int) -> Wave:
    if closes_day < opens_day:
        raise ActionRefused(_("A window must close on or after the day it opens."))
    last = study.waves.order_by("-number").values_list("number", flat=True).first()
    wave = Wave.objects.create(
        study=study, number=(last or 0) + 1, name=name, opens_day=opens_day, closes_day=closes_day
    )
    record(actor, "research.wave.add", wave, study=study.pk, opens=opens_day, closes=closes_day)
    return wave


def eligible_pool(study: Study, today: date | None = None) -> list[Any]:
    """Pool members this study may invite: not yet invited to it, and (when the study has
    waves) with the first wave's window not yet closed."""
    from kollega.service.pool import research_pool

    today = today or timezone.localdate()
    taken: set[Any] = set(study.invitations.values_list("link", flat=True))
    taken |= set(study.participants.exclude(link=None).values_list("link", flat=True))
    first = study.waves.order_by("number").first()
    return [
        member
        for member in research_pool()
        if member.link not in taken
        and (first is None or first.closes(member.contact_date) >= today)
    ]


@transaction.atomic
def do_invite(actor: Any, study: Study, links: Iterable[str]) -> list[Invitation]:
    """Invite pool members through the service: their status page shows the invitation, and
    those who gave an e-mail address get a content-free e-mail. The researcher never sees
    where it goes."""
    from kollega.service.pool import notify_invited

    if study.current_consent is None:
        raise ActionRefused(_("Add the consent text first: the invitation shows it."))
    chosen = list(dict.fromkeys(str(link) for link in links))
    if not chosen:
        raise ActionRefused(_("Choose at least one person to invite."))
    eligible = {str(member.link): member for member in eligible_pool(study)}
    if any(link not in eligible for link in chosen):
        raise ActionRefused(
            _("Someone chosen has left the pool or is already invited. Propose the sample again.")
        )
    invitations = [
        Invitation.objects.create(study=study, link=eligible[link].link) for link in chosen
    ]
    emailed = sum(notify_invited(invitation.link) for invitation in invitations)
    record(actor, "research.invitation.send", study, count=len(invitations), emailed=emailed)
    return invitations


def invitations_for(link: Any) -> Any:
    """What a seeker's status page shows: their invitations not declined, with the study."""
    if link is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(link=link)
        .exclude(status=InvitationStatus.DECLINED)
        .select_related("study")
        .order_by("created", "pk")
    )


@transaction.atomic
def do_answer_invitation(
    invitation: Invitation, *, accept: bool, member: Any
) -> Participant | None:
    """The seeker answers on their status page. Accepting records the consent text's version and
    makes them a participant: pseudonym, contact date and profile codes, linked by the opaque id
    only, so that the participant outlives the service's case."""
    current = Invitation.objects.select_for_update().select_related("study").get(pk=invitation.pk)
    if current.status != InvitationStatus.PENDING or member is None or member.link != current.link:
        raise ActionRefused(_("This invitation has already been answered."))
    participant = None
    now = timezone.now()
    if accept:
        consent = current.study.current_consent
        if consent is None:
            raise ActionRefused(_("This invitation cannot be accepted just now."))
        participant = Participant.objects.create(
            study=current.study,
            pseudonym=next_pseudonym(current.study),
            link=current.link,
            contact_date=member.contact_date,
            consent_version=consent.version,
            consented_at=now,
            profile=dict(member.profile),
        )
        current.status = InvitationStatus.ACCEPTED
        current.consent_version = consent.version
        current.participant = participant
    else:
        current.status = InvitationStatus.DECLINED
    current.answered = now
    current.save()
    record(
        SEEKER,
        "research.invitation.accept" if accept else "research.invitation.decline",
        current,
        study=current.study_id,
        consent_version=current.consent_version,
    )
    invitation.refresh_from_db()
    return participant


@transaction.atomic
def do_withdraw_from_research(link: Any) -> dict[str, int]:
    """Withdraw a seeker from every study: each participant record goes through
    `do_withdraw_participant` (and whatever else it deletes), then every invitation."""
    totals: Counter[str] = Counter()
    for participant in Participant.objects.filter(link=link):
        totals.update(do_withdraw_participant(SEEKER, participant))
        totals["participants"] += 1
    totals["invitations"] += Invitation.objects.filter(link=link).delete()[0]
    return dict(totals)


@transaction.atomic
def do_exclude_from_wave(
    actor: Any, participant: Participant, wave: Wave, *, reason: str, window_closed: date
) -> Exclusion:
    exclusion = Exclusion.objects.create(
        participant=participant, wave=wave, reason=reason, window_closed=window_closed
    )
    record(
        actor,
        "research.participant.exclude",
        participant,
        study=participant.study_id,
        wave=wave.number,
        reason=reason,
    )
    return exclusion


def _dated_waves(participant: Participant) -> set[int]:
    return set(
        participant.interviews.filter(scheduled_on__isnull=False, wave__isnull=False).values_list(
            "wave_id", flat=True
        )
    )


def run_exclusions(today: date | None = None) -> int:
    """Exclude, from each wave, every participant whose window has closed with no interview
    in it; returns how many exclusions were made. Safe to run again: nobody is excluded twice."""
    today = today or timezone.localdate()
    count = 0
    participants = Participant.objects.filter(contact_date__isnull=False).select_related("study")
    for participant in participants:
        assert participant.contact_date is not None  # noqa: S101 - filtered above
        done = _dated_waves(participant)
        excluded = set(participant.exclusions.values_list("wave_id", flat=True))
        for wave in participant.study.waves.all():
            closes = wave.closes(participant.contact_date)
            if closes >= today or wave.pk in done or wave.pk in excluded:
                continue
            do_exclude_from_wave(
                SYSTEM,
                participant,
                wave,
                reason=ExclusionReason.WINDOW_PASSED,
                window_closed=closes,
            )
            count += 1
    return count


def run_window_notices(today: date | None = None) -> int:
    """Tell each study's researchers, by a content-free e-mail, of windows closing within
    WINDOW_NOTICE_DAYS with no interview booked. Each window is told once; returns how many."""
    from kollega.research.tasks import tell_windows_closing

    today = today or timezone.localdate()
    horizon = today + timedelta(days=WINDOW_NOTICE_DAYS)
    by_study: dict[int, list[date]] = {}
    participants = Participant.objects.filter(contact_date__isnull=False).select_related("study")
    for participant in participants:
        assert participant.contact_date is not None  # noqa: S101 - filtered above
        skip = _dated_waves(participant) | set(
            participant.exclusions.values_list("wave_id", flat=True)
        )
        skip |= set(participant.window_notices.values_list("wave_id", flat=True))
        for wave in participant.study.waves.all():
            closes = wave.closes(participant.contact_date)
            if wave.pk in skip or not today <= closes <= horizon:
                continue
            with transaction.atomic():
                WindowNotice.objects.create(participant=participant, wave=wave)
                record(
                    SYSTEM,
                    "research.window.notice",
                    participant,
                    study=participant.study_id,
                    wave=wave.number,
                )
            by_study.setdefault(participant.study_id, []).append(closes)
    for study_pk, dates in by_study.items():
        first = min(dates).isoformat()
        transaction.on_commit(partial(tell_windows_closing.enqueue, study_pk, len(dates), first))
    return sum(len(dates) for dates in by_study.values())
