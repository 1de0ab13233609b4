"""Transcription jobs: started, resumed when their worker died, cancelled.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import tasks
from kollega.research.actions._shared import active_job, enqueue_on_commit
from kollega.research.models import Interview, JobStatus, Recording, TranscriptionJob

# A job whose worker has said nothing for this long is presumed dead and may be cancelled.
STALE_JOB = timedelta(minutes=10)


def do_start_transcription(actor: Actor, interview: Interview) -> TranscriptionJob:
    with transaction.atomic():
        # Lock the interview so two clicks cannot start two jobs.
        Interview.objects.select_for_update().filter(pk=interview.pk).first()
        if not Recording.objects.filter(interview=interview).exists():
            raise ActionRefused(_("Upload a recording first."))
        if active_job(interview) is not None:
            raise ActionRefused(_("A transcription of this interview is already under way."))
        job = TranscriptionJob.objects.create(interview=interview)
        record(actor, AuditAction.RESEARCH_TRANSCRIPTION_START, job, interview=interview.pk)

        enqueue_on_commit(tasks.transcribe_interview, job)
    return job


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
                    "system",
                    AuditAction.RESEARCH_TRANSCRIPTION_CANCELLED,
                    job,
                    interview=job.interview_id,
                )
                continue
            job.status = JobStatus.QUEUED
            job.fraction = 0.0
            job.eta_s = None
            job.save(update_fields=["status", "fraction", "eta_s"])
            record(
                "system", AuditAction.RESEARCH_TRANSCRIPTION_RESUME, job, interview=job.interview_id
            )
            enqueue_on_commit(tasks.transcribe_interview, job)
            resumed += 1
    return resumed


@transaction.atomic
def do_cancel_transcription(actor: Actor, job: TranscriptionJob) -> TranscriptionJob:
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
    record(actor, AuditAction.RESEARCH_TRANSCRIPTION_CANCEL, job, interview=job.interview_id)
    return job
