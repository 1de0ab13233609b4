"""The referral directory: kept by coordinators and county leaders, chosen in the referral
form, shown to the seeker in their language, and counted by kind."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core import roles
from kollega.core.models import AuditEvent
from kollega.reports.aggregates import count_cells
from kollega.service import actions
from kollega.service.models import CaseStatistic, Referral, ReferralPlace
from tests.cast import Cast, Member, make_member
from tests.service.conftest import Seeker


def make_place(**fields: Any) -> ReferralPlace:
    values: dict[str, Any] = {
        "region": "oslo",
        "kind": "lege_for_lege",
        "name": "Lege-for-lege Oslo",
        "phone": "+47 22 00 00 00",
        "web": "https://example.invalid/lfl",
        "description": "Samtaler for leger, gratis.",
        "description_en": "Conversations for doctors, free of charge.",
    }
    values.update(fields)
    return actions.do_save_referral_place("test", ReferralPlace(**values))


def county_leader(username: str, *counties: str) -> Member:
    member = make_member(username, roles.COUNTY_LEADER, first_name=username.title())
    member.user.counties = list(counties)
    member.user.save()
    return member


ENTRY = {
    "region": "vestland",
    "kind": "psych",
    "name": "Psykolog Berge",
    "phone": "55 00 00 00",
    "web": "https://example.invalid/berge",
    "description": "Tar imot leger.",
}


def test_it_lets_the_coordinator_add_an_entry_for_any_county(cast: Cast) -> None:
    client = cast.coordinator.client()
    assert client.get(reverse("service:directory_new")).status_code == 200
    response = client.post(reverse("service:directory_new"), ENTRY)
    assert response.status_code == 302
    place = ReferralPlace.objects.get()
    assert (place.region, place.kind, place.name) == ("vestland", "psych", "Psykolog Berge")
    assert AuditEvent.objects.filter(action="service.directory.create").exists()
    page = client.get(reverse("service:directory")).content.decode()
    assert "Psykolog Berge" in page
    assert 'href="tel:55000000"' in page


def test_it_refuses_an_entry_without_a_name_and_saves_nothing(cast: Cast) -> None:
    response = cast.coordinator.client().post(
        reverse("service:directory_new"), ENTRY | {"name": ""}
    )
    assert response.status_code == 400
    assert not ReferralPlace.objects.exists()


def test_a_county_leader_keeps_only_their_own_county(cast: Cast) -> None:
    leader = county_leader("vera", "vestland")
    client = leader.client()
    assert client.post(reverse("service:directory_new"), ENTRY).status_code == 302
    # Another county is not among the choices: the form refuses it.
    refused = client.post(reverse("service:directory_new"), ENTRY | {"region": "oslo"})
    assert refused.status_code == 400
    assert ReferralPlace.objects.count() == 1
    make_place()
    page = client.get(reverse("service:directory")).content.decode()
    assert "Psykolog Berge" in page
    assert "Lege-for-lege Oslo" not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_county_leader_of_another_county_is_refused_the_entry(cast: Cast, method: str) -> None:
    oslo = make_place()
    client = county_leader("vera", "vestland").client()
    edit = getattr(client, method)(reverse("service:directory_entry", args=[oslo.pk]), ENTRY)
    assert edit.status_code == 404
    delete = client.post(reverse("service:directory_delete", args=[oslo.pk]))
    assert delete.status_code == 404
    oslo.refresh_from_db()
    assert oslo.name == "Lege-for-lege Oslo"


def test_it_turns_strangers_and_other_roles_away(cast: Cast) -> None:
    place = make_place()
    urls = [
        reverse("service:directory"),
        reverse("service:directory_new"),
        reverse("service:directory_entry", args=[place.pk]),
    ]
    for url in urls:
        assert Client().get(url).status_code == 302
        assert cast.counsellor.client().get(url).status_code == 403
        assert cast.researcher.client().get(url).status_code == 403
    delete = reverse("service:directory_delete", args=[place.pk])
    assert cast.counsellor.client().post(delete).status_code == 403
    assert Client().post(delete).status_code == 302
    assert ReferralPlace.objects.filter(pk=place.pk).exists()


def test_it_refuses_the_wrong_method(cast: Cast) -> None:
    place = make_place()
    client = cast.coordinator.client()
    assert client.post(reverse("service:directory")).status_code == 405
    assert client.get(reverse("service:directory_delete", args=[place.pk])).status_code == 405


def test_deleting_an_entry_keeps_past_referrals_and_their_kind(
    cast: Cast, accepted: Seeker
) -> None:
    place = make_place()
    actions.do_record_referral(
        cast.counsellor.user, accepted.case, kind="", consent=True, place=place
    )
    response = cast.coordinator.client().post(reverse("service:directory_delete", args=[place.pk]))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.place is None
    assert referral.kind == "lege_for_lege"


def test_the_referral_form_lists_the_case_county_first(cast: Cast, accepted: Seeker) -> None:
    accepted.case.region = "vestland"
    accepted.case.save()
    make_place(name="Oslo-tilbudet")
    make_place(region="vestland", kind="psych", name="Bergen-tilbudet")
    make_place(region="", kind="course", name="Villa Sana")
    page = (
        cast.counsellor.client()
        .get(reverse("service:case_referral", args=[accepted.case.pk]))
        .content.decode()
    )
    assert page.index("Bergen-tilbudet") < page.index("Oslo-tilbudet")
    assert page.index("Villa Sana") < page.index("Oslo-tilbudet")


def test_a_referral_chosen_from_the_directory_reaches_the_seeker_in_their_language(
    cast: Cast, accepted: Seeker
) -> None:
    place = make_place()
    response = cast.counsellor.client().post(
        reverse("service:case_referral", args=[accepted.case.pk]),
        {"place": str(place.pk), "consent": "on", "state": accepted.refresh().state_token()},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.place, referral.kind) == (place, "lege_for_lege")
    norwegian = Client().get(accepted.url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Lege-for-lege Oslo" in norwegian
    assert "Samtaler for leger, gratis." in norwegian
    assert 'href="tel:+4722000000"' in norwegian
    english = Client()
    english.cookies["django_language"] = "en"
    page = english.get(accepted.url()).content.decode()
    assert "Conversations for doctors, free of charge." in page


def test_the_referral_form_needs_an_entry_or_a_kind(cast: Cast, accepted: Seeker) -> None:
    response = cast.counsellor.client().post(
        reverse("service:case_referral", args=[accepted.case.pk]),
        {"consent": "on", "state": accepted.refresh().state_token()},
    )
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_statistics_count_a_directory_referral_by_its_kind(cast: Cast, accepted: Seeker) -> None:
    place = make_place(kind="occupational", name="BHT Oslo")
    actions.do_record_referral(
        cast.counsellor.user, accepted.case, kind="other", consent=True, place=place
    )
    # The statistics' referrals table, while the case lives and after it is deleted.
    live = {value for (_month, dimension, value) in count_cells() if dimension == "referral"}
    assert live == {"occupational"}
    actions.do_delete_case_data(accepted.refresh(), deleted_by="seeker")
    assert CaseStatistic.objects.get().referrals == ["occupational"]
    gone = {value for (_month, dimension, value) in count_cells() if dimension == "referral"}
    assert gone == {"occupational"}
