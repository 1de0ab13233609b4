"""Benchmarks for kollega.speech: transcription speed and accuracy, de-identification quality.

    .venv/bin/python bench/speech.py                 # everything
    .venv/bin/python bench/speech.py --part deid     # de-identification only (seconds)
    .venv/bin/python bench/speech.py --part transcribe --languages en

Transcription: a two-speaker interview per language (reference texts in bench/data/,
synthesised with espeak-ng, two voices, 16 kHz, plus a copy with pink noise mixed in by sox) is
transcribed by ``kollega.speech.transcribe`` and by faster-whisper called directly with the
same model object and options. Reported: real-time factor, the ratio of direct to pipeline
time (1.0 = the pipeline adds nothing), word error rate, the share of segments given the right
speaker, and the process's peak resident memory.

De-identification: sentences from bench/data/deid_templates_*.txt filled with values from
bench/data/deid_values.json (seeded), so every identifier's span and kind is known; recall and
precision per kind (a match is an overlap with the same kind) and recall of any kind (the text
is hidden even if the kind is wrong).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
VOICES = {"en": ("en-us+m3", "en-us+f3"), "nb": ("nb+m3", "nb+f3")}
SPEAKERS = {"I": "interviewer", "P": "participant"}
RATE_WPM = 160
GAP_S = 0.8
NB_MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# ---------------------------------------------------------------- de-identification


@dataclass
class Gold:
    kind: str
    start: int
    end: int
    text: str


def _fnr(rng: random.Random) -> str:
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
        digits = [int(c) for c in born.strftime("%d%m%y") + f"{rng.randrange(500):03d}"]
        k1 = 11 - sum(d * w for d, w in zip(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        digits.append(k1)
        k2 = (
            11
            - sum(d * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        )
        k2 = 0 if k2 == 11 else k2
        if k1 == 10 or k2 == 10:
            continue
        number = "".join(map(str, digits)) + str(k2)
        return number if rng.random() < 0.6 else f"{number[:6]} {number[6:]}"


def _phone(rng: random.Random, language: str) -> str:
    import phonenumbers

    while True:
        kind = rng.choice(
            ("mobile", "mobile", "landline", "plus47") + (("uk",) if language == "en" else ())
        )
        if kind == "uk":
            raw = f"+44 20 7946 {rng.randrange(10000):04d}"
        else:
            first = rng.choice("49") if kind != "landline" else rng.choice(("22", "23", "55", "73"))
            rest = "".join(str(rng.randrange(10)) for _ in range(8 - len(first)))
            number = first + rest
            styles = (
                f"{number[:3]} {number[3:5]} {number[5:]}",
                number,
                f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:]}",
            )
            raw = rng.choice(styles)
            if kind == "plus47":
                raw = "+47 " + raw
        parsed = phonenumbers.parse(raw, "NO")
        if phonenumbers.is_valid_number(parsed):
            return raw


def _ascii(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("'", "")


def _date(rng: random.Random, language: str) -> str:
    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    if language == "nb":
        return rng.choice(
            (
                f"{day.day}. {NB_MONTHS[day.month - 1]} {day.year}",
                day.strftime("%d.%m.%Y"),
                f"{day.day}. {NB_MONTHS[day.month - 1]}",
            )
        )
    return rng.choice(
        (
            f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}",
            f"{EN_MONTHS[day.month - 1]} {day.day}, {day.year}",
            day.strftime("%d/%m/%Y"),
        )
    )


def fill(
    template: str, language: str, rng: random.Random, values: dict[str, list[str]]
) -> tuple[str, list[Gold]]:
    """Fill one template's slots; returns the sentence and the gold spans in it."""
    out = ""
    gold: list[Gold] = []
    last_surname = rng.choice(values["last"])
    pos = 0
    for match in re.finditer(r"\{(\w+)\}", template):
        out += template[pos : match.start()]
        slot = match[1]
        n = rng.randrange(29, 67)
        if slot == "name":
            first, last_surname = rng.choice(values["first"]), rng.choice(values["last"])
            value, kind = f"{first} {last_surname}", "person"
        elif slot == "first":
            value, kind = rng.choice(values["first"]), "person"
        elif slot == "last":
            value, kind = last_surname, "person"
        elif slot == "phone":
            value, kind = _phone(rng, language), "phone"
        elif slot == "fnr":
            value, kind = _fnr(rng), "national_id"
        elif slot == "email":
            who = f"{rng.choice(values['first'])}.{rng.choice(values['last'])}"
            value, kind = f"{_ascii(who)}@{rng.choice(values['email_domain'])}", "email"
        elif slot == "date":
            value, kind = _date(rng, language), "date"
        elif slot == "age":
            value = (
                rng.choice((f"{n} år gammel", f"{n}-årig")) if language == "nb" else f"{n}-year-old"
            )
            kind = "age"
        elif slot == "agenum":
            value = (
                rng.choice((f"{n} år", str(n)))
                if language == "nb"
                else rng.choice((str(n), f"{n} years old"))
            )
            kind = "age"
        elif slot in ("place", "employer"):
            value, kind = rng.choice(values[slot]), slot
        elif slot == "address":
            street, number = rng.choice(values["street"]), rng.randrange(1, 120)
            norwegian = street[0].isupper() and not street.endswith(
                ("Street", "Road", "Lane", "Avenue")
            )
            value = f"{street} {number}" if norwegian else f"{number} {street}"
            if norwegian and rng.random() < 0.5:
                value += f", {rng.randrange(1000, 9999)} {rng.choice(values['place'])}"
            kind = "address"
        else:
            raise ValueError(f"unknown slot {slot}")
        gold.append(Gold(kind, len(out), len(out) + len(value), value))
        out += value
        pos = match.end()
    return out + template[pos:], gold


def deid_set(
    language: str, *, seed: int, repeats: int = 4, name: str = "templates"
) -> tuple[str, list[Gold]]:
    """One interview-like document per language: every template filled ``repeats`` times.

    ``name`` picks ``deid_templates_*`` (the set the rules were tuned on), ``deid_heldout_*``
    (written after that tuning; its misses led to one more general rule) or ``deid_fresh_*``
    (written after that rule, never used for tuning).
    """
    rng = random.Random(f"{seed}-{language}")
    values = json.loads((DATA / "deid_values.json").read_text(encoding="utf-8"))[language]
    templates = [
        line
        for line in (DATA / f"deid_{name}_{language}.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    text = ""
    gold: list[Gold] = []
    for rep in range(repeats):
        for i, template in enumerate(templates):
            sentence, spans = fill(template, language, rng, values)
            sep = "\n\n" if (i + rep) % 5 == 0 and text else (" " if text else "")
            text += sep
            gold += [Gold(g.kind, g.start + len(text), g.end + len(text), g.text) for g in spans]
            text += sentence
    for g in gold:
        assert text[g.start : g.end] == g.text
    return text, gold


def bench_deid(languages: list[str], seed: int, name: str = "templates") -> dict[str, object]:
    from kollega.speech import find_identifiers
    from kollega.speech.types import FINDING_KINDS

    results: dict[str, object] = {}
    for language in languages:
        text, gold = deid_set(language, seed=seed, name=name)
        started = time.perf_counter()
        found = find_identifiers(text, language=language)
        elapsed = time.perf_counter() - started
        rows = {}
        for kind in FINDING_KINDS:
            g = [x for x in gold if x.kind == kind]
            p = [x for x in found if x.kind == kind]
            hit = sum(any(f.start < x.end and x.start < f.end for f in p) for x in g)
            correct = sum(any(x.start < f.end and f.start < x.end for x in g) for f in p)
            rows[kind] = {
                "gold": len(g),
                "proposed": len(p),
                "recall": round(hit / len(g), 3) if g else None,
                "precision": round(correct / len(p), 3) if p else None,
            }
        any_hit = sum(any(f.start < x.end and x.start < f.end for f in found) for x in gold)
        results[language] = {
            "identifiers": len(gold),
            "characters": len(text),
            "seconds": round(elapsed, 2),
            "recall_any_kind": round(any_hit / len(gold), 3),
            "per_kind": rows,
        }
    return results


def _resolve_pairwise(candidates: object) -> list[object]:
    """The overlap resolution kollega.speech.deid used before 2026-11-28: each finding checked
    against every finding taken so far (quadratic). The baseline for ``bench_deid_speed``."""
    from kollega.speech.deid import KIND_PRIORITY

    ranked = sorted(
        candidates,  # type: ignore[call-overload]
        key=lambda f: (-f.confidence, -(f.end - f.start), -KIND_PRIORITY[f.kind], f.start),
    )
    taken: list[object] = []
    for finding in ranked:
        if all(finding.end <= t.start or finding.start >= t.end for t in taken):  # type: ignore[attr-defined]
            taken.append(finding)
    return sorted(taken, key=lambda f: f.start)  # type: ignore[attr-defined]


def _occurrences_per_form(text: str, forms: object) -> object:
    """Name propagation before 2026-11-28: one search of the whole text per name form."""
    for form in forms:  # type: ignore[attr-defined]
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
            yield form, match.start()


def long_text(language: str, characters: int, seed: int) -> str:
    """Filled templates, new values each round, until the text is ``characters`` long."""
    parts: list[str] = []
    size = 0
    round_ = 0
    while size < characters:
        text, _gold = deid_set(language, seed=seed * 1000 + round_)
        parts.append(text)
        size += len(text) + 2
        round_ += 1
    return "\n\n".join(parts)[:characters]


def bench_deid_speed(seed: int, sizes_kb: tuple[int, ...] = (100, 200, 1000)) -> dict[str, object]:
    """Seconds for ``find_identifiers`` on long Norwegian texts against the old quadratic path
    (pairwise overlap checks, one search per name form), run only up to 200 KB: beyond, the old
    path takes minutes."""
    from unittest import mock

    from kollega.speech import deid, find_identifiers

    results: dict[str, object] = {}
    for kb in sizes_kb:
        text = long_text("nb", kb * 1000, seed)
        started, cpu = time.perf_counter(), time.process_time()
        found = find_identifiers(text, language="nb")
        linear = time.perf_counter() - started
        # CPU seconds too: on the shared machine, wall time also measures the others' load.
        row: dict[str, object] = {
            "findings": len(found),
            "linear_s": round(linear, 2),
            "linear_cpu_s": round(time.process_time() - cpu, 2),
        }
        if kb <= 200:
            with (
                mock.patch.object(deid, "_resolve", _resolve_pairwise),
                mock.patch.object(deid, "_occurrences", _occurrences_per_form),
            ):
                started, cpu = time.perf_counter(), time.process_time()
                old = find_identifiers(text, language="nb")
                row["old_s"] = round(time.perf_counter() - started, 2)
                row["old_cpu_s"] = round(time.process_time() - cpu, 2)
            row["same_findings"] = old == found
            row["speedup"] = round(row["old_s"] / linear, 1)  # type: ignore[operator]
            row["cpu_speedup"] = round(
                row["old_cpu_s"] / row["linear_cpu_s"],  # type: ignore[operator]
                1,
            )
        results[f"{kb} KB"] = row
        print(kb, json.dumps(row), file=sys.stderr, flush=True)
    return results


# ---------------------------------------------------------------- transcription


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True)  # noqa: S603


def _duration(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True)  # noqa: S603, S607
    return float(out.stdout)


def reference_turns(language: str) -> list[tuple[str, str]]:
    lines = (DATA / f"interview_{language}.txt").read_text(encoding="utf-8").splitlines()
    return [(SPEAKERS[line[0]], line[2:].strip()) for line in lines if line[:2] in ("I:", "P:")]


def synthesise(language: str, folder: Path) -> tuple[Path, Path, list[tuple[str, float, float]]]:
    """The interview as 16 kHz mono wav (clean and noisy) and the reference speaker timeline."""
    pieces: list[Path] = []
    timeline: list[tuple[str, float, float]] = []
    clock = 0.0
    gap = folder / "gap.wav"
    _run("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", gap, "trim", "0", str(GAP_S))
    for i, (speaker, text) in enumerate(reference_turns(language)):
        voice = VOICES[language][0 if speaker == "interviewer" else 1]
        raw, wav = folder / f"{i:03d}.raw.wav", folder / f"{i:03d}.wav"
        _run("espeak-ng", "-v", voice, "-s", str(RATE_WPM), "-w", raw, text)
        _run("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav)
        length = _duration(wav)
        timeline.append((speaker, clock, clock + length))
        clock += length + GAP_S
        pieces += [wav, gap]
    clean = folder / f"interview_{language}.wav"
    _run("sox", *pieces, clean)
    noise = folder / "noise.wav"
    _run(
        "sox",
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        "-b",
        "16",
        noise,
        "synth",
        str(_duration(clean)),
        "pinknoise",
        "vol",
        "0.08",
    )
    noisy = folder / f"interview_{language}_noisy.wav"
    _run("sox", "-m", clean, noise, noisy)
    return clean, noisy, timeline


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s'-]", " ", text.lower()).replace("-", " ").split()


def wer(reference: list[str], hypothesis: list[str]) -> float:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1] / max(1, len(reference))


def speaker_at(timeline: list[tuple[str, float, float]], t: float) -> str:
    """The reference speaker at time ``t`` (the nearest turn when ``t`` falls in a gap)."""

    def distance(turn: tuple[str, float, float]) -> float:
        return 0.0 if turn[1] <= t <= turn[2] else min(abs(t - turn[1]), abs(t - turn[2]))

    return min(timeline, key=distance)[0]


def bench_transcription(languages: list[str], threads: int, keep: Path | None) -> dict[str, object]:
    from kollega.speech import load_model, transcribe
    from kollega.speech.transcribe import whisper_options

    model = load_model(cpu_threads=threads)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for language in languages:
            clean, noisy, timeline = synthesise(language, folder)
            duration = _duration(clean)
            reference = words(" ".join(text for _s, text in reference_turns(language)))
            started = time.perf_counter()
            segments, _info = model.transcribe(str(clean), **whisper_options(language))
            direct_text = " ".join(s.text for s in segments)
            direct_s = time.perf_counter() - started
            started = time.perf_counter()
            ours = transcribe(clean, language=language, model=model)
            ours_s = time.perf_counter() - started
            started = time.perf_counter()
            ours_noisy = transcribe(noisy, language=language, model=model)
            noisy_s = time.perf_counter() - started

            labelled = [(seg, turn.speaker) for turn in ours.turns for seg in turn.segments]
            right = sum(
                speaker_at(timeline, (seg.start + seg.end) / 2) == who for seg, who in labelled
            )
            results[language] = {
                "audio_s": round(duration, 1),
                "pipeline_s": round(ours_s, 1),
                "direct_s": round(direct_s, 1),
                "rtf": round(ours_s / duration, 3),
                "direct_over_pipeline": round(direct_s / ours_s, 3),
                "wer": round(wer(reference, words(ours.text)), 3),
                "wer_direct": round(wer(reference, words(direct_text)), 3),
                "wer_noisy": round(wer(reference, words(ours_noisy.text)), 3),
                "rtf_noisy": round(noisy_s / duration, 3),
                "turn_method": ours.turn_method,
                "turns_found": len(ours.turns),
                "turns_reference": len(timeline),
                "segments_right_speaker": round(right / max(1, len(labelled)), 3),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
            print(language, json.dumps(results[language]), file=sys.stderr, flush=True)
    return results


# ---------------------------------------------------------------- repetition

# Sentences that repeat a phrase on purpose, as people do in interviews, and the words that show
# the repeat was kept (they must be heard twice). Written here, in English: Whisper base hears
# espeak-ng's English well (WER 0.06) and its Norwegian badly (WER about 0.7), so only English
# shows whether a repeat is kept. Each phrase is 6 tokens or more, so the earlier decoding (no
# 6-token run twice within 30 s) could not write it twice.
INTENDED_REPEATS: list[tuple[str, str]] = [
    (
        "I did not know what to do, I did not know what to do, so I waited.",
        "know what to do",
    ),
    (
        "It was too much for me that spring, too much for me that spring.",
        "much for me",
    ),
    (
        "I kept telling myself that it would be fine, that it would be fine.",
        "would be fine",
    ),
    (
        "I worked every weekend all autumn, every weekend all autumn, without a word.",
        "every weekend",
    ),
    (
        "I was so tired that I cried in the car, so tired that I cried in the car.",
        "in the car",
    ),
    (
        "Nobody at work was supposed to know, nobody at work was supposed to know.",
        "supposed to know",
    ),
]


def _count(text: str, key: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(key)}(?!\w)", " ".join(words(text))))


def bench_repetition(threads: int, keep: Path | None) -> dict[str, object]:
    """Both sides of decoding again only the stretches that loop.

    Kept: synthetic English speech repeating phrases on purpose, transcribed by the pipeline
    and by the earlier decoding (every window with no 6-token repeat and hotter retries), the
    same model in the same run; a repeat counts as kept when its key words are heard twice.
    Removed: on the synthetic Norwegian interview, the stretches still looping (a phrase three
    times in a row) after the first pass alone, after the earlier decoding and after the
    pipeline, with word error rate and real-time factor for each.
    """
    from kollega.speech import load_model, transcribe
    from kollega.speech.transcribe import find_loops, loop_options, whisper_options
    from kollega.speech.types import Segment

    model = load_model(cpu_threads=threads)
    results: dict[str, object] = {}

    def direct(path: Path, options: dict[str, object]) -> tuple[list[Segment], float]:
        started = time.perf_counter()
        found, _info = model.transcribe(str(path), **options)
        segments = [Segment(s.start, s.end, s.text.strip()) for s in found]
        return segments, time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        gap = folder / "rgap.wav"
        _run("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", gap, "trim", "0", "1.0")
        pieces: list[Path] = []
        for i, (sentence, _key) in enumerate(INTENDED_REPEATS):
            raw, wav = folder / f"r{i:02d}.raw.wav", folder / f"r{i:02d}.wav"
            _run("espeak-ng", "-v", VOICES["en"][1], "-s", str(RATE_WPM), "-w", raw, sentence)
            _run("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav)
            pieces += [wav, gap]
        repeats = folder / "repeats_en.wav"
        _run("sox", *pieces, repeats)
        ours = transcribe(repeats, language="en", model=model, turns="none")
        earlier, _s = direct(repeats, loop_options("en"))
        earlier_text = " ".join(s.text for s in earlier)
        print("pipeline:", ours.text, "\nearlier:", earlier_text, file=sys.stderr, flush=True)
        results["intended_repeats"] = {
            "sentences": len(INTENDED_REPEATS),
            "kept_pipeline": sum(_count(ours.text, k) >= 2 for _t, k in INTENDED_REPEATS),
            "kept_earlier": sum(_count(earlier_text, k) >= 2 for _t, k in INTENDED_REPEATS),
        }
        print(json.dumps(results["intended_repeats"]), file=sys.stderr, flush=True)

        clean, _noisy, _timeline = synthesise("nb", folder)
        duration = _duration(clean)
        reference = words(" ".join(text for _s, text in reference_turns("nb")))
        rows: dict[str, object] = {}
        first, first_s = direct(clean, whisper_options("nb"))
        earlier, earlier_s = direct(clean, loop_options("nb"))
        started = time.perf_counter()
        pipeline = transcribe(clean, language="nb", model=model)
        pipeline_s = time.perf_counter() - started
        for name, segments, seconds in (
            ("first_pass_only", first, first_s),
            ("earlier_decoding", earlier, earlier_s),
            ("pipeline", list(pipeline.segments), pipeline_s),
        ):
            rows[name] = {
                "looping_stretches": len(find_loops(segments)),
                "wer": round(wer(reference, words(" ".join(s.text for s in segments))), 3),
                "rtf": round(seconds / duration, 3),
            }
        rows["audio_s"] = round(duration, 1)
        results["interview_nb"] = rows
        print(json.dumps(rows), file=sys.stderr, flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--part", choices=("all", "deid", "deid-speed", "transcribe", "repetition"), default="all"
    )
    parser.add_argument("--languages", default="nb,en")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep-audio", type=Path, help="write the synthetic audio here")
    args = parser.parse_args()
    languages = args.languages.split(",")
    report: dict[str, object] = {}
    if args.part in ("all", "deid"):
        report["deid"] = bench_deid(languages, args.seed)
        report["deid_heldout"] = bench_deid(languages, args.seed, "heldout")
        report["deid_fresh"] = bench_deid(languages, args.seed, "fresh")
    if args.part in ("all", "deid-speed"):
        report["deid_speed"] = bench_deid_speed(args.seed)
    if args.part in ("all", "transcribe", "repetition") and not (
        shutil.which("espeak-ng") and shutil.which("sox")
    ):
        print("espeak-ng and sox are needed (apt-get install espeak-ng sox)", file=sys.stderr)
        return 2
    if args.part in ("all", "transcribe"):
        report["transcription"] = bench_transcription(languages, args.threads, args.keep_audio)
    if args.part in ("all", "repetition"):
        report["repetition"] = bench_repetition(args.threads, args.keep_audio)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
