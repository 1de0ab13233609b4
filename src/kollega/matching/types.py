"""The records matching works on. The app builds them from its models (service/matching.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Weights:
    """The soft costs, in points; lower total is better. Hard constraints are not weighed.

    - `gender`: the counsellor's gender is not the one the seeker wished.
    - `specialty`: the seeker wished the same (or another) specialty and did not get it.
    - `region_step`: per county border between seeker and counsellor (see `regions`), only when
      the seeker gave a region and did not ask for video or phone.
    - `load`: times the counsellor's share of capacity in use (0 when free, `load` when full).
    - `recency`: a counsellor assigned today costs this much, falling to 0 over
      `recency_days`, so that work is spread over the least recently assigned.
    - `urgent`, `per_day_waited` (up to `max_days_waited`): in batch assignment, the priority
      of a request; when places are short, the highest priority requests get them.

    A seeker's wish weighs more than spreading the work: an unmet gender wish (3) costs more
    than a nearly full load (2), and a county border (1) as much as a fresh assignment.
    """

    gender: float = 3.0
    specialty: float = 2.0
    region_step: float = 1.0
    load: float = 2.0
    recency: float = 1.0
    recency_days: float = 30.0
    urgent: float = 10.0
    per_day_waited: float = 0.2
    max_days_waited: float = 30.0


@dataclass(frozen=True)
class Request:
    """One seeker's request, as far as matching needs it.

    `conflicts` are organisation identities (`organisations.resolve_all`); `avoid_people` the
    names the seeker wrote under "not this person"; `names` the seeker's own name, checked
    against the names counsellors declared; `not_these` and `declined` are counsellor ids the
    seeker ruled out or who declined this request before.
    """

    id: int
    region: str = ""
    in_person_region: str = ""
    remote_only: bool = False
    language: str = ""
    gender_wish: str = ""
    specialty: str = ""
    specialty_wish: str = ""  # "same", "other" or ""
    conflicts: frozenset[str] = frozenset()
    avoid_people: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    not_these: frozenset[int] = frozenset()
    declined: frozenset[int] = frozenset()
    urgent: bool = False
    days_waited: float = 0.0


@dataclass(frozen=True)
class Counsellor:
    """One counsellor: attributes, load and declared conflicts (identities and names)."""

    id: int
    name: str = ""
    region: str = ""
    gender: str = ""
    specialty: str = ""
    languages: frozenset[str] = frozenset()
    remote: bool = True
    active: bool = True
    capacity: int = 3
    load: int = 0
    employers: frozenset[str] = frozenset()
    conflicts: frozenset[str] = frozenset()
    conflict_people: tuple[str, ...] = ()
    days_since_assigned: float | None = None

    @property
    def capacity_left(self) -> int:
        return max(0, self.capacity - self.load) if self.active else 0


class Reason(NamedTuple):
    """Why a counsellor is proposed, costs something or is excluded: a code, what it is about
    (an organisation's name, a number) and the points it costs. `str()` gives English text;
    the app translates by `code`. (Named tuples: `rank` makes thousands of these.)"""

    code: str
    detail: str = ""
    cost: float = 0.0

    def __str__(self) -> str:
        text = ENGLISH.get(self.code, self.code)
        return text.format(detail=self.detail) if "{detail}" in text else text


ENGLISH: dict[str, str] = {
    # Hard constraints.
    "same_employer": "works at {detail}, which the seeker must not meet",
    "declared_organisation": "declared a conflict with {detail}",
    "seeker_named": "the seeker asked not to meet this person",
    "declared_person": "declared a conflict with the seeker",
    "declined": "declined this request before",
    "not_chosen": "the seeker ruled this counsellor out",
    "paused": "paused",
    "full": "at capacity",
    "language": "does not speak the seeker's language",
    "region": "not in {detail}, where the seeker wants to meet in person",
    "no_remote": "does not meet by video or phone",
    # Soft costs.
    "gender_wish": "not the gender the seeker wished",
    "specialty_same": "another specialty than the seeker's, who wished the same",
    "specialty_other": "the seeker's own specialty, who wished another",
    "distance": "{detail} county borders away",
    "load": "{detail} cases open",
    "recent": "assigned {detail} days ago",
    # Good news, at no cost.
    "gender_met": "the gender the seeker wished",
    "specialty_met": "the specialty the seeker wished",
    "same_region": "in the seeker's county",
    "free": "no open cases",
    # Batch assignment.
    "no_eligible": "no counsellor can take it: {detail}",
    "no_place": "every counsellor who could take it is full",
}


class Proposal(NamedTuple):
    counsellor: Counsellor
    cost: float
    reasons: tuple[Reason, ...]


class Exclusion(NamedTuple):
    counsellor: Counsellor
    reasons: tuple[Reason, ...]

    @property
    def reason(self) -> Reason:
        return self.reasons[0]


@dataclass(frozen=True)
class Ranking:
    proposals: tuple[Proposal, ...]
    excluded: tuple[Exclusion, ...]
    eligible: int = 0


@dataclass(frozen=True)
class Assignment:
    request_id: int
    counsellor_id: int
    cost: float


@dataclass(frozen=True)
class Unmatched:
    request_id: int
    reason: Reason


@dataclass(frozen=True)
class Batch:
    """The result of `assign()`: pairs, the requests left over with why, and the total cost
    (pair costs plus load, without the priorities)."""

    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...] = field(default=())
    total_cost: float = 0.0
