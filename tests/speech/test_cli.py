from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kollega.speech.cli import main


def test_deidentify_prints_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Ring Kari Nordmann på 912 34 567.", encoding="utf-8")
    assert main(["deidentify", str(note)]) == 0
    out = capsys.readouterr().out
    assert "person\t0.90\tgazetteer\tKari Nordmann" in out
    assert "phone" in out
    assert out.endswith("2 identifiers proposed\n")


def test_deidentify_can_print_the_replaced_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Ring Kari Nordmann på 912 34 567.", encoding="utf-8")
    assert main(["deidentify", str(note), "--apply"]) == 0
    assert capsys.readouterr().out == "Ring [person] på [phone]."


def test_transcribe_explains_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio", encoding="utf-8")
    assert main(["transcribe", str(bad), "--language", "nb"]) == 1
    assert "not a readable audio file" in capsys.readouterr().err


def test_the_language_must_be_given(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["transcribe", "x.wav"])
    assert "--language" in capsys.readouterr().err


@pytest.mark.slow
def test_transcribe_prints_timestamps_and_progress(
    clips: dict[str, Path],
    transcribed: Callable[[str], Any],
    model_cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transcribed("dialogue")  # the model folder is assembled in model_cache by now
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(model_cache))
    assert main(["transcribe", str(clips["question"]), "--language", "en"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("[00:00:00] interviewer: Hello")
    assert "100% done" in captured.err
    assert "speaker turns by pauses" in captured.err


@pytest.mark.slow
def test_transcribe_without_retries_still_hears_the_clip(
    clips: dict[str, Path],
    transcribed: Callable[[str], Any],
    model_cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transcribed("dialogue")  # the model folder is assembled in model_cache by now
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(model_cache))
    args = ["transcribe", str(clips["question"]), "--language", "en", "--no-retries", "-q"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("[00:00:00] interviewer: Hello")
