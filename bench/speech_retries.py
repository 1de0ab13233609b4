"""Norwegian transcription with and without Whisper's temperature retries, same audio, same run.

Run from the repository root: HF_HUB_OFFLINE=1 .venv/bin/python bench/speech_retries.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech as bench
from kollega.speech import load_model, transcribe
from kollega.speech.transcribe import DEFAULT_TEMPERATURES


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kollega-retries-"))
    clean, _noisy, _timeline = bench.synthesise("nb", folder)
    duration = bench._duration(clean)
    reference = bench.words(" ".join(text for _, text in bench.reference_turns("nb")))
    model = load_model()
    for temperatures in [(0.0,), DEFAULT_TEMPERATURES]:
        started = time.perf_counter()
        result = transcribe(clean, language="nb", model=model, temperatures=temperatures)
        elapsed = time.perf_counter() - started
        hypothesis = bench.words(" ".join(segment.text for segment in result.segments))
        print(
            f"{temperatures}: audio {duration:.0f} s, time {elapsed:.1f} s, "
            f"RTF {elapsed / duration:.2f}, WER {bench.wer(reference, hypothesis):.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
