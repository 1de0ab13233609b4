"""Helpers the action modules share: refusals, upload files, queued jobs."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kollega.core.errors import ActionRefused
from kollega.research.models import ACTIVE_JOB_STATUSES, Interview, ProposalJob, TranscriptionJob


def active_job(interview: Interview) -> TranscriptionJob | None:
    return interview.transcription_jobs.filter(status__in=ACTIVE_JOB_STATUSES).first()


def refuse_while_transcribing(interview: Interview) -> None:
    if active_job(interview) is not None:
        raise ActionRefused(_("Wait for the transcription to finish or cancel it first."))


def refuse_larger_than(upload: UploadedFile[Any], limit_mb: int) -> None:
    if (upload.size or 0) > limit_mb * 1024 * 1024:
        raise ActionRefused(
            _("The file is larger than the limit of %(limit)d MB.") % {"limit": limit_mb}
        )


@contextmanager
def upload_path(upload: UploadedFile[Any], name: str | None = None) -> Iterator[Path]:
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


def enqueue_on_commit(task: Any, job: TranscriptionJob | ProposalJob) -> None:
    """Queue the job's background task once the transaction creating the job commits, and
    note the task's id on the job."""

    def enqueue() -> None:
        result = task.enqueue(job.pk)
        type(job).objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
