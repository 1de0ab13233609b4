"""The public list of counsellors: approved listings only, by county, no cookie, no record."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.peers import actions
from kollega.service.models import CounsellorProfile
from tests.cast import make_member
from tests.peers.conftest import Scheme, approved_listing
from tests.service.conftest import make_profile

URL = reverse("peers:list")


def test_it_shows_an_approved_listing_with_phone_and_mail_links(scheme: Scheme) -> None:
    approved_listing(scheme.profile, phone="(22) 33-44 55")
    body = Client().get(URL).content.decode()
    assert 'href="tel:+4722334455"' in body
    assert 'href="mailto:stotte@example.invalid"' in body
    assert "Fjellbyen legesenter" in body


def test_it_sets_no_cookie_and_records_nothing(scheme: Scheme) -> None:
    approved_listing(scheme.profile)
    before = AuditEvent.objects.count()
    response = Client().get(URL, {"county": "oslo"})
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Set-Cookie" not in response.headers
    assert AuditEvent.objects.count() == before


def test_it_offers_kollegas_own_request(db: None) -> None:
    body = Client().get(URL).content.decode()
    assert f'href="{reverse("service:intake")}"' in body


def test_it_hides_a_listing_until_the_county_leader_approves_it(scheme: Scheme) -> None:
    listing = actions.listing_of(scheme.profile)
    listing.listed, listing.name, listing.phone = True, "Ingrid Vik", "22334455"
    actions.do_save_listing(scheme.cast.counsellor.user, listing)
    assert "Ingrid Vik" not in Client().get(URL).content.decode()
    actions.do_approve_listing(scheme.leader.user, listing)
    assert "Ingrid Vik" in Client().get(URL).content.decode()


def test_a_changed_listing_waits_for_approval_and_the_approved_one_stays(scheme: Scheme) -> None:
    listing = approved_listing(scheme.profile, text="Fastlege i mange år.")
    listing.text = "Ny tekst som ikke er godkjent."
    listing = actions.do_save_listing(scheme.cast.counsellor.user, listing)
    assert listing.awaits_approval
    body = Client().get(URL).content.decode()
    assert "Fastlege i mange år." in body and "Ny tekst" not in body
    actions.do_approve_listing(scheme.leader.user, listing)
    assert "Ny tekst som ikke er godkjent." in Client().get(URL).content.decode()


def test_it_hides_a_counsellor_who_hides_or_is_away_or_withdraws(scheme: Scheme) -> None:
    listing = approved_listing(scheme.profile, name="Ingrid Vik")
    listing.hidden = True
    actions.do_save_listing("test", listing)
    assert "Ingrid Vik" not in Client().get(URL).content.decode()
    listing.hidden = False
    actions.do_save_listing("test", listing)
    CounsellorProfile.objects.filter(pk=scheme.profile.pk).update(
        away_until=timezone.localdate() + timedelta(days=3)
    )
    assert "Ingrid Vik" not in Client().get(URL).content.decode()
    CounsellorProfile.objects.filter(pk=scheme.profile.pk).update(
        away_until=timezone.localdate() - timedelta(days=1)
    )
    assert "Ingrid Vik" in Client().get(URL).content.decode()
    listing.listed = False
    actions.do_save_listing("test", listing)
    assert "Ingrid Vik" not in Client().get(URL).content.decode()


def test_it_filters_by_county_and_shows_all_counties(scheme: Scheme) -> None:
    approved_listing(scheme.profile, name="Ingrid Vik")
    bergen = make_profile(scheme.cast.other_counsellor, region="vestland")
    approved_listing(bergen, name="Tor Haugland")
    oslo = Client().get(URL, {"county": "oslo"}).content.decode()
    assert "Ingrid Vik" in oslo and "Tor Haugland" not in oslo
    west = Client().get(URL, {"county": "vestland"}).content.decode()
    assert "Tor Haugland" in west and "Ingrid Vik" not in west
    everyone = Client().get(URL, {"county": ""}).content.decode()
    assert "Ingrid Vik" in everyone and "Tor Haugland" in everyone


def test_it_answers_an_unknown_county_with_a_message(db: None) -> None:
    response = Client().get(URL, {"county": "atlantis"})
    assert response.status_code == 400


def test_it_refuses_a_post(db: None) -> None:
    assert Client().post(URL).status_code == 405


def test_its_query_count_does_not_grow_with_the_list(scheme: Scheme) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(URL).status_code == 200
        return len(captured)

    approved_listing(scheme.profile)
    few = queries()
    for n in range(15):
        approved_listing(make_profile(make_member(f"peer{n}", "counsellor"), region="agder"))
    assert queries() == few


def test_it_escapes_what_a_counsellor_wrote(scheme: Scheme) -> None:
    approved_listing(scheme.profile, name="<b>Ingrid</b>", text='<script>alert("x")</script>')
    body = Client().get(URL).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert "&lt;b&gt;Ingrid&lt;/b&gt;" in body


def test_the_front_page_offers_the_list_beside_the_request(db: None) -> None:
    page = Client().get(reverse("core:front_page")).content.decode()
    assert reverse("peers:list") in page
    assert "Eller velg en støttekollega selv" in page
    assert reverse("service:intake") in page
