from __future__ import annotations

from kollega.matching import regions
from kollega.matching.organisations import (
    by_id,
    label,
    normalise,
    organisations,
    resolve,
    resolve_all,
)


def test_the_list_holds_every_authority_trust_and_municipality() -> None:
    kinds = [org.kind for org in organisations()]
    assert kinds.count("rhf") == 4
    assert kinds.count("hf") == 20
    assert kinds.count("municipality") == 357
    assert all(org.parent in by_id() for org in organisations() if org.kind == "hf")
    assert all(org.county in regions.COUNTIES for org in organisations() if org.county)


def test_aliases_and_spellings_resolve_to_one_identity() -> None:
    ous = {"hf:ous"}
    for written in ("OUS", "Oslo universitetssykehus HF", "ullevål", "Rikshospitalet", "ous."):
        assert resolve(written) == ous
    assert resolve("St. Olavs hospital HF") == resolve("st olavs") == {"hf:st-olav"}
    assert resolve("Guovdageaidnu") == resolve("Kautokeino kommune") == {"municipality:kautokeino"}


def test_a_shared_municipality_name_resolves_to_both() -> None:
    assert len(resolve("Herøy")) == 2
    assert resolve("Bergen") == {"municipality:bergen"}
    assert resolve("Helse Bergen") == {"hf:bergen"}


def test_free_text_is_normalised_and_kept() -> None:
    assert (
        resolve("  Fjellbyen Legesenter. ")
        == resolve("fjellbyen legesenter")
        == {"text:fjellbyen legesenter"}
    )
    assert resolve("Helse") == {"text:helse"}
    assert resolve("") == frozenset()
    assert normalise("Sykehuset Østfold HF") == "sykehuset østfold"
    assert label("text:helse") == "helse"
    assert resolve_all("OUS, Bergen kommune\nHelse Fonna") == {
        "hf:ous", "municipality:bergen", "hf:fonna",
    }  # fmt: skip


def test_county_distance_counts_borders() -> None:
    assert regions.distance("oslo", "oslo") == 0
    assert regions.distance("oslo", "akershus") == 1
    assert regions.distance("oslo", "vestland") == 3
    assert regions.distance("finnmark", "nordland") == 2
    assert regions.distance("oslo", "abroad") == regions.FAR
