from __future__ import annotations

from kollega.service.eligibility import eligible_counsellors
from kollega.service.models import CounsellorProfile
from tests.cast import Cast
from tests.service.conftest import make_profile, submit


def _names(case) -> list[str]:
    return [c.counsellor.user.username for c in eligible_counsellors(case)]


def test_it_removes_the_counsellor_from_the_employer_the_seeker_named(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    case = submit(avoid_employers="helse vestkyst hf").case
    assert _names(case) == ["ingrid"]


def test_it_removes_a_counsellor_who_declared_a_conflict_with_that_employer(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    profiles[0].conflict_employers = "Sykehuset Innlandsdalen"
    profiles[0].save()
    case = submit(avoid_employers="Sykehuset Innlandsdalen").case
    assert _names(case) == ["tor"]


def test_it_removes_a_person_the_seeker_named(
    profiles: tuple[CounsellorProfile, CounsellorProfile], cast: Cast
) -> None:
    cast.other_counsellor.user.last_name = "Lunde"
    cast.other_counsellor.user.save()
    case = submit(avoid_people="Tor Lunde").case
    assert _names(case) == ["ingrid"]


def test_it_removes_a_counsellor_who_declared_a_conflict_with_the_seeker(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    profiles[1].conflict_people = "Kari Nordmann"
    profiles[1].save()
    case = submit(contact_name="Kari Nordmann").case
    assert _names(case) == ["ingrid"]


def test_it_removes_paused_full_and_other_language_counsellors(
    profiles: tuple[CounsellorProfile, CounsellorProfile], cast: Cast
) -> None:
    profiles[0].active = False
    profiles[0].save()
    assert _names(submit().case) == ["tor"]
    profiles[1].capacity = 0
    profiles[1].save()
    assert _names(submit().case) == []
    profiles[0].active = True
    profiles[0].save()
    assert _names(submit(pref_language="zh").case) == []


def test_it_keeps_in_person_requests_in_the_seekers_region(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    case = submit(pref_meeting="region", pref_region="vestland").case
    assert _names(case) == ["tor"]


def test_it_lists_the_counsellor_matching_the_gender_wish_first(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    assert _names(submit(pref_gender="male").case) == ["tor", "ingrid"]
    assert _names(submit(pref_gender="female").case) == ["ingrid", "tor"]


def test_an_inactive_account_is_never_proposed(profiles, cast: Cast) -> None:
    cast.other_counsellor.user.is_active = False
    cast.other_counsellor.user.save()
    assert _names(submit().case) == ["ingrid"]


def test_a_profile_needs_a_counsellor(cast: Cast) -> None:
    make_profile(cast.counsellor)
    assert CounsellorProfile.objects.count() == 1
