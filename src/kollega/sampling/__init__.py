"""Maximum-variation sampling for qualitative studies. Pure: no Django, no app.

A pool is a list of `Candidate` records (an opaque id and a profile: dimension -> value, with
"" for unknown). `propose_sample(pool, dimensions, n)` picks n candidates that cover every
value of every chosen dimension, as evenly as possible:

    cost(S) = W * uncovered(S) + sum over d, v of |count(S, d, v) - n / |values(d)||

where values(d) are the values present in the pool for d, uncovered(S) counts (d, v) pairs
with no one in S, and W exceeds the largest possible imbalance, so that covering one more value
always beats any gain in evenness. `propose_sample` is greedy with swap improvement;
`exact_sample` solves the same problem as an integer program (scipy's milp), for measuring the
greedy answer's gap on small pools; `best_sample` runs both, the integer program within a time
limit, and keeps the cheaper.
"""

from kollega.sampling.core import (
    Candidate,
    Sample,
    best_sample,
    coverage,
    exact_sample,
    propose_sample,
    sample_cost,
)

__all__ = [
    "Candidate",
    "Sample",
    "best_sample",
    "coverage",
    "exact_sample",
    "propose_sample",
    "sample_cost",
]
