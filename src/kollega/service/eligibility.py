"""Which counsellors may take a case, until the real matcher (kollega.matching) lands.

Hard rules remove a counsellor: same employer or health trust as one the seeker named, a
declared conflict on either side, paused or at capacity, no shared language, not in the
seeker's region when they asked to meet in person there, or having declined this case.
What is left is ordered by a plain count of unmet soft preferences, then by load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kollega.service import choices
from kollega.service.models import OPEN_COUNSELLOR_STATUSES, Case, CounsellorProfile


@dataclass
class Candidate:
    counsellor: CounsellorProfile
    open_cases: int
    misses: list[str] = field(default_factory=list)

    @property
    def cost(self) -> tuple[int, float]:
        return (len(self.misses), self.open_cases / max(1, self.counsellor.capacity))


def _names(text: str) -> list[str]:
    return [
        line.strip().lower()
        for line in (text or "").replace(",", "\n").splitlines()
        if line.strip()
    ]


def _mentions(needles: list[str], haystack: list[str]) -> bool:
    return any(n and (n in h or h in n) for n in needles for h in haystack)


def conflict_reason(case: Case, counsellor: CounsellorProfile, open_cases: int) -> str | None:
    """Why `counsellor` may not take `case`, or None when nothing forbids it."""
    avoid_employers = _names(case.avoid_employers)
    avoid_people = _names(case.avoid_people)
    if avoid_employers and _mentions(avoid_employers, counsellor.conflict_employer_names()):
        return _("same or conflicting employer")
    full_name = str(counsellor).lower()
    if avoid_people and _mentions(avoid_people, [full_name, counsellor.user.get_username()]):
        return _("the seeker named this person")
    seeker_names = _names(case.contact_name)
    if seeker_names and _mentions(seeker_names, counsellor.conflict_person_names()):
        return _("the counsellor declared a conflict with the seeker")
    if not counsellor.active:
        return _("paused")
    if open_cases >= counsellor.capacity:
        return _("at capacity")
    if case.pref_language and case.pref_language not in counsellor.languages:
        return _("no shared language")
    if case.pref_meeting == choices.MeetingPreference.REGION:
        wanted = case.pref_region or case.region
        if wanted and counsellor.region != wanted:
            return _("not in the seeker's region")
    if case.pref_meeting == choices.MeetingPreference.REMOTE and not counsellor.remote:
        return _("does not meet by video or phone")
    return None


def _misses(case: Case, counsellor: CounsellorProfile) -> list[str]:
    misses = []
    if case.pref_gender and counsellor.gender != case.pref_gender:
        misses.append(_("gender differs from the wish"))
    wish = case.pref_specialty if case.specialty else ""
    if wish == choices.SpecialtyPreference.SAME and counsellor.specialty != case.specialty:
        misses.append(_("other specialty than wished"))
    if wish == choices.SpecialtyPreference.OTHER and counsellor.specialty == case.specialty:
        misses.append(_("same specialty, the seeker wished another"))
    if case.region and not case.pref_meeting and counsellor.region != case.region:
        misses.append(_("another region"))
    return misses


def eligible_counsellors(case: Case) -> list[Candidate]:
    """Counsellors who may take `case`, best first (fewest unmet wishes, then lightest load)."""
    excluded = set(case.excluded_counsellors.values_list("pk", flat=True))
    candidates = []
    profiles = (
        CounsellorProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .annotate(load=Count("cases", filter=Q(cases__status__in=OPEN_COUNSELLOR_STATUSES)))
    )
    for counsellor in profiles:
        if counsellor.pk in excluded:
            continue
        open_cases = counsellor.load
        if conflict_reason(case, counsellor, open_cases) is not None:
            continue
        candidates.append(Candidate(counsellor, open_cases, _misses(case, counsellor)))
    candidates.sort(key=lambda c: (c.cost, c.counsellor.pk))
    return candidates
