"""The worker's side of transcription: decrypt, transcribe locally, store, report progress.

Nothing is written to the transcript until the whole recording is done, so a job that is
cancelled, fails or is killed leaves no partial transcript. A job's `started` time is its claim:
a job whose worker was killed is put back in the queue (`resume_stalled_jobs`), and a worker
that finds its claim taken over keeps nothing, so each job's transcript is written once.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kollega import speech
from kollega.core.audit import AuditAction, record
from kollega.research.actions.proposals import propose_identifiers
from kollega.research.models import (
    JobStatus,
    Recording,
    Transcript,
    TranscriptionJob,
    TranscriptSource,
)
from kollega.research.recordings import write_clear
from kollega.speech.transcribe import loop_options, whisper_options

log = logging.getLogger(__name__)

# How often the worker writes progress and looks for a cancel request (seconds).
PROGRESS_EVERY_S = 1.0
CANCEL_CHECK_EVERY_S = 2.0
# The worker's private temporary folder for the clear audio: kollega-audio-<pid>-<random>.
AUDIO_PREFIX = "kollega-audio-"


@cache
def _model(name: str, threads: int) -> Any:
    return speech.load_model(name, cpu_threads=threads)


def speech_model() -> Any:
    """The configured Whisper model, loaded once per worker process."""
    return _model(settings.KOLLEGA_SPEECH_MODEL, settings.KOLLEGA_SPEECH_THREADS)


def _sweep_orphaned_audio() -> None:
    """Remove the clear audio that a killed worker on this machine left behind.

    Each worker's temporary folder is named after its process id; a folder whose process no
    longer exists belongs to a worker that was killed before its ``finally`` could run.
    """
    for folder in Path(tempfile.gettempdir()).glob(f"{AUDIO_PREFIX}*-*"):
        pid = folder.name.removeprefix(AUDIO_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        if not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs. A zombie (killed, not yet reaped by its parent,
    as a killed worker's own child can stay for a while) has stopped for good: not alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux), or it ended just now: keep the folder this time
    # The state follows the command name, which is in parentheses and may hold spaces.
    return stat.rpartition(")")[2].split()[0] != "Z"


def run_transcription(job_id: int) -> str:
    with transaction.atomic():
        job = TranscriptionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED or job.cancel_requested:
            # Withdrawn, cancelled before start, or already taken by another worker.
            return job.status if job is not None else "gone"
        job_pk = job.pk
        job.status = JobStatus.RUNNING
        job.started = job.heartbeat = claimed = timezone.now()
        job.save(update_fields=["status", "started", "heartbeat"])
    mine = TranscriptionJob.objects.filter(pk=job_pk, started=claimed)
    interview = job.interview
    recording = Recording.objects.filter(interview=interview).first()
    if recording is None:
        return _finish(
            mine, job, JobStatus.FAILED, "The recording was deleted before transcription."
        )

    last_write = 0.0
    last_check = time.monotonic()

    def on_progress(progress: Any) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_EVERY_S or progress.fraction >= 1.0:
            last_write = now
            mine.update(
                fraction=round(progress.fraction, 4),
                eta_s=None if progress.eta_s is None else round(progress.eta_s, 1),
                heartbeat=timezone.now(),
            )

    def cancelled() -> bool:
        nonlocal last_check
        now = time.monotonic()
        if now - last_check < CANCEL_CHECK_EVERY_S:
            return False
        last_check = now
        return not mine.filter(cancel_requested=False, status=JobStatus.RUNNING).exists()

    _sweep_orphaned_audio()
    folder = tempfile.mkdtemp(prefix=f"{AUDIO_PREFIX}{os.getpid()}-")  # mode 0700
    path = Path(folder) / "recording"  # PyAV finds the format from the bytes
    try:
        path.touch(mode=0o600)
        with recording.file.open("rb") as handle:
            write_clear(handle, path)
        started = time.monotonic()
        result = speech.transcribe(
            path,
            language=interview.language,
            on_progress=on_progress,
            cancel=cancelled,
            model=speech_model(),
            max_duration_s=settings.KOLLEGA_MAX_RECORDING_MINUTES * 60,
        )
        elapsed = time.monotonic() - started
    except speech.Cancelled:
        return _finish(mine, job, JobStatus.CANCELLED, "")
    except speech.SpeechError as exc:
        return _finish(
            mine, job, JobStatus.FAILED, _short(str(exc).replace(str(path), "recording"))
        )
    except Exception:
        log.exception("transcription job %s failed", job.pk)
        _finish(mine, job, JobStatus.FAILED, "The transcription stopped with an internal error.")
        raise
    finally:
        path.unlink(missing_ok=True)
        os.rmdir(folder)

    with transaction.atomic():
        job = TranscriptionJob.objects.select_for_update().get(pk=job.pk)
        if job.started != claimed:
            return "superseded"  # resumed after this worker fell silent; the other one writes
        if job.cancel_requested or job.status != JobStatus.RUNNING:
            return _finish(mine, job, JobStatus.CANCELLED, "")
        Transcript.objects.filter(interview=interview).delete()
        transcript = Transcript(
            interview=interview,
            source=TranscriptSource.TRANSCRIBED,
            turn_method=result.turn_method,
            model=settings.KOLLEGA_SPEECH_MODEL,
            # The model and every decoding option, so the transcript says how it was made.
            settings_used={
                "engine": "faster-whisper",
                **whisper_options(result.language),
                "loops_decoded_again_with": loop_options(result.language),
                "seconds": round(elapsed, 1),
                "audio_seconds": round(result.duration, 1),
            },
            language=interview.language,
        )
        transcript.set_turns(
            [
                {
                    "speaker": turn.speaker,
                    "start": round(turn.start, 2),
                    "end": round(turn.end, 2),
                    "text": " ".join(turn.text.split()),
                }
                for turn in result.turns
                if turn.text.strip()
            ]
        )
        transcript.save()
        propose_identifiers(transcript)
        job.status = JobStatus.DONE
        job.fraction = 1.0
        job.eta_s = 0.0
        job.finished = timezone.now()
        job.save()
        record(
            "system",
            AuditAction.RESEARCH_TRANSCRIPTION_DONE,
            job,
            interview=interview.pk,
            turns=len(transcript.turns),
            seconds=round(elapsed),
        )
    return str(job.status)


def _short(message: str) -> str:
    return message[:500]


def _finish(mine: Any, job: TranscriptionJob, status: str, error: str) -> str:
    """End the job, if this worker still holds its claim (`mine` is the job filtered by it)."""
    if mine.update(status=status, error=_short(error), finished=timezone.now()):
        record(
            "system",
            AuditAction(f"research.transcription.{status}"),
            job,
            interview=job.interview_id,
        )
    return status
