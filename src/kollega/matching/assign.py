"""Batch matching: many requests to counsellors with capacity, at the least total cost.

The objective, in order: match as many requests as the hard constraints and capacities allow;
among those matchings, minimise the total of (pair cost + load cost - request priority), so
that when places are short the urgent and longest-waiting requests get them.

It is solved exactly as a min-cost flow (OR-tools): one unit from each request, through an
allowed pair to a counsellor, then through one of the counsellor's free places to the sink;
place k costs the load the counsellor would have with k more cases (the same cost `rank`
shows for the next case; rising, so places fill in order). Each request also has a direct arc
to the sink, "unmatched", priced above any path through a counsellor. Forbidden pairs have no
arc at all. `greedy()` is the baseline the benchmark compares with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from kollega.matching import regions
from kollega.matching.evaluate import hard_reasons, names_match, priority
from kollega.matching.rank import DEFAULT_WEIGHTS
from kollega.matching.types import (
    Assignment,
    Batch,
    Counsellor,
    Reason,
    Request,
    Unmatched,
    Weights,
)

# Costs go to the solver in whole millionths of a point.
SCALE = 1_000_000
Matrix = NDArray[np.float64]
Mask = NDArray[np.bool_]


def _codes(values: Sequence[str], vocabulary: dict[str, int]) -> NDArray[np.int64]:
    return np.array([vocabulary.setdefault(v, len(vocabulary)) for v in values], dtype=np.int64)


def pair_matrix(
    requests: Sequence[Request], counsellors: Sequence[Counsellor], weights: Weights
) -> tuple[Matrix, Mask]:
    """Soft pair costs (without load) and the allowed pairs, requests x counsellors.

    The same rules as `evaluate.hard_reasons` and `evaluate.pair_reasons`, on arrays.
    """
    n, m = len(requests), len(counsellors)
    cost = np.zeros((n, m))
    allowed = np.ones((n, m), dtype=bool)
    if not n or not m:
        return cost, allowed
    column = {c.id: j for j, c in enumerate(counsellors)}
    # Counsellor columns.
    allowed &= np.array([c.active and c.load < c.capacity for c in counsellors])[None, :]
    genders: dict[str, int] = {"": 0}
    c_gender = _codes([c.gender for c in counsellors], genders)
    specialties: dict[str, int] = {"": 0}
    c_specialty = _codes([c.specialty for c in counsellors], specialties)
    places: dict[str, int] = {}
    c_region = _codes([c.region for c in counsellors], places)
    c_remote = np.array([c.remote for c in counsellors])
    days = np.array(
        [weights.recency_days if c.days_since_assigned is None else c.days_since_assigned
         for c in counsellors]
    )  # fmt: skip
    recency = weights.recency * (1 - np.clip(days, 0, weights.recency_days) / weights.recency_days)
    cost += recency[None, :]
    # Request rows, vectorised.
    r_gender = _codes([r.gender_wish for r in requests], genders)
    wished = r_gender != 0
    cost += weights.gender * (wished[:, None] & (r_gender[:, None] != c_gender[None, :]))
    r_specialty = _codes([r.specialty for r in requests], specialties)
    same = r_specialty[:, None] == c_specialty[None, :]
    has = r_specialty != 0
    wish_same = np.array([r.specialty_wish == "same" for r in requests]) & has
    wish_other = np.array([r.specialty_wish == "other" for r in requests]) & has
    cost += weights.specialty * ((wish_same[:, None] & ~same) | (wish_other[:, None] & same))
    r_region = _codes([r.region for r in requests], places)
    names = sorted(places, key=places.__getitem__)
    distance = np.array([[regions.distance(a, b) for b in names] for a in names], dtype=float)
    counts = np.array(
        [bool(r.region) and not r.remote_only and not r.in_person_region for r in requests]
    )
    cost += weights.region_step * counts[:, None] * distance[r_region][:, c_region]
    remote_only = np.array([r.remote_only for r in requests])
    allowed &= ~(remote_only[:, None] & ~c_remote[None, :])
    in_person = _codes([r.in_person_region for r in requests], places)
    wants_place = np.array([bool(r.in_person_region) for r in requests])
    allowed &= ~(wants_place[:, None] & (in_person[:, None] != c_region[None, :]))
    languages = sorted({r.language for r in requests if r.language})
    speaks = {code: np.array([code in c.languages for c in counsellors]) for code in languages}
    # Rows with rarer rules: languages, conflicts, people, ruled-out ids.
    holders: dict[str, list[int]] = {}
    for j, c in enumerate(counsellors):
        for identity in c.employers | c.conflicts:
            holders.setdefault(identity, []).append(j)
    declaring = [j for j, c in enumerate(counsellors) if c.conflict_people]
    for i, r in enumerate(requests):
        if r.language:
            allowed[i] &= speaks[r.language]
        for identity in r.conflicts:
            allowed[i, holders.get(identity, [])] = False
        for cid in r.not_these | r.declined:
            if cid in column:
                allowed[i, column[cid]] = False
        if r.avoid_people:
            for j, c in enumerate(counsellors):
                if names_match(r.avoid_people, (c.name,)):
                    allowed[i, j] = False
        if r.names:
            for j in declaring:
                if names_match(counsellors[j].conflict_people, r.names):
                    allowed[i, j] = False
    return cost, allowed


def _slot_arcs(
    counsellors: Sequence[Counsellor], weights: Weights
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One arc per free place: its counsellor's index and its (rising) load cost, scaled."""
    owner: list[int] = []
    cost: list[float] = []
    for j, c in enumerate(counsellors):
        for extra in range(c.capacity_left):
            owner.append(j)
            cost.append(weights.load * (c.load + extra) / max(1, c.capacity))
    return (
        np.array(owner, dtype=np.int64),
        np.rint(np.array(cost, dtype=float) * SCALE).astype(np.int64),
    )


def _unmatched_reason(
    request: Request, counsellors: Sequence[Counsellor], any_allowed: bool
) -> Reason:
    if any_allowed:
        return Reason("no_place")
    found: Counter[str] = Counter()
    for counsellor in counsellors:
        for reason in hard_reasons(request, counsellor)[:1]:
            found[str(reason)] += 1
    detail = "; ".join(f"{text} ({count})" for text, count in found.most_common(3))
    return Reason("no_eligible", detail or "no counsellors")


def _batch(
    requests: Sequence[Request],
    counsellors: Sequence[Counsellor],
    pairs: list[tuple[int, int]],
    pair_cost: Matrix,
    allowed: Mask,
    weights: Weights,
) -> Batch:
    taken: Counter[int] = Counter()
    assignments = []
    total = 0.0
    for i, j in sorted(pairs):
        cost = float(pair_cost[i, j]) + weights.load * (counsellors[j].load + taken[j]) / max(
            1, counsellors[j].capacity
        )
        taken[j] += 1
        total += cost
        assignments.append(Assignment(requests[i].id, counsellors[j].id, cost))
    matched = {i for i, _ in pairs}
    unmatched = tuple(
        Unmatched(r.id, _unmatched_reason(r, counsellors, bool(allowed[i].any())))
        for i, r in enumerate(requests)
        if i not in matched
    )
    return Batch(tuple(assignments), unmatched, total)


def assign(
    requests: Sequence[Request],
    counsellors: Sequence[Counsellor],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Batch:
    """The optimal batch assignment (see the module's objective); never breaks a hard rule.

    Returns a `Batch`: one `Assignment` per matched request, with its cost (pair cost plus the
    load cost of its slot); every other request as `Unmatched` with a reason; the total cost.
    """
    pair_cost, allowed = pair_matrix(requests, counsellors, weights)
    n, m = len(requests), len(counsellors)
    places = np.array([c.capacity_left for c in counsellors], dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    if n and int(places.sum()):
        bonus = np.array([priority(r, weights) for r in requests])
        rows, cols = np.nonzero(allowed & (places > 0)[None, :])
        arc_cost = np.rint((pair_cost[rows, cols] - bonus[rows]) * SCALE).astype(np.int64)
        slot_of, slot_cost = _slot_arcs(counsellors, weights)
        finite = max(
            float(np.abs(arc_cost).max(initial=0)), float(np.abs(slot_cost).max(initial=0))
        )
        # Dearer than any path through a counsellor, so a request stays unmatched only when
        # matching it would take a place from another: the flow first matches as many as it can.
        unmatched = int(2 * finite + SCALE) * (n + 1)
        sink = n + m
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([rows, n + slot_of, np.arange(n)]),
            np.concatenate([n + cols, np.full(len(slot_of) + n, sink)]),
            np.ones(len(rows) + len(slot_of) + n, dtype=np.int64),
            np.concatenate([arc_cost, slot_cost, np.full(n, unmatched, dtype=np.int64)]),
        )
        flow.set_nodes_supplies(
            np.arange(n + m + 1), np.concatenate([np.ones(n), np.zeros(m), [-n]]).astype(np.int64)
        )
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        used = flow.flows(np.arange(len(rows))) > 0
        pairs = [(int(i), int(j)) for i, j in zip(rows[used], cols[used], strict=True)]
    return _batch(requests, counsellors, pairs, pair_cost, allowed, weights)


def greedy(
    requests: Sequence[Request],
    counsellors: Sequence[Counsellor],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Batch:
    """Baseline: by priority, each request takes the cheapest allowed counsellor with room."""
    pair_cost, allowed = pair_matrix(requests, counsellors, weights)
    left = np.array([c.capacity_left for c in counsellors], dtype=np.int64)
    load = np.array([c.load for c in counsellors], dtype=float)
    capacity = np.array([max(1, c.capacity) for c in counsellors], dtype=float)
    order = sorted(range(len(requests)), key=lambda i: -priority(requests[i], weights))
    pairs = []
    for i in order:
        open_ = allowed[i] & (left > 0)
        if not open_.any():
            continue
        cost = np.where(open_, pair_cost[i] + weights.load * load / capacity, np.inf)
        j = int(np.argmin(cost))
        pairs.append((i, j))
        left[j] -= 1
        load[j] += 1
    return _batch(requests, counsellors, pairs, pair_cost, allowed, weights)
