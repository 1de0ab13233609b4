"""kill -9 the task worker during a transcription and during retention: after a restart each
job finishes exactly once, and nothing half-written is left."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.research import actions as research
from kollega.research.models import JobStatus, Transcript, TranscriptionJob
from kollega.research.transcription import AUDIO_PREFIX
from kollega.service import actions as service
from kollega.service.models import Case, CaseStatistic, Message, Status
from kollega.service.tasks import retention
from tests.cast import Cast
from tests.faults.conftest import DB_TASKS, kill_hard, wait_for, worker
from tests.speech.conftest import needs_audio_tools, sox, speak

SPOKEN = (
    "Thank you for coming today. I would like to hear how the first weeks back at work have "
    "been for you, and whether the conversations with your colleague made a difference. "
    "It was hard at first, but I sleep better now, and I have told my head of department "
    "that I need fewer night shifts for a while."
)


def _long_speech(folder: Path) -> bytes:
    """About forty seconds of synthetic speech, long enough to be killed in the middle of."""
    once = speak(SPOKEN, "en-us+m3", folder / "once.wav")
    longer = folder / "long.wav"
    sox(once, once, once, longer)
    return longer.read_bytes()


def _audio_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob(f"{AUDIO_PREFIX}*"))


@pytest.mark.slow
@needs_audio_tools
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, KOLLEGA_SPEECH_THREADS=1)
def test_a_transcription_killed_midway_is_resumed_and_written_once(
    cast: Cast, tmp_path: Path
) -> None:
    owner = cast.researcher.user
    study = research.do_create_study(owner, title="Faults", aims="", language="en")
    participant = research.do_add_participant(owner, study, pseudonym="P01")
    interview = research.do_create_interview(
        owner, participant, kind="first", scheduled_on=None, language="en"
    )
    audio = _long_speech(tmp_path)
    research.do_store_recording(
        owner, interview, SimpleUploadedFile("talk.wav", audio, content_type="audio/wav")
    )
    before = _audio_folders()

    with worker() as process:
        job = research.do_start_transcription(owner, interview)
        running = TranscriptionJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        wait_for(
            lambda: running.filter(fraction__gt=0).exists(),
            seconds=180,
            what="the worker to report progress",
        )
        kill_hard(process)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.fraction < 1
    assert not Transcript.objects.filter(interview=interview).exists()
    left_behind = _audio_folders() - before
    assert left_behind, "the killed worker's clear audio is expected on disk until swept"

    # The worker stays silent past the stale limit; the periodic task queues the job again.
    TranscriptionJob.objects.filter(pk=job.pk).update(
        heartbeat=timezone.now() - research.STALE_JOB - timedelta(minutes=1)
    )
    assert research.do_resume_stalled_jobs() == 1
    assert research.do_resume_stalled_jobs() == 0

    with worker():
        wait_for(
            lambda: TranscriptionJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
            seconds=300,
            what="the resumed transcription to finish",
        )

    transcripts = Transcript.objects.filter(interview=interview)
    assert transcripts.count() == 1
    text = " ".join(turn["text"] for turn in transcripts.get().turns).lower()
    assert "night shifts" in text or "sleep better" in text
    done = AuditEvent.objects.filter(action="research.transcription.done", object_id=str(job.pk))
    assert done.count() == 1
    assert AuditEvent.objects.filter(action="research.transcription.resume").count() == 1
    assert not (left_behind & _audio_folders()), "the clear audio of the killed worker remains"


def _expired_cases(count: int) -> None:
    for number in range(count):
        submitted = service.do_submit_request(
            category="coping", description=f"Expired request {number}"
        )
        service.do_send_message(service.SEEKER, submitted.case, body=f"Message {number}")
        service.do_cancel_request(submitted.case)
    long_ago = timezone.now() - timedelta(days=400)
    Case.objects.filter(status=Status.CANCELLED).update(ended_at=long_ago)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_retention_killed_midway_deletes_each_case_once_and_whole() -> None:
    total = 150
    _expired_cases(total)
    expired = Case.objects.filter(status=Status.CANCELLED)
    deletions = AuditEvent.objects.filter(action="service.case.delete_data")

    with worker() as process:
        retention.enqueue()
        wait_for(
            lambda: expired.count() < total - 3,
            seconds=120,
            what="retention to start deleting",
        )
        kill_hard(process)

    left = expired.count()
    assert 0 < left < total, "retention was not killed midway; make the test's cases more"
    # Each case is whole or gone: gone ones have one statistic row and one audit row each,
    # and the messages of exactly the remaining cases are left.
    assert CaseStatistic.objects.count() == total - left
    assert deletions.count() == total - left
    assert Message.objects.count() == left
    assert set(Message.objects.values_list("case_id", flat=True)) == set(
        expired.values_list("pk", flat=True)
    )

    with worker():
        retention.enqueue()
        wait_for(lambda: not expired.exists(), seconds=120, what="retention to finish")

    assert CaseStatistic.objects.count() == total
    assert deletions.count() == total
    assert not Message.objects.exists()
