"""Background tasks of the research app."""

from __future__ import annotations

from django_tasks import task

from kollega.research.transcription import run_transcription


@task()
def transcribe_interview(job_id: int) -> str:
    """Transcribe an interview's recording locally; returns the job's final status."""
    return run_transcription(job_id)


@task()
def resume_stalled_transcriptions() -> int:
    """Queue again the transcriptions whose worker died; returns how many."""
    from kollega.research.actions import do_resume_stalled_jobs

    return do_resume_stalled_jobs()
