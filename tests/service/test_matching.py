from __future__ import annotations

from kollega.service.adapters import match_case
from kollega.service.models import CounsellorProfile
from tests.cast import Cast
from tests.service.conftest import make_profile, submit


def _names(case) -> list[str]:
    return [option.profile.user.username for option in match_case(case).proposals]


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


def test_a_seeker_who_writes_ous_is_kept_from_ullevaal_staff_and_the_page_says_why(
    profiles: tuple[CounsellorProfile, CounsellorProfile], cast: Cast
) -> None:
    profiles[0].employer = "Ullevål sykehus"
    profiles[0].save()
    case = submit(avoid_employers="OUS").case
    assert _names(case) == ["tor"]
    body = cast.coordinator.client("en").get(f"/service/cases/{case.pk}/").content.decode()
    assert "Why 1 counsellor is not proposed" in body
    assert "works at Oslo universitetssykehus HF, which the seeker must not meet" in body


def test_a_seeker_who_writes_helse_excludes_nobody(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
) -> None:
    assert sorted(_names(submit(avoid_employers="Helse").case)) == ["ingrid", "tor"]


def test_the_case_page_shows_the_best_proposal_with_reasons_and_one_click(
    profiles: tuple[CounsellorProfile, CounsellorProfile], cast: Cast
) -> None:
    case = submit(pref_gender="male").case
    body = cast.coordinator.client("en").get(f"/service/cases/{case.pk}/").content.decode()
    assert body.index("Tor") < body.index("best proposal") < body.index("Ingrid")
    assert "the gender the seeker wished" in body
    assert "not the gender the seeker wished" in body
    assert f'name="counsellor" value="{profiles[1].pk}"' in body


def test_the_intake_offers_the_list_of_health_trusts(db: None) -> None:
    from django.test import Client

    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/request/").content.decode()
    assert 'list="organisation-names"' in body
    assert '<option value="Oslo universitetssykehus HF">' in body
