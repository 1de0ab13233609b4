"""The researcher's journey in Chromium: a study, an interview, a recording transcribed on this
machine while the page follows the progress, the transcript corrected and de-identified."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.research import transcription
from kollega.research.models import ProposalJob, Transcript, TranscriptionJob
from kollega.research.proposing import run_proposals
from tests.browser.conftest import check_axe, snap
from tests.speech.conftest import HAVE_AUDIO_TOOLS, sox, speak

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not HAVE_AUDIO_TOOLS, reason="espeak-ng and sox make the test audio"),
]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("journey-audio")
    question = speak("Hello Anna. How was the night shift in Bergen?", "en-us+m3", folder / "q.wav")
    answer = speak("It was long, but I slept well afterwards.", "en-us+f3", folder / "a.wav")
    silence = folder / "s.wav"
    sox("-n", "-r", "16000", "-c", "1", silence, "trim", "0", "1.5")
    out = folder / "interview.wav"
    sox(question, silence, answer, out)
    return out


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    from kollega.speech import load_model

    loaded = load_model(cache=tmp_path_factory.mktemp("model"), cpu_threads=2)
    monkeypatch.setattr(transcription, "speech_model", lambda: loaded)


def look(page: Page, name: str) -> None:
    check_axe(page)
    snap(page, f"research-{name}")


def test_a_recording_becomes_a_deidentified_transcript(
    researcher_page: Page, live_server: Any, recording: Path, model: None
) -> None:
    page = researcher_page
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Studies").click()
    page.get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill("Night shifts and help-seeking")
    page.get_by_label("Usual interview language").select_option("en")
    page.get_by_role("button", name="Create the study").click()
    expect(page.get_by_role("heading", name="Night shifts and help-seeking")).to_be_visible()
    expect(page.get_by_label("Pseudonym")).to_have_value("P01")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("link", name="Add an interview").click()
    page.get_by_label("Date").fill("2026-11-20")
    page.get_by_role("button", name="Add the interview").click()
    look(page, "interview-empty")

    page.locator("#id_audio").set_input_files(str(recording))
    page.get_by_role("button", name="Upload the recording").click()
    expect(page.get_by_text("The recording is stored, encrypted.")).to_be_visible()
    page.get_by_role("button", name="Transcribe the recording").click()
    expect(page.get_by_text("Waiting for the worker")).to_be_visible()
    look(page, "interview-queued")

    # The worker picks the job up; the page, still open, follows without a reload.
    job = TranscriptionJob.objects.get()
    worker = threading.Thread(target=transcription.run_transcription, args=[job.pk])
    worker.start()
    worker.join(timeout=120)
    expect(page.get_by_role("link", name="Open the transcript")).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="Open the transcript").click()
    expect(page.get_by_text("night shift", exact=False).first).to_be_visible()
    look(page, "transcript")

    # The pause between the voices became the turn; correct the first speaker's words.
    first = page.locator("#text-0")
    first.fill(first.input_value().replace("night shift", "night shifts"))
    page.get_by_role("button", name="Save the transcript").click()
    expect(page.get_by_text("make the identifier proposals again")).to_be_visible()

    page.get_by_role("link", name="Review identifiers").first.click()
    page.get_by_role("button", name="Find possible identifiers").click()
    # The rules run in the background; the page follows their progress and reloads when done.
    expect(page.get_by_text("Waiting for the worker")).to_be_visible()
    run_proposals(ProposalJob.objects.get().pk)
    expect(page.locator("mark", has_text="Anna").first).to_be_visible(timeout=15_000)
    look(page, "identifiers")
    page.get_by_role("button", name="Replace all open names").click()
    for radio in page.locator('input[type=radio][value="accepted"]').all():
        radio.check()
    page.get_by_role("button", name="Save and replace the accepted ones").click()
    expect(page.get_by_text("The transcript is de-identified")).to_be_visible()
    transcript = Transcript.objects.get()
    assert "Anna" not in transcript.text
    assert "[name 1]" in transcript.text
    look(page, "transcript-deidentified")
