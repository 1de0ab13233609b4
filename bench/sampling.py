"""Benchmark for kollega.sampling; the baseline is the exact integer program in the same run.

    .venv/bin/python bench/sampling.py            # 30 small pools, then pools of 40 to 1,000
    .venv/bin/python bench/sampling.py --quick    # fewer pools, for a smoke test

1. Quality: on small synthetic pools (20 people, samples of 6 and 8, three dimensions), the
   greedy proposal's cost against the optimum found by `exact_sample` (scipy's milp): how often
   it is optimal, and the mean and largest relative gap.
2. Time: `propose_sample` against `exact_sample` on pools of 40, 200 and 1,000 people with four
   dimensions (the time a researcher waits on the pool page).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kollega.sampling import Candidate, exact_sample, propose_sample

VALUES = {
    "gender": ["female", "male", "other"],
    "age_band": ["under_30", "30_39", "40_49", "50_59", "60_plus"],
    "specialty": [f"s{i}" for i in range(12)],
    "region": [f"r{i}" for i in range(11)],
}


def pool_of(size: int, seed: int, dimensions: list[str], *, skew: float) -> list[Candidate]:
    rng = random.Random(seed)
    pool = []
    for i in range(size):
        profile = {}
        for d in dimensions:
            values = VALUES[d]
            if rng.random() < 0.1:
                profile[d] = ""
            elif rng.random() < skew:
                profile[d] = values[0]
            else:
                profile[d] = rng.choice(values)
        pool.append(Candidate(f"c{i}", profile))
    return pool


def quality(pools: int) -> None:
    dims = ["gender", "age_band", "specialty"]
    gaps = []
    for seed in range(pools):
        pool = pool_of(20, 200 + seed, dims, skew=0.5 if seed % 2 else 0.0)
        n = 6 if seed % 3 else 8
        greedy, exact = propose_sample(pool, dims, n), exact_sample(pool, dims, n)
        gaps.append((greedy.cost - exact.cost) / max(exact.cost, 1.0))
    optimal = sum(g < 1e-9 for g in gaps)
    print(
        f"quality: optimal on {optimal}/{pools} pools; mean gap {sum(gaps) / pools:.3f}, "
        f"largest {max(gaps):.3f}"
    )


def timing(sizes: list[int]) -> None:
    dims = list(VALUES)
    for size in sizes:
        pool = pool_of(size, size, dims, skew=0.6)
        n = 12
        start = time.perf_counter()
        greedy = propose_sample(pool, dims, n)
        greedy_s = time.perf_counter() - start
        start = time.perf_counter()
        exact = exact_sample(pool, dims, n, time_limit_s=120)
        exact_s = time.perf_counter() - start
        print(
            f"pool {size:>5}, n {n}: greedy {greedy_s:.2f} s (cost {greedy.cost:.2f}), "
            f"exact {exact_s:.2f} s (cost {exact.cost:.2f}), ratio {greedy_s / exact_s:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quality(6 if args.quick else 30)
    timing([40] if args.quick else [40, 200, 1000])


if __name__ == "__main__":
    main()
