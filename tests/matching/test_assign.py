from __future__ import annotations

import itertools
import math
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.matching import Counsellor, Request, Weights, assign, greedy, rank
from kollega.matching.assign import pair_matrix
from kollega.matching.evaluate import hard_reasons, load_cost, priority
from kollega.matching.rank import propose
from tests.matching.strategies import counsellors, requests

W = Weights()


def brute_force(reqs: list[Request], couns: list[Counsellor]) -> tuple[int, float]:
    """Best (most matched, then least cost minus priority) over every assignment."""
    options = [[None] + [j for j, c in enumerate(couns) if not hard_reasons(r, c)] for r in reqs]
    best: tuple[int, float] = (0, 0.0)
    for choice in itertools.product(*options):
        used = Counter(j for j in choice if j is not None)
        if any(used[j] > couns[j].capacity_left for j in used):
            continue
        taken: Counter[int] = Counter()
        total = 0.0
        for i, j in enumerate(choice):
            if j is None:
                continue
            pair = propose(reqs[i], couns[j], W)
            total += pair.cost - load_cost(couns[j], 0, W) + load_cost(couns[j], taken[j], W)
            total -= priority(reqs[i], W)
            taken[j] += 1
        matched = sum(used.values())
        if matched > best[0] or (matched == best[0] and total < best[1] - 1e-9):
            best = (matched, total)
    return best


def objective(batch_result, reqs: list[Request]) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    by_id = {r.id: r for r in reqs}
    bonus = sum(priority(by_id[a.request_id], W) for a in batch_result.assignments)
    return len(batch_result.assignments), batch_result.total_cost - bonus


@settings(max_examples=250, deadline=None)
@given(requests(5), counsellors(3, max_capacity=2))
def test_assign_agrees_with_brute_force(reqs: list[Request], couns: list[Counsellor]) -> None:
    expected = brute_force(reqs, couns)
    got = objective(assign(reqs, couns), reqs)
    assert got[0] == expected[0]
    assert math.isclose(got[1], expected[1], abs_tol=1e-6)


@settings(max_examples=100, deadline=None)
@given(requests(6), counsellors(6))
def test_the_arrays_agree_with_the_rules_one_pair_at_a_time(
    reqs: list[Request], couns: list[Counsellor]
) -> None:
    cost, allowed = pair_matrix(reqs, couns, W)
    for i, r in enumerate(reqs):
        for j, c in enumerate(couns):
            assert allowed[i, j] == (not hard_reasons(r, c))
            if allowed[i, j]:
                expected = propose(r, c, W).cost - load_cost(c, 0, W)
                assert math.isclose(cost[i, j], expected, abs_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(requests(5), counsellors(4), st.integers(0, 3))
def test_rank_orders_by_cost_and_explains_every_exclusion(
    reqs: list[Request], couns: list[Counsellor], top: int
) -> None:
    ranking = rank(reqs[0], couns, top=top)
    costs = [p.cost for p in ranking.proposals]
    assert costs == sorted(costs)
    assert len(ranking.proposals) == min(top, ranking.eligible)
    assert ranking.eligible + len(ranking.excluded) == len(couns)
    for exclusion in ranking.excluded:
        assert exclusion.reasons and all(str(r) for r in exclusion.reasons)


def random_instance(rng: random.Random, n: int, m: int) -> tuple[list[Request], list[Counsellor]]:
    regions = ["oslo", "akershus", "vestland", "troms", "nordland", "agder"]
    orgs = [f"hf:{k}" for k in range(20)]
    couns = [
        Counsellor(
            id=j + 1,
            name=f"Rådgiver {j}",
            region=rng.choice(regions),
            gender=rng.choice(["female", "male"]),
            specialty=rng.choice(["a", "b", "c"]),
            languages=frozenset(rng.sample(["nb", "en"], rng.randint(1, 2))),
            remote=rng.random() < 0.8,
            active=rng.random() < 0.9,
            capacity=3,
            load=rng.randint(0, 3),
            employers=frozenset([rng.choice(orgs)]),
        )
        for j in range(m)
    ]
    reqs = [
        Request(
            id=i + 1,
            region=rng.choice(regions),
            in_person_region=rng.choice(regions) if rng.random() < 0.2 else "",
            remote_only=rng.random() < 0.3,
            language=rng.choice(["", "", "nb", "en"]),
            gender_wish=rng.choice(["", "female", "male"]),
            conflicts=frozenset(rng.sample(orgs, rng.randint(0, 3))),
            declined=frozenset([rng.randint(1, m)]) if rng.random() < 0.1 else frozenset(),
            avoid_people=(f"Rådgiver {rng.randint(0, m)}",) if rng.random() < 0.1 else (),
            urgent=rng.random() < 0.05,
            days_waited=rng.uniform(0, 20),
        )
        for i in range(n)
    ]
    return reqs, couns


def test_no_hard_constraint_is_broken_on_large_random_instances() -> None:
    rng = random.Random(13)
    for _ in range(3):
        reqs, couns = random_instance(rng, 400, 80)
        by_r = {r.id: r for r in reqs}
        by_c = {c.id: c for c in couns}
        for solver in (assign, greedy):
            batch = solver(reqs, couns)
            used = Counter(a.counsellor_id for a in batch.assignments)
            for a in batch.assignments:
                assert not hard_reasons(by_r[a.request_id], by_c[a.counsellor_id])
            for cid, count in used.items():
                assert count <= by_c[cid].capacity_left
            assert len(batch.assignments) + len(batch.unmatched) == len(reqs)
            assert all(str(u.reason) for u in batch.unmatched)
        # The optimum matches at least as many, at no more cost per match than greedy.
        best, base = assign(reqs, couns), greedy(reqs, couns)
        assert len(best.assignments) >= len(base.assignments)


def test_an_unmatched_request_says_why() -> None:
    request = Request(id=1, language="en")
    only = Counsellor(id=7, name="Tor Hansen", languages=frozenset({"nb"}))
    batch = assign([request], [only])
    assert batch.assignments == ()
    assert "does not speak the seeker's language (1)" in str(batch.unmatched[0].reason)
    full = Counsellor(id=8, languages=frozenset({"en"}), capacity=1)
    batch = assign(
        [Request(id=1, language="en"), Request(id=2, language="en", urgent=True)], [full]
    )
    assert [a.request_id for a in batch.assignments] == [2]
    assert batch.unmatched[0].request_id == 1
    assert batch.unmatched[0].reason.code == "no_place"
