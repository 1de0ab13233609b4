"""The service's adapter to `kollega.matching`: records from the models, reasons in words.

This is the only module of the service that imports the matching library. Building the
records costs one query for all counsellors (with their open cases counted) and one for the
counsellors a case has ruled out, whatever the number of cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kollega import matching
from kollega.matching.organisations import organisations, resolve_all
from kollega.service import choices
from kollega.service.models import (
    CONCERN_OPEN_FOR_COUNSELLOR,
    Case,
    Concern,
    CounsellorProfile,
    open_loads,
)

REASONS: dict[str, Any] = {
    "same_employer": _("works at {detail}, which the seeker must not meet"),
    "declared_organisation": _("declared a conflict with {detail}"),
    "seeker_named": _("the seeker asked not to meet this person"),
    "declared_person": _("declared a conflict with the seeker"),
    "declined": _("declined this request before"),
    "not_chosen": _("the seeker ruled this counsellor out"),
    "paused": _("paused"),
    "away": _("away until {detail}"),
    "full": _("at capacity"),
    "language": _("does not speak the seeker's language"),
    "region": _("not in {detail}, where the seeker wants to meet in person"),
    "no_remote": _("does not meet by video or phone"),
    "gender_wish": _("not the gender the seeker wished"),
    "specialty_same": _("another specialty than the seeker's, who wished the same"),
    "specialty_other": _("the seeker's own specialty, who wished another"),
    "distance": _("{detail} county borders away"),
    "load": _("{detail} cases open"),
    "recent": _("assigned {detail} days ago"),
    "gender_met": _("the gender the seeker wished"),
    "specialty_met": _("the specialty the seeker wished"),
    "same_region": _("in the seeker's county"),
    "free": _("no open cases"),
    "no_eligible": _("no counsellor can take it: {detail}"),
    "no_place": _("every counsellor who could take it is full"),
}


def reason_text(reason: matching.Reason) -> str:
    template = str(REASONS.get(reason.code, reason.code))
    if reason.code == "region":
        detail = str(dict(choices.Region.choices).get(reason.detail, reason.detail))
    else:
        detail = reason.detail
    return template.replace("{detail}", detail)


def profile_reason_text(profile: CounsellorProfile, reason: matching.Reason) -> str:
    """`reason_text`, saying "away until D" where the library says "paused" of an absence."""
    if reason.code == "paused" and profile.active and profile.away_until is not None:
        return reason_text(
            matching.Reason("away", str(formats.date_format(profile.away_until, "DATE_FORMAT")))
        )
    return reason_text(reason)


def organisation_names() -> list[str]:
    """Names to offer where seekers and counsellors type an employer (an HTML datalist)."""
    return sorted(org.name for org in organisations())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[\n,;]+", text or "") if part.strip())


def profiles(*, with_people: bool = True) -> list[CounsellorProfile]:
    """Active counsellors, each with `load` (open cases) set: two queries in all."""
    found = CounsellorProfile.objects.select_related("user").filter(user__is_active=True)
    # Names a counsellor declared are encrypted; skip decrypting them when no seeker has a name.
    chosen = list(found if with_people else found.defer("conflict_people"))
    loads = open_loads()
    for profile in chosen:
        profile.load = loads.get(profile.pk, 0)  # type: ignore[attr-defined]
    return chosen


def counsellor_record(profile: CounsellorProfile, now: datetime) -> matching.Counsellor:
    user = profile.user
    last = profile.last_assigned_at
    deferred = "conflict_people" in profile.get_deferred_fields()
    return matching.Counsellor(
        id=profile.pk,
        name=user.get_full_name() or user.get_username(),
        region=profile.region,
        gender=profile.gender,
        specialty=profile.specialty,
        languages=frozenset(profile.languages),
        remote=profile.remote,
        # Paused, or away until a date that has not passed yet: no new cases.
        active=profile.takes_new_cases(timezone.localdate(now)),
        capacity=profile.capacity,
        load=int(getattr(profile, "load", 0)),
        employers=resolve_all(profile.employer),
        conflicts=resolve_all(profile.conflict_employers),
        conflict_people=() if deferred else _lines(profile.conflict_people),
        days_since_assigned=None if last is None else (now - last).total_seconds() / 86400,
    )


def request_record(case: Case, now: datetime, declined: frozenset[int]) -> matching.Request:
    region = case.pref_region or case.region
    return matching.Request(
        id=case.pk,
        region=region,
        in_person_region=region if case.pref_meeting == choices.MeetingPreference.REGION else "",
        remote_only=case.pref_meeting == choices.MeetingPreference.REMOTE,
        language=case.pref_language,
        gender_wish=case.pref_gender,
        specialty=case.specialty,
        specialty_wish=case.pref_specialty,
        conflicts=resolve_all(case.avoid_employers),
        avoid_people=_lines(case.avoid_people),
        names=_lines(case.contact_name),
        declined=declined,
        urgent=case.urgent,
        days_waited=(now - case.created).total_seconds() / 86400,
    )


@dataclass
class Option:
    """One counsellor on the case page: proposed (with cost) or excluded, with reasons."""

    profile: CounsellorProfile
    reasons: list[str]
    cost: float = 0.0


@dataclass
class CaseMatch:
    proposals: list[Option]  # every eligible counsellor, best first
    excluded: list[Option]

    @property
    def top(self) -> list[Option]:
        return self.proposals[:3]

    def others_than(self, counsellor_id: int | None) -> list[Option]:
        """The eligible counsellors except the case's current one (to move the case to)."""
        return [o for o in self.proposals if o.profile.pk != counsellor_id]


def match_case(case: Case) -> CaseMatch:
    """Every counsellor for `case`: the eligible ones ranked with reasons, the rest with why."""
    now = timezone.now()
    found = {p.pk: p for p in profiles(with_people=bool(case.contact_name))}
    declined = frozenset(case.excluded_counsellors.values_list("pk", flat=True))
    request = request_record(case, now, declined)
    ranking = matching.rank(request, [counsellor_record(p, now) for p in found.values()], top=None)
    return CaseMatch(
        proposals=[
            Option(found[p.counsellor.id], [reason_text(r) for r in p.reasons], p.cost)
            for p in ranking.proposals
        ],
        excluded=[
            Option(
                found[e.counsellor.id],
                [profile_reason_text(found[e.counsellor.id], r) for r in e.reasons],
            )
            for e in ranking.excluded
        ],
    )


def batch_for(cases: list[Case]) -> tuple[list[tuple[Case, CounsellorProfile]], dict[int, str]]:
    """The optimal assignment of waiting `cases` to counsellors, and why the rest wait.

    Three queries: the counsellors, the counsellors each case has ruled out, nothing else.
    """
    if not cases:
        return [], {}
    now = timezone.now()
    found = {p.pk: p for p in profiles(with_people=any(c.contact_name for c in cases))}
    through = Case.excluded_counsellors.through
    declined: dict[int, set[int]] = {}
    for case_id, profile_id in through.objects.filter(
        case_id__in=[c.pk for c in cases]
    ).values_list("case_id", "counsellorprofile_id"):
        declined.setdefault(case_id, set()).add(profile_id)
    requests = [request_record(c, now, frozenset(declined.get(c.pk, ()))) for c in cases]
    batch = matching.assign(requests, [counsellor_record(p, now) for p in found.values()])
    by_pk = {c.pk: c for c in cases}
    pairs = [(by_pk[a.request_id], found[a.counsellor_id]) for a in batch.assignments]
    return pairs, {u.request_id: reason_text(u.reason) for u in batch.unmatched}


def proposals_for_seeker(case: Case) -> list[CounsellorProfile]:
    """The three best counsellors for the seeker to choose from (seeker choice setting)."""
    return [option.profile for option in match_case(case).top]


def concern_record(concern: Concern, now: datetime, declined: frozenset[int]) -> matching.Request:
    """A concern as matching sees it: the doctor's county, their workplace as a conflict (no
    counsellor working there, or having declared it, is proposed) and their name against the
    names counsellors declared."""
    return matching.Request(
        id=concern.pk,
        region=concern.region,
        conflicts=resolve_all(concern.workplace),
        names=_lines(concern.doctor_name),
        declined=declined,
        days_waited=(now - concern.created).total_seconds() / 86400,
    )


def match_concern(concern: Concern) -> CaseMatch:
    """Every counsellor for a concern, ranked as for a case: the hard constraints (conflicts,
    capacity, away) the same, with open concerns counted in each counsellor's load."""
    now = timezone.now()
    found = {p.pk: p for p in profiles()}
    open_concerns = dict(
        Concern.objects.filter(status__in=CONCERN_OPEN_FOR_COUNSELLOR, counsellor__isnull=False)
        .values_list("counsellor_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for profile in found.values():
        profile.load = int(getattr(profile, "load", 0)) + open_concerns.get(profile.pk, 0)  # type: ignore[attr-defined]
    declined = frozenset(concern.excluded_counsellors.values_list("pk", flat=True))
    request = concern_record(concern, now, declined)
    ranking = matching.rank(request, [counsellor_record(p, now) for p in found.values()], top=None)
    return CaseMatch(
        proposals=[
            Option(found[p.counsellor.id], [reason_text(r) for r in p.reasons], p.cost)
            for p in ranking.proposals
        ],
        excluded=[
            Option(
                found[e.counsellor.id],
                [profile_reason_text(found[e.counsellor.id], r) for r in e.reasons],
            )
            for e in ranking.excluded
        ],
    )
