"""Transcription as a background job: started from the page, run by the worker, cancellable.

The full run uses Whisper on a short synthetic clip (espeak-ng + sox, as in tests/speech).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from kollega.research import actions, tasks, transcription
from kollega.research.models import JobStatus, Transcript, TranscriptionJob
from tests.research.conftest import Studied, add_transcript, tone_wav, upload
from tests.speech.conftest import HAVE_AUDIO_TOOLS, sox, speak

needs_audio_tools = pytest.mark.skipif(
    not HAVE_AUDIO_TOOLS, reason="espeak-ng and sox are needed to make test audio"
)


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A question, a pause and an answer in two voices, as WAV bytes."""
    if not HAVE_AUDIO_TOOLS:
        pytest.skip("espeak-ng and sox are needed to make test audio")
    folder = tmp_path_factory.mktemp("research-audio")
    question = speak(
        "Hello Anna. How have you been since we met in Bergen?", "en-us+m3", folder / "q.wav"
    )
    answer = speak(
        "I have been tired, but talking to a colleague helped me.", "en-us+f3", folder / "a.wav"
    )
    silence = folder / "s.wav"
    sox("-n", "-r", "16000", "-c", "1", silence, "trim", "0", "1.5")
    out = folder / "dialogue.wav"
    sox(question, silence, answer, out)
    return Path(out).read_bytes()


@pytest.fixture(scope="module")
def whisper_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kollega.speech import load_model

    return load_model(cache=tmp_path_factory.mktemp("model"), cpu_threads=2)


@pytest.fixture
def use_model(monkeypatch: pytest.MonkeyPatch, whisper_model: Any) -> None:
    monkeypatch.setattr(transcription, "speech_model", lambda: whisper_model)


def _start(studied: Studied, data: bytes, capture: Any) -> TranscriptionJob:
    studied.interview.language = "en"
    studied.interview.save()
    actions.do_store_recording(studied.owner.user, studied.interview, upload(data))
    with capture(execute=True):
        response = studied.owner.client("en").post(
            reverse("research:transcribe", args=[studied.interview.pk]), {"replace": "on"}
        )
    assert response.status_code == 302
    return TranscriptionJob.objects.get()


@pytest.mark.django_db
def test_starting_queues_one_job_for_the_worker(
    studied: Studied, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.QUEUED
    task = tasks.transcribe_interview.get_result(job.task_id)  # database or Redis queue
    assert task.args == [job.pk]
    client = studied.owner.client("en")
    url = reverse("research:transcribe", args=[studied.interview.pk])
    client.post(url)  # a second click
    assert TranscriptionJob.objects.count() == 1
    fragment = client.get(reverse("research:job_status", args=[studied.interview.pk]))
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "Waiting for the worker" in fragment.content.decode()


@pytest.mark.django_db
def test_transcribing_needs_a_recording(studied: Studied) -> None:
    client = studied.owner.client("en")
    response = client.post(reverse("research:transcribe", args=[studied.interview.pk]), follow=True)
    assert "Upload a recording first" in response.content.decode()
    assert not TranscriptionJob.objects.exists()


@pytest.mark.django_db
def test_an_existing_transcript_is_replaced_only_when_asked(
    studied: Studied, django_capture_on_commit_callbacks: Any
) -> None:
    add_transcript(studied.interview, [("participant", "Corrected by hand.")])
    actions.do_store_recording(studied.owner.user, studied.interview, upload(tone_wav()))
    client = studied.owner.client("en")
    url = reverse("research:transcribe", args=[studied.interview.pk])
    response = client.post(url, follow=True)
    assert "Tick the box to replace it" in response.content.decode()
    assert not TranscriptionJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"replace": "on"})
    assert TranscriptionJob.objects.count() == 1


@needs_audio_tools
@pytest.mark.django_db
def test_the_worker_transcribes_and_proposes_identifiers(
    studied: Studied, dialogue: bytes, use_model: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(studied, dialogue, django_capture_on_commit_callbacks)
    assert transcription.run_transcription(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.fraction == 1.0 and job.finished is not None
    transcript = Transcript.objects.get()
    assert transcript.source == "transcribed"
    assert transcript.settings_used["language"] == "en"
    assert transcript.settings_used["vad_filter"] is True
    assert transcript.settings_used["no_repeat_ngram_size"] == 0  # repeats are kept ...
    # ... except in a stretch that loops, decoded again with them forbidden.
    assert transcript.settings_used["loops_decoded_again_with"]["no_repeat_ngram_size"] == 6
    assert transcript.turn_method == "pauses"
    speakers = [turn["speaker"] for turn in transcript.turns]
    assert speakers[:2] == ["interviewer", "participant"]
    assert "tired" in transcript.text.lower()
    assert all(turn["start"] is not None for turn in transcript.turns)
    assert transcript.proposals_made is not None
    assert "person" in set(transcript.findings.values_list("kind", flat=True))
    page = studied.owner.client("en").get(
        reverse("research:interview", args=[studied.interview.pk])
    )
    assert "Open the transcript" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # polling stops when done


@pytest.mark.django_db
def test_a_job_cancelled_before_the_worker_starts_does_nothing(
    studied: Studied, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    studied.owner.client("en").post(reverse("research:job_cancel", args=[studied.interview.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert transcription.run_transcription(job.pk) == JobStatus.CANCELLED
    assert not Transcript.objects.exists()


@pytest.mark.django_db
def test_cancelling_midway_keeps_no_partial_transcript(
    studied: Studied, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import kollega.speech

    earlier = add_transcript(studied.interview, [("participant", "The earlier version.")])
    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    monkeypatch.setattr(transcription, "CANCEL_CHECK_EVERY_S", 0.0)
    monkeypatch.setattr(transcription, "speech_model", lambda: None)

    def halfway(path: Any, *, cancel: Any, on_progress: Any, **kwargs: Any) -> Any:
        on_progress(kollega.speech.Progress(fraction=0.5, elapsed_s=3.0, eta_s=3.0))
        assert TranscriptionJob.objects.get(pk=job.pk).percent == 50
        # The researcher presses cancel while the worker is busy.
        actions.do_cancel_transcription(studied.owner.user, job)
        assert cancel()
        raise kollega.speech.Cancelled("cancelled")

    monkeypatch.setattr(kollega.speech, "transcribe", halfway)
    assert transcription.run_transcription(job.pk) == JobStatus.CANCELLED
    assert Transcript.objects.get().pk == earlier.pk
    assert Transcript.objects.get().text == "The earlier version."


@pytest.mark.django_db
def test_a_failed_job_says_why_and_keeps_the_earlier_transcript(
    studied: Studied, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import kollega.speech

    add_transcript(studied.interview, [("participant", "The earlier version.")])
    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    monkeypatch.setattr(transcription, "speech_model", lambda: None)

    def broken(path: Any, **kwargs: Any) -> Any:
        raise kollega.speech.AudioError(f"{path}: the audio cannot be decoded (bad frame)")

    monkeypatch.setattr(kollega.speech, "transcribe", broken)
    assert transcription.run_transcription(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error == "recording: the audio cannot be decoded (bad frame)"
    assert Transcript.objects.get().text == "The earlier version."
    page = studied.owner.client("en").get(
        reverse("research:interview", args=[studied.interview.pk])
    )
    assert "The last transcription failed" in page.content.decode()


@pytest.mark.django_db
def test_a_silent_worker_can_be_cancelled(
    studied: Studied, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(hours=1)
    TranscriptionJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started=long_ago, heartbeat=long_ago
    )
    actions.do_cancel_transcription(studied.owner.user, job)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED  # not left "running" for ever


@pytest.mark.django_db
def test_the_watching_page_reloads_when_the_job_ends(
    studied: Studied, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(studied, tone_wav(), django_capture_on_commit_callbacks)
    client = studied.owner.client("en")
    url = reverse("research:job_status", args=[studied.interview.pk])
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    TranscriptionJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="broken")
    ended = client.get(url, headers={"HX-Request": "true"})
    assert ended["HX-Refresh"] == "true"
    assert "broken" in client.get(url).content.decode()  # without htmx: the fragment itself


def test_clear_audio_left_by_a_killed_worker_is_swept_even_before_the_worker_is_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # A process that has ended but that nobody has waited for yet: a zombie, as a killed
    # worker's own child is until its new parent reaps it.
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{ended.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never ended"
            time.sleep(0.02)
        dead = tmp_path / f"{transcription.AUDIO_PREFIX}{ended.pid}-a"
        alive = tmp_path / f"{transcription.AUDIO_PREFIX}{running.pid}-b"
        for folder in (dead, alive):
            folder.mkdir()
            (folder / "clear.wav").write_bytes(b"RIFF")
        transcription._sweep_orphaned_audio()
        assert not dead.exists(), "a dead worker's clear audio stays on disk"
        assert alive.exists(), "a running worker's audio was removed under it"
    finally:
        running.kill()
        running.wait()
        ended.wait()
