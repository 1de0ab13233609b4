"""Online matching: the counsellors for one request, best first, with reasons."""

from __future__ import annotations

from collections.abc import Iterable

from kollega.matching.evaluate import hard_reasons, load_cost, pair_reasons
from kollega.matching.types import (
    Counsellor,
    Exclusion,
    Proposal,
    Ranking,
    Reason,
    Request,
    Weights,
)

DEFAULT_WEIGHTS = Weights()


def propose(request: Request, counsellor: Counsellor, weights: Weights) -> Proposal:
    """The cost of one allowed pair, itemised: soft costs, wishes met, and the load."""
    reasons = pair_reasons(request, counsellor, weights)
    load = (
        Reason("load", str(counsellor.load), load_cost(counsellor, 0, weights))
        if counsellor.load
        else Reason("free")
    )
    reasons = (*reasons, load)
    return Proposal(counsellor, sum(r.cost for r in reasons), reasons)


def rank(
    request: Request,
    counsellors: Iterable[Counsellor],
    *,
    top: int | None = 3,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Ranking:
    """Counsellors allowed for `request`, cheapest first (ties by id), and every excluded one.

    Returns a `Ranking`: the first `top` proposals (all when `top` is None), each with its
    itemised reasons; every excluded counsellor with all hard reasons, in input order; and
    how many were eligible.
    """
    proposals: list[Proposal] = []
    excluded: list[Exclusion] = []
    for counsellor in counsellors:
        hard = hard_reasons(request, counsellor)
        if hard:
            excluded.append(Exclusion(counsellor, hard))
        else:
            proposals.append(propose(request, counsellor, weights))
    proposals.sort(key=lambda p: (p.cost, p.counsellor.id))
    chosen = proposals if top is None else proposals[:top]
    return Ranking(tuple(chosen), tuple(excluded), eligible=len(proposals))
