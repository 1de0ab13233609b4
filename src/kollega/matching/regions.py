"""Norway's counties (2024) and which share a land border, for the region-distance cost.

Codes are the service's region codes. Distance is the number of county borders crossed on the
shortest way (0 in the same county); "abroad" and unknown codes are `FAR` from everything.
"""

from __future__ import annotations

from collections import deque
from functools import cache

FAR = 6

COUNTIES: tuple[str, ...] = (
    "oslo",
    "akershus",
    "ostfold",
    "buskerud",
    "innlandet",
    "vestfold",
    "telemark",
    "agder",
    "rogaland",
    "vestland",
    "more_og_romsdal",
    "trondelag",
    "nordland",
    "troms",
    "finnmark",
)

# Land borders between counties, each pair once.
BORDERS: tuple[tuple[str, str], ...] = (
    ("oslo", "akershus"),
    ("akershus", "ostfold"),
    ("akershus", "buskerud"),
    ("akershus", "innlandet"),
    ("buskerud", "innlandet"),
    ("buskerud", "vestfold"),
    ("buskerud", "telemark"),
    ("buskerud", "vestland"),
    ("innlandet", "vestland"),
    ("innlandet", "more_og_romsdal"),
    ("innlandet", "trondelag"),
    ("vestfold", "telemark"),
    ("telemark", "agder"),
    ("telemark", "rogaland"),
    ("telemark", "vestland"),
    ("agder", "rogaland"),
    ("rogaland", "vestland"),
    ("vestland", "more_og_romsdal"),
    ("more_og_romsdal", "trondelag"),
    ("trondelag", "nordland"),
    ("nordland", "troms"),
    ("troms", "finnmark"),
)


@cache
def _neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {county: set() for county in COUNTIES}
    for a, b in BORDERS:
        found[a].add(b)
        found[b].add(a)
    return {county: frozenset(near) for county, near in found.items()}


@cache
def distance(a: str, b: str) -> int:
    """Borders crossed between counties `a` and `b` (breadth-first), at most `FAR`."""
    neighbours = _neighbours()
    if a not in neighbours or b not in neighbours:
        return 0 if a == b and a else FAR
    seen = {a: 0}
    todo = deque([a])
    while todo:
        here = todo.popleft()
        if here == b:
            return min(FAR, seen[here])
        for near in neighbours[here]:
            if near not in seen:
                seen[near] = seen[here] + 1
                todo.append(near)
    return FAR
