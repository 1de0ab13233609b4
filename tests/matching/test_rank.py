from __future__ import annotations

from kollega.matching import Counsellor, Request, rank
from kollega.matching.organisations import resolve_all


def counsellor(cid: int, **fields: object) -> Counsellor:
    defaults: dict[str, object] = {
        "name": f"Rådgiver {cid}",
        "region": "oslo",
        "gender": "female",
        "specialty": "general_practice",
        "languages": frozenset({"nb"}),
    }
    defaults.update(fields)
    return Counsellor(id=cid, **defaults)  # type: ignore[arg-type]


def test_a_seeker_who_writes_ous_never_meets_ullevaal_staff() -> None:
    ullevaal = counsellor(1, employers=resolve_all("Ullevål sykehus"))
    other = counsellor(2, employers=resolve_all("Helse Bergen HF"))
    ranking = rank(Request(id=1, conflicts=resolve_all("OUS")), [ullevaal, other])
    assert [p.counsellor.id for p in ranking.proposals] == [2]
    assert str(ranking.excluded[0].reason) == (
        "works at Oslo universitetssykehus HF, which the seeker must not meet"
    )


def test_a_seeker_who_writes_helse_excludes_nobody_from_the_health_trusts() -> None:
    trusts = [
        counsellor(1, employers=resolve_all("Helse Bergen HF")),
        counsellor(2, employers=resolve_all("Helse Stavanger")),
    ]
    ranking = rank(Request(id=1, conflicts=resolve_all("Helse")), trusts)
    assert ranking.eligible == 2 and not ranking.excluded


def test_a_counsellors_declared_conflict_and_named_people_exclude() -> None:
    declared = counsellor(1, conflicts=resolve_all("Bergen kommune"))
    named = counsellor(2, name="Tor Hansen")
    sensitive = counsellor(3, conflict_people=("Kari Nilsen",))
    request = Request(
        id=1, conflicts=resolve_all("bergen kommune"), avoid_people=("tor hansen",),
        names=("Kari Marie Nilsen",),
    )  # fmt: skip
    ranking = rank(request, [declared, named, sensitive])
    reasons = {e.counsellor.id: e.reason.code for e in ranking.excluded}
    assert reasons == {1: "declared_organisation", 2: "seeker_named", 3: "declared_person"}


def test_wishes_cost_and_are_explained() -> None:
    man = counsellor(1, gender="male")
    woman_far = counsellor(2, region="troms")
    woman_near = counsellor(3, load=2)
    request = Request(id=1, gender_wish="female", region="oslo")
    ranking = rank(request, [man, woman_far, woman_near])
    assert [p.counsellor.id for p in ranking.proposals] == [3, 1, 2]
    best = ranking.proposals[0]
    assert [str(r) for r in best.reasons] == [
        "the gender the seeker wished",
        "in the seeker's county",
        "2 cases open",
    ]
    assert "county borders away" in " ".join(str(r) for r in ranking.proposals[2].reasons)


def test_paused_full_language_and_place_exclude_with_reasons() -> None:
    couns = [
        counsellor(1, active=False),
        counsellor(2, load=3),
        counsellor(3, languages=frozenset({"en"})),
        counsellor(4, region="vestland"),
        counsellor(5, remote=False),
    ]
    in_person = rank(Request(id=1, language="nb", in_person_region="oslo"), couns)
    codes = [e.reason.code for e in in_person.excluded]
    assert codes == ["paused", "full", "language", "region"]
    remote = rank(Request(id=1, remote_only=True), couns[3:])
    assert [e.reason.code for e in remote.excluded] == ["no_remote"]
