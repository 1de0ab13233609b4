"""One request against one counsellor: the hard constraints, then the itemised soft costs."""

from __future__ import annotations

from functools import cache

from kollega.matching import regions
from kollega.matching.organisations import label, normalise
from kollega.matching.types import Counsellor, Reason, Request, Weights


@cache
def _tokens(name: str) -> frozenset[str]:
    return frozenset(normalise(name).split())


def names_match(written: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """True when every word of one written name is among the words of one of `names`.

    "Ingrid Berg" matches "Ingrid Marie Berg"; "Ingrid" alone matches every Ingrid, which errs
    on the side of the seeker.
    """
    targets = [_tokens(name) for name in names if name.strip()]
    for wanted in written:
        words = _tokens(wanted)
        if words and any(words <= target for target in targets):
            return True
    return False


def hard_reasons(request: Request, counsellor: Counsellor) -> tuple[Reason, ...]:
    """Every hard constraint that removes the pair, most serious first; empty when allowed."""
    found: list[Reason] = []
    conflicts = request.conflicts
    if conflicts and not conflicts.isdisjoint(counsellor.employers):
        for identity in sorted(conflicts & counsellor.employers):
            found.append(Reason("same_employer", label(identity)))
    if conflicts and not conflicts.isdisjoint(counsellor.conflicts):
        for identity in sorted(conflicts & (counsellor.conflicts - counsellor.employers)):
            found.append(Reason("declared_organisation", label(identity)))
    if counsellor.id in request.not_these or (
        request.avoid_people and names_match(request.avoid_people, (counsellor.name,))
    ):
        found.append(Reason("seeker_named"))
    if (
        request.names
        and counsellor.conflict_people
        and names_match(counsellor.conflict_people, request.names)
    ):
        found.append(Reason("declared_person"))
    if counsellor.id in request.declined:
        found.append(Reason("declined"))
    if not counsellor.active:
        found.append(Reason("paused"))
    elif counsellor.load >= counsellor.capacity:
        found.append(Reason("full"))
    if request.language and request.language not in counsellor.languages:
        found.append(Reason("language"))
    if request.in_person_region and counsellor.region != request.in_person_region:
        found.append(Reason("region", request.in_person_region))
    if request.remote_only and not counsellor.remote:
        found.append(Reason("no_remote"))
    return tuple(found)


def pair_reasons(request: Request, counsellor: Counsellor, weights: Weights) -> tuple[Reason, ...]:
    """The soft costs of the pair (load excluded), each with its points, and the wishes met."""
    found: list[Reason] = []
    if request.gender_wish:
        if counsellor.gender != request.gender_wish:
            found.append(Reason("gender_wish", cost=weights.gender))
        else:
            found.append(Reason("gender_met"))
    if request.specialty and request.specialty_wish in ("same", "other"):
        same = counsellor.specialty == request.specialty
        if request.specialty_wish == "same" and not same:
            found.append(Reason("specialty_same", cost=weights.specialty))
        elif request.specialty_wish == "other" and same:
            found.append(Reason("specialty_other", cost=weights.specialty))
        else:
            found.append(Reason("specialty_met"))
    if request.region and not request.remote_only and not request.in_person_region:
        steps = regions.distance(request.region, counsellor.region)
        if steps:
            found.append(Reason("distance", str(steps), steps * weights.region_step))
        else:
            found.append(Reason("same_region"))
    days = counsellor.days_since_assigned
    if days is not None and days < weights.recency_days:
        cost = weights.recency * (1 - max(0.0, days) / weights.recency_days)
        found.append(Reason("recent", str(int(days)), cost))
    return tuple(found)


def load_cost(counsellor: Counsellor, extra: int, weights: Weights) -> float:
    """The load cost of giving the counsellor one more case when `extra` are already added."""
    return weights.load * (counsellor.load + extra) / max(1, counsellor.capacity)


def priority(request: Request, weights: Weights) -> float:
    days = min(max(0.0, request.days_waited), weights.max_days_waited)
    return weights.urgent * request.urgent + weights.per_day_waited * days
