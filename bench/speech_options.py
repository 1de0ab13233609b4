"""Ablation of Whisper's decoding options: real-time factor and word error rate, same audio, same run.

Run from the repository root (each variant takes 0.5 to 4 minutes on the 2-core machine):

    HF_HUB_OFFLINE=1 .venv/bin/python bench/speech_options.py                  # every variant, nb
    HF_HUB_OFFLINE=1 .venv/bin/python bench/speech_options.py --languages nb,en \
        --variants previous,default

Each variant is ``kollega.speech.transcribe.whisper_options()`` with a few options changed, given to
faster-whisper directly with one loaded model and one synthesised interview per language (the
pipeline itself adds nothing measurable: ``bench/speech.py``). Sampling at temperatures above 0 is
random, so CTranslate2's seed is set before each variant; another ``--seed`` gives other
retries and another WER for the variants that retry. Printed per variant: time, RTF, WER,
time and WER against the previous default (``previous``) when it ran in the same run, how many
segments came from a retry, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech as bench

# Option changes against the current whisper_options(). The previous default (until 2026-11-26)
# retried on Whisper's log-probability test and blocked no repeats.
PREVIOUS = {"log_prob_threshold": -1.0, "no_repeat_ngram_size": 0}
VARIANTS: dict[str, dict[str, object]] = {
    "previous": PREVIOUS,
    "previous-no-retries": PREVIOUS | {"temperature": (0.0,)},
    "previous-best-of-2": PREVIOUS | {"best_of": 2},
    "retry-on-loops-only": {"no_repeat_ngram_size": 0},
    "no-retries-repetition-1.1": PREVIOUS | {"temperature": (0.0,), "repetition_penalty": 1.1},
    "no-retries-repetition-1.2": PREVIOUS | {"temperature": (0.0,), "repetition_penalty": 1.2},
    "no-retries-hallucination-silence-2": PREVIOUS
    | {"temperature": (0.0,), "word_timestamps": True, "hallucination_silence_threshold": 2.0},
    "default-with-log-prob-retries": {"log_prob_threshold": -1.0},
    "default-ngram-3": {"no_repeat_ngram_size": 3},
    "default-ngram-4": {"no_repeat_ngram_size": 4},
    "default-ngram-5": {"no_repeat_ngram_size": 5},
    "default-ngram-8": {"no_repeat_ngram_size": 8},
    "default-beam-1": {"beam_size": 1},
    "default-no-retries": {"temperature": (0.0,)},
    "default": {},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--languages", default="nb")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    names = args.variants.split(",")
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")

    import ctranslate2

    from kollega.speech import load_model
    from kollega.speech.audio import load_audio
    from kollega.speech.transcribe import whisper_options

    model = load_model(cpu_threads=args.threads)
    for language in args.languages.split(","):
        with tempfile.TemporaryDirectory(prefix="kollega-options-") as folder:
            clean, _noisy, _timeline = bench.synthesise(language, Path(folder))
            samples = load_audio(clean).mono
            duration = len(samples) / 16000
            reference = bench.words(" ".join(text for _, text in bench.reference_turns(language)))
            print(f"{language}: {duration:.0f} s of audio, {len(reference)} words", flush=True)
            baseline: tuple[float, float] | None = None
            for name in names:
                options = whisper_options(language) | VARIANTS[name]
                ctranslate2.set_random_seed(args.seed)
                load_before = os.getloadavg()[0]
                started = time.perf_counter()
                segments, _info = model.transcribe(samples, **options)
                segments = list(segments)
                elapsed = time.perf_counter() - started
                error = bench.wer(reference, bench.words(" ".join(s.text for s in segments)))
                retried = sum(1 for s in segments if s.temperature)
                against = ""
                if name == "previous":
                    baseline = (elapsed, error)
                elif baseline is not None:
                    ratio, change = elapsed / baseline[0], error - baseline[1]
                    against = f", time/previous {ratio:.2f}, WER {change:+.3f}"
                print(
                    f"  {name:36s} time {elapsed:6.1f} s, RTF {elapsed / duration:.3f}, "
                    f"WER {error:.3f}{against}; {retried}/{len(segments)} segments retried; "
                    f"load {load_before:.2f} → {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
