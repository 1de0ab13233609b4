"""Fixtures: synthetic speech made with espeak-ng and sox, and the Whisper model loaded once."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HAVE_AUDIO_TOOLS = bool(shutil.which("espeak-ng") and shutil.which("sox"))
needs_audio_tools = pytest.mark.skipif(
    not HAVE_AUDIO_TOOLS,
    reason="espeak-ng and sox are needed to make test audio (apt-get install espeak-ng sox)",
)

QUESTION = "Hello. How have you been since the last time we met?"
ANSWER = "I have been very tired, but the peer support conversation helped me a lot."


def speak(text: str, voice: str, path: Path, *, rate: int = 150) -> Path:
    """Synthesise ``text`` with espeak-ng and resample it to 16 kHz mono with sox."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text],
        check=True,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", str(path)],
        check=True,
    )
    raw.unlink()
    return path


def sox(*args: str | Path) -> None:
    subprocess.run(["sox", *map(str, args)], check=True)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``question``/``answer`` (two voices), ``dialogue`` (mono, a pause between them) and
    ``stereo`` (the question on the left channel, the answer on the right)."""
    if not HAVE_AUDIO_TOOLS:
        pytest.skip("espeak-ng and sox are needed to make test audio")
    folder = tmp_path_factory.mktemp("clips")
    question = speak(QUESTION, "en-us+m3", folder / "question.wav")
    answer = speak(ANSWER, "en-us+f3", folder / "answer.wav")
    silence = folder / "silence.wav"
    sox("-n", "-r", "16000", "-c", "1", silence, "trim", "0", "1.5")
    dialogue = folder / "dialogue.wav"
    sox(question, silence, answer, dialogue)
    left, right = folder / "left.wav", folder / "right.wav"
    # Left: question then silence; right: silence for as long, then the answer.
    sox(question, silence, left)
    sox("-n", "-r", "16000", "-c", "1", folder / "gap.wav", "trim", "0", str(_seconds(left)))
    sox(folder / "gap.wav", answer, right)
    sox(left, folder / "left2.wav", "pad", "0", str(_seconds(right) - _seconds(left)))
    stereo = folder / "stereo.wav"
    sox("-M", folder / "left2.wav", right, stereo)
    return {"question": question, "answer": answer, "dialogue": dialogue, "stereo": stereo}


def _seconds(path: Path) -> float:
    out = subprocess.run(
        ["soxi", "-D", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def whisper(model_cache: Path) -> Any:
    from kollega.speech import load_model

    return load_model(cache=model_cache, cpu_threads=2)


@pytest.fixture(scope="session")
def transcribed(whisper: Any, clips: dict[str, Path]) -> Callable[[str], Any]:
    """Transcribe each clip at most once per session (mono clips by pauses, stereo by channel)."""
    from kollega.speech import transcribe

    done: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in done:
            done[name] = transcribe(clips[name], language="en", model=whisper)
        return done[name]

    return get
