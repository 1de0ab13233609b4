"""Every page of the county leader: their own counties only; coordinators see all."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kollega.peers import actions
from tests.peers.conftest import Scheme, approved_listing, last_month_days, make_leader, register


def _pages(scheme: Scheme) -> list[tuple[str, str]]:
    """(method, url) of every county page, for the Oslo counsellor's county."""
    listing = approved_listing(scheme.profile)
    register(scheme.profile, days=last_month_days(2))
    day = last_month_days(1)[0]
    settlement = actions.do_approve_settlement(
        "test", scheme.profile, actions.SettlementPeriod.of("month", day.year, day.month)
    )
    pk = scheme.profile.pk
    return [
        ("get", reverse("peers:county", args=["oslo"])),
        ("post", reverse("peers:listing_approve", args=["oslo", listing.pk])),
        ("get", reverse("peers:settle", args=["oslo", pk])),
        ("post", reverse("peers:settle", args=["oslo", pk])),
        ("get", reverse("peers:settlement", args=["oslo", settlement.pk])),
        ("get", reverse("peers:settlement_csv", args=["oslo", settlement.pk])),
        ("get", reverse("peers:settlement_docx", args=["oslo", settlement.pk])),
        ("get", reverse("peers:county_statistics", args=["oslo"])),
    ]


def test_a_leader_of_another_county_gets_not_found_on_every_page(scheme: Scheme) -> None:
    client = scheme.other_leader.client()
    for method, url in _pages(scheme):
        assert getattr(client, method)(url).status_code == 404, url
    body = client.get(reverse("peers:counties")).content.decode()
    assert reverse("peers:county", args=["oslo"]) not in body
    assert reverse("peers:county", args=["vestland"]) in body


def test_the_same_objects_under_the_leaders_own_county_are_not_found(scheme: Scheme) -> None:
    client = scheme.other_leader.client()
    for method, url in _pages(scheme):
        if "/counties/oslo/" in url and not url.endswith(("/oslo/", "/statistics/")):
            moved = url.replace("/counties/oslo/", "/counties/vestland/")
            assert getattr(client, method)(moved).status_code == 404, moved


def test_the_own_leader_and_a_coordinator_open_every_page(scheme: Scheme) -> None:
    pages = _pages(scheme)
    for member in (scheme.leader, scheme.cast.coordinator):
        client = member.client()
        for method, url in pages:
            if method == "get":
                assert client.get(url).status_code == 200, (member.username, url)
    coordinator_home = scheme.cast.coordinator.client().get(reverse("peers:counties"))
    assert reverse("peers:county", args=["finnmark"]) in coordinator_home.content.decode()


def test_strangers_go_to_sign_in_and_other_roles_are_refused(scheme: Scheme) -> None:
    pages = [("get", reverse("peers:counties")), *_pages(scheme)]
    for method, url in pages:
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url
        for member in (scheme.cast.counsellor, scheme.cast.researcher, scheme.cast.outsider):
            assert getattr(member.client(), method)(url).status_code == 403, url


def test_it_refuses_wrong_methods(scheme: Scheme) -> None:
    client = scheme.leader.client()
    pages = [("get", reverse("peers:counties")), *_pages(scheme)]
    answers_both = {url for method, url in pages if method == "post"} & {
        url for method, url in pages if method == "get"
    }
    for method, url in pages:
        wrong = ["put", "delete"] if url in answers_both else ["post" if method == "get" else "get"]
        for other in wrong:
            assert getattr(client, other)(url).status_code == 405, (other, url)


def test_a_leader_without_counties_sees_none(scheme: Scheme) -> None:
    nobody = make_leader("nils")
    assert nobody.client().get(reverse("peers:county", args=["oslo"])).status_code == 404
    assert nobody.client().get(reverse("peers:counties")).status_code == 200


def test_the_leaders_home_page_links_to_their_counties(scheme: Scheme) -> None:
    body = scheme.leader.client("en").get(reverse("accounts:home")).content.decode()
    assert reverse("peers:counties") in body
    counsellor = scheme.cast.counsellor.client("en").get(reverse("accounts:home"))
    assert reverse("peers:my_listing") in counsellor.content.decode()
    assert reverse("peers:contacts") in counsellor.content.decode()
