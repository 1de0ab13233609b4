"""Benchmarks for kollega.matching, each beside a greedy baseline measured in the same run.

    PYTHONPATH=src .venv/bin/python bench/matching.py

Wall time and the process's CPU time are both printed: on a shared machine the CPU time is the
fairer figure (what the work costs), the wall time what a user waits at that moment.

1. `assign`: 5,000 open requests x 500 counsellors with capacity 3 (1,500 places; goal < 5 s),
   against `greedy` (each request by priority takes the cheapest counsellor with room): time,
   requests matched and total cost.
2. `rank` of one request over 1,000 counsellors (goal: median < 10 ms), against a greedy pick
   of the single cheapest counsellor (the same rules, no reasons and no sorting).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from kollega.matching import Counsellor, Request, assign, greedy, rank  # noqa: E402
from kollega.matching.evaluate import hard_reasons  # noqa: E402
from kollega.matching.organisations import organisations  # noqa: E402
from kollega.matching.rank import DEFAULT_WEIGHTS, propose  # noqa: E402
from kollega.matching.regions import COUNTIES  # noqa: E402

TRUSTS = [org.id for org in organisations() if org.kind in ("hf", "municipality")][:120]


def make_counsellors(rng: random.Random, m: int) -> list[Counsellor]:
    return [
        Counsellor(
            id=j + 1,
            name=f"Rådgiver {j} Hansen",
            region=rng.choice(COUNTIES),
            gender=rng.choice(["female", "male"]),
            specialty=rng.choice(["general_practice", "psychiatry", "surgery", "internal"]),
            languages=frozenset(rng.sample(["nb", "en"], rng.randint(1, 2))),
            remote=rng.random() < 0.8,
            active=rng.random() < 0.95,
            capacity=3,
            load=0,
            employers=frozenset([rng.choice(TRUSTS)]),
            conflicts=frozenset(rng.sample(TRUSTS, rng.randint(0, 2))),
            days_since_assigned=rng.uniform(0, 60) if rng.random() < 0.8 else None,
        )
        for j in range(m)
    ]


def make_requests(rng: random.Random, n: int) -> list[Request]:
    return [
        Request(
            id=i + 1,
            region=rng.choice(COUNTIES),
            in_person_region=rng.choice(COUNTIES) if rng.random() < 0.15 else "",
            remote_only=rng.random() < 0.4,
            language=rng.choice(["", "", "nb", "en"]),
            gender_wish=rng.choice(["", "", "female", "male"]),
            specialty=rng.choice(["general_practice", "psychiatry", "surgery", "internal"]),
            specialty_wish=rng.choice(["", "", "same", "other"]),
            conflicts=frozenset(rng.sample(TRUSTS, rng.randint(0, 2))),
            avoid_people=(f"Rådgiver {rng.randint(0, 500)} Hansen",) if rng.random() < 0.05 else (),
            urgent=rng.random() < 0.03,
            days_waited=rng.uniform(0, 30),
        )
        for i in range(n)
    ]


def cheapest(request: Request, counsellors: list[Counsellor]) -> Counsellor | None:
    best, best_cost = None, float("inf")
    for c in counsellors:
        if not hard_reasons(request, c):
            cost = propose(request, c, DEFAULT_WEIGHTS).cost
            if cost < best_cost:
                best, best_cost = c, cost
    return best


def main() -> None:
    rng = random.Random(2026)
    couns = make_counsellors(rng, 500)
    reqs = make_requests(rng, 5000)
    print("1. assign: 5,000 requests x 500 counsellors, capacity 3 (goal < 5 s)")
    print(
        f"{'solver':10} {'wall s':>8} {'CPU s':>8} {'matched':>8} {'total cost':>11} "
        f"{'cost/match':>11}"
    )
    for name, solver in (("greedy", greedy), ("assign", assign)):
        t0, c0 = time.perf_counter(), time.process_time()
        batch = solver(reqs, couns)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        matched = len(batch.assignments)
        print(
            f"{name:10} {seconds:8.2f} {cpu:8.2f} {matched:8d} {batch.total_cost:11.1f} "
            f"{batch.total_cost / max(1, matched):11.3f}"
        )
    big = make_counsellors(rng, 1000)
    probes = make_requests(rng, 50)
    print("2. rank over 1,000 counsellors (goal: median < 10 ms), 50 requests")
    for name, run in (
        ("cheapest only", lambda r: cheapest(r, big)),
        ("rank (top 3 + reasons)", lambda r: rank(r, big)),
    ):
        times, cpu = [], []
        for request in probes:
            t0, c0 = time.perf_counter(), time.process_time()
            run(request)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(
            f"   {name:24} median {statistics.median(times):6.2f} ms wall, "
            f"{statistics.median(cpu):6.2f} ms CPU; max {max(times):6.2f} ms wall"
        )


if __name__ == "__main__":
    main()
