"""The sampler's records, its cost, the greedy proposal and the exact integer program."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Candidate:
    """One person in the pool: an opaque id and their profile (dimension -> value, "" unknown)."""

    id: str
    profile: Mapping[str, str] = field(default_factory=dict)

    def value(self, dimension: str) -> str:
        return self.profile.get(dimension, "") or ""


@dataclass(frozen=True)
class Sample:
    """A chosen sample: the candidates' ids in pool order, and its cost (lower is better)."""

    ids: tuple[str, ...]
    cost: float
    uncovered: int
    imbalance: float
    method: str = "greedy"


def _values(pool: Sequence[Candidate], dimensions: Sequence[str]) -> dict[str, list[str]]:
    """The known values of each dimension present in the pool, sorted."""
    return {d: sorted({c.value(d) for c in pool} - {""}) for d in dimensions}


def _weight(n: int, dimensions: Sequence[str]) -> float:
    # One person changes a dimension's imbalance by at most 2, so the total imbalance of any
    # sample of n stays below 2 * n * |dimensions| + 1: coverage then always comes first.
    return 2.0 * n * len(dimensions) + 1.0


def coverage(
    chosen: Iterable[Candidate], pool: Sequence[Candidate], dimensions: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Dimension -> value -> how many of `chosen` have it, for every value found in `pool`
    (zeros included, so a missing value shows)."""
    table = {d: dict.fromkeys(values, 0) for d, values in _values(pool, dimensions).items()}
    for candidate in chosen:
        for d in dimensions:
            v = candidate.value(d)
            if v in table[d]:
                table[d][v] += 1
    return table


def _score(
    counts: Mapping[str, Mapping[str, int]], n: int, dimensions: Sequence[str]
) -> tuple[int, float, float]:
    uncovered = 0
    imbalance = 0.0
    for d in dimensions:
        values = counts[d]
        if not values:
            continue
        target = n / len(values)
        for count in values.values():
            uncovered += count == 0
            imbalance += abs(count - target)
    return uncovered, imbalance, _weight(n, dimensions) * uncovered + imbalance


def sample_cost(
    chosen: Iterable[Candidate], pool: Sequence[Candidate], dimensions: Sequence[str], n: int
) -> float:
    """The cost (see the package docstring) of `chosen` as a sample of size n from `pool`."""
    return _score(coverage(chosen, pool, dimensions), n, dimensions)[2]


def _check(pool: Sequence[Candidate], n: int, fixed: Sequence[str]) -> None:
    ids = [c.id for c in pool]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    if n < 0 or n > len(pool):
        raise ValueError(f"cannot choose {n} from a pool of {len(pool)}")
    unknown = set(fixed) - set(ids)
    if unknown:
        raise ValueError(f"fixed ids not in the pool: {sorted(unknown)}")
    if len(set(fixed)) > n:
        raise ValueError(f"{len(set(fixed))} fixed candidates do not fit in a sample of {n}")


def _result(
    chosen: set[str], pool: Sequence[Candidate], dimensions: Sequence[str], n: int
) -> Sample:
    members = [c for c in pool if c.id in chosen]
    uncovered, imbalance, cost = _score(coverage(members, pool, dimensions), n, dimensions)
    return Sample(tuple(c.id for c in members), cost, uncovered, imbalance)


def propose_sample(
    pool: Sequence[Candidate],
    dimensions: Sequence[str],
    n: int,
    *,
    fixed: Sequence[str] = (),
    random_state: int | None = None,
    restarts: int = 8,
    max_rounds: int = 50,
) -> Sample:
    """Pick n candidates covering every value of every dimension as evenly as possible.

    Steps: start from `fixed` (ids the researcher keeps); add, one at a time, the candidate
    whose addition lowers the cost most (ties: the order tried); then swap a non-fixed member
    for an outsider while that lowers the cost, for at most `max_rounds` passes. This runs
    once in pool order and `restarts` more times in orders shuffled from `random_state`
    (default 0, so the answer is repeatable); the cheapest sample wins. Raises ValueError for
    n outside 0..len(pool), duplicate ids, or fixed ids not in the pool or more than n of them.
    """
    _check(pool, n, fixed)
    rng = random.Random(random_state or 0)  # noqa: S311 - tie-breaking, not secrecy
    best: Sample | None = None
    for attempt in range(restarts + 1):
        order = list(pool)
        if attempt or random_state is not None:
            rng.shuffle(order)
        found = _greedy(pool, order, dimensions, n, fixed, max_rounds)
        if best is None or found.cost < best.cost - 1e-9:
            best = found
    assert best is not None  # noqa: S101 - the loop runs at least once
    return best


def _greedy(
    pool: Sequence[Candidate],
    order: Sequence[Candidate],
    dimensions: Sequence[str],
    n: int,
    fixed: Sequence[str],
    max_rounds: int,
) -> Sample:
    """One greedy pass and swap improvement. Costs are updated incrementally: a person touches
    one (dimension, value) term per dimension, so a trial costs O(|dimensions|)."""
    values = _values(pool, dimensions)
    weight = _weight(n, dimensions)
    targets: list[float] = []
    index: dict[tuple[str, str], int] = {}
    for d in dimensions:
        for v in values[d]:
            index[(d, v)] = len(targets)
            targets.append(n / len(values[d]))
    keys = {
        c.id: tuple(index[(d, c.value(d))] for d in dimensions if (d, c.value(d)) in index)
        for c in pool
    }
    counts = [0] * len(targets)

    def term(k: int, count: int) -> float:
        return (weight if count == 0 else 0.0) + abs(count - targets[k])

    def add_delta(cid: str) -> float:
        return sum(term(k, counts[k] + 1) - term(k, counts[k]) for k in keys[cid])

    def swap_delta(out: str, into: str) -> float:
        leaving, coming = set(keys[out]), set(keys[into])
        delta = sum(term(k, counts[k] - 1) - term(k, counts[k]) for k in leaving - coming)
        return delta + sum(term(k, counts[k] + 1) - term(k, counts[k]) for k in coming - leaving)

    def move(cid: str, step: int) -> None:
        for k in keys[cid]:
            counts[k] += step

    chosen: list[str] = list(dict.fromkeys(fixed))
    taken = set(chosen)
    for cid in chosen:
        move(cid, 1)
    while len(chosen) < n:
        pick: tuple[float, str] | None = None
        for candidate in order:
            if candidate.id in taken:
                continue
            delta = add_delta(candidate.id)
            if pick is None or delta < pick[0] - 1e-12:
                pick = (delta, candidate.id)
        assert pick is not None  # noqa: S101 - n <= len(pool) was checked
        chosen.append(pick[1])
        taken.add(pick[1])
        move(pick[1], 1)

    keep = set(fixed)
    for _round in range(max_rounds):
        improved = False
        for position, member in enumerate(chosen):
            if member in keep:
                continue
            for candidate in order:
                if candidate.id in taken or swap_delta(member, candidate.id) >= -1e-9:
                    continue
                move(member, -1)
                move(candidate.id, 1)
                taken.discard(member)
                taken.add(candidate.id)
                chosen[position] = candidate.id
                improved = True
                break
        if not improved:
            break
    return _result(taken, pool, dimensions, n)


def exact_sample(
    pool: Sequence[Candidate],
    dimensions: Sequence[str],
    n: int,
    *,
    fixed: Sequence[str] = (),
    time_limit_s: float = 30.0,
    accept_feasible: bool = False,
) -> Sample:
    """The least-cost sample, as a mixed-integer program solved by scipy's HiGHS (milp).

    Variables: x_i (candidate i chosen), y_dv (value v of d covered), e_dv (|count - target|).
    Minimise W * sum(1 - y) + sum(e) subject to sum(x) = n, y_dv <= count_dv,
    e_dv >= +-(count_dv - target_d), x_i = 1 for fixed ids. Raises ValueError as
    `propose_sample` does, and RuntimeError when the solver finds no optimum in time (with
    `accept_feasible`, only when it found no sample at all: the best one found is returned).
    """
    # Imported when used: numpy is slow to load and only this path needs it.
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    _check(pool, n, fixed)
    values = _values(pool, dimensions)
    pairs = [(d, v) for d in dimensions for v in values[d]]
    size, npairs = len(pool), len(pairs)
    nvars = size + 2 * npairs  # x, then y, then e
    weight = _weight(n, dimensions)
    objective = np.concatenate([np.zeros(size), -weight * np.ones(npairs), np.ones(npairs)])
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    choose = np.zeros(nvars)
    choose[:size] = 1.0
    rows.append(choose)
    lower.append(n)
    upper.append(n)
    for k, (d, v) in enumerate(pairs):
        member = np.array([1.0 if c.value(d) == v else 0.0 for c in pool])
        target = n / len(values[d])
        y, e = size + k, size + npairs + k
        row = np.zeros(nvars)
        row[:size] = -member
        row[y] = 1.0
        rows.append(row)  # y - count <= 0
        lower.append(-np.inf)
        upper.append(0.0)
        row = np.zeros(nvars)
        row[:size] = member
        row[e] = -1.0
        rows.append(row)  # count - e <= target
        lower.append(-np.inf)
        upper.append(target)
        row = np.zeros(nvars)
        row[:size] = -member
        row[e] = -1.0
        rows.append(row)  # -count - e <= -target
        lower.append(-np.inf)
        upper.append(-target)
    low = np.zeros(nvars)
    high = np.concatenate([np.ones(size + npairs), np.full(npairs, np.inf)])
    keep = set(fixed)
    for i, candidate in enumerate(pool):
        if candidate.id in keep:
            low[i] = 1.0
    integrality = np.concatenate([np.ones(size + npairs), np.zeros(npairs)])
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), np.array(lower), np.array(upper)),
        integrality=integrality,
        bounds=Bounds(low, high),
        options={"time_limit": time_limit_s},
    )
    if result.status != 0 or result.x is None:
        if accept_feasible and result.x is not None:
            chosen = {c.id for c, x in zip(pool, result.x[:size], strict=True) if x > 0.5}
            return replace(
                _result(chosen, pool, dimensions, n), method="integer program (time limit)"
            )
        raise RuntimeError(f"no optimal sample found: {result.message}")
    chosen = {c.id for c, x in zip(pool, result.x[:size], strict=True) if x > 0.5}
    return replace(_result(chosen, pool, dimensions, n), method="integer program")


def best_sample(
    pool: Sequence[Candidate],
    dimensions: Sequence[str],
    n: int,
    *,
    fixed: Sequence[str] = (),
    time_limit_s: float = 5.0,
) -> Sample:
    """The greedy proposal, replaced by the integer program's answer when that finds a cheaper
    sample within `time_limit_s` (the optimum, or the best it reached). Never worse than
    `propose_sample`; `Sample.method` says which one won."""
    greedy = propose_sample(pool, dimensions, n, fixed=fixed)
    try:
        exact = exact_sample(
            pool, dimensions, n, fixed=fixed, time_limit_s=time_limit_s, accept_feasible=True
        )
    except RuntimeError:
        return greedy
    return exact if exact.cost < greedy.cost - 1e-9 else greedy
