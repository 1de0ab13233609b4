"""The worker's side of identifier proposals: run the rules, report progress, store them.

The rules read the transcript as it was when the job started; if the words were changed or the
transcript de-identified meanwhile, nothing is stored and the job says why.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from django.db import transaction
from django.utils import timezone

from kollega.core.audit import AuditAction, record
from kollega.research.actions.proposals import store_proposals
from kollega.research.models import JobStatus, ProposalJob, Transcript
from kollega.speech import find_identifiers

log = logging.getLogger(__name__)

# How often the worker writes progress (seconds).
PROGRESS_EVERY_S = 1.0


def run_proposals(job_id: int) -> str:
    with transaction.atomic():
        job = ProposalJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return job.status if job is not None else "gone"
        job.status = JobStatus.RUNNING
        job.started = timezone.now()
        job.save(update_fields=["status", "started"])
    transcript = Transcript.objects.filter(pk=job.transcript_id).first()
    if transcript is None:
        return "gone"
    if transcript.version != job.version:
        return _finish(job, JobStatus.CANCELLED, _CHANGED)
    last_write = 0.0

    def on_progress(fraction: float) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_EVERY_S or fraction >= 1.0:
            last_write = now
            ProposalJob.objects.filter(pk=job_id).update(fraction=round(min(fraction, 0.99), 4))

    try:
        found = find_identifiers(
            transcript.text, language=transcript.language, on_progress=on_progress
        )
    except Exception:
        log.exception("identifier proposals %s failed", job_id)
        _finish(job, JobStatus.FAILED, "The rules stopped with an internal error.")
        raise

    with transaction.atomic():
        current = Transcript.objects.select_for_update().filter(pk=job.transcript_id).first()
        if current is None:
            return "gone"
        if current.version != job.version or current.deidentified is not None:
            return _finish(job, JobStatus.CANCELLED, _CHANGED)
        rows = store_proposals(current, found)
        ProposalJob.objects.filter(pk=job_id).update(
            status=JobStatus.DONE, fraction=1.0, finished=timezone.now()
        )
        record(
            "system",
            AuditAction.RESEARCH_DEID_PROPOSED,
            job,
            interview=current.interview_id,
            kinds=dict(Counter(f.kind for f in rows)),
        )
    return str(JobStatus.DONE)


_CHANGED = "The transcript changed while the rules ran; find the identifiers again."


def _finish(job: ProposalJob, status: str, error: str) -> str:
    ProposalJob.objects.filter(pk=job.pk).update(
        status=status, error=error[:500], finished=timezone.now()
    )
    record(
        "system",
        AuditAction(f"research.deid.proposals.{status}"),
        job,
        transcript=job.transcript_id,
    )
    return status
