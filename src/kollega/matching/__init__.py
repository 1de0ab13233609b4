"""Conflict-aware matching of help-seekers with peer counsellors. Pure Python: no Django.

- `rank(request, counsellors)`: the best counsellors for one request, with reasons, and why
  every other one is excluded.
- `assign(requests, counsellors)`: the optimal batch assignment with capacities.
- `organisations.resolve_all(text)`: written employer names to identities.

Inputs and outputs are the dataclasses in `types`; the weights are documented on `Weights`.
"""

from kollega.matching.assign import assign, greedy
from kollega.matching.rank import rank
from kollega.matching.types import (
    Assignment,
    Batch,
    Counsellor,
    Exclusion,
    Proposal,
    Ranking,
    Reason,
    Request,
    Unmatched,
    Weights,
)

__all__ = [
    "Assignment",
    "Batch",
    "Counsellor",
    "Exclusion",
    "Proposal",
    "Ranking",
    "Reason",
    "Request",
    "Unmatched",
    "Weights",
    "assign",
    "greedy",
    "rank",
]
