"""The counsellor's own listing page, and the county leader's approval."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.peers.models import Listing
from tests.peers.conftest import Scheme

URL = reverse("peers:my_listing")


def test_it_saves_the_counsellors_choices_waiting_for_approval(scheme: Scheme) -> None:
    response = scheme.cast.counsellor.client().post(
        URL, {"listed": "on", "name": "Ingrid Vik", "phone": "22334455", "show_languages": "on"}
    )
    assert response.status_code == 302
    listing = Listing.objects.get(profile=scheme.profile)
    assert listing.awaits_approval and listing.published is None
    assert AuditEvent.objects.filter(action="peers.listing.save").exists()


def test_it_refuses_a_listing_without_phone_or_mail(scheme: Scheme) -> None:
    response = scheme.cast.counsellor.client().post(URL, {"listed": "on", "name": "Ingrid"})
    assert response.status_code == 400
    assert not Listing.objects.exists()


def test_it_sends_a_stranger_to_sign_in_and_refuses_other_roles(scheme: Scheme) -> None:
    assert Client().get(URL).status_code == 302
    assert scheme.cast.coordinator.client().get(URL).status_code == 403
    assert scheme.leader.client().get(URL).status_code == 403


def test_it_refuses_a_wrong_method(scheme: Scheme) -> None:
    assert scheme.cast.counsellor.client().put(URL).status_code == 405


def test_a_counsellor_without_a_profile_gets_not_found(scheme: Scheme) -> None:
    assert scheme.cast.other_counsellor.client().get(URL).status_code == 404


def test_the_county_leader_approves_and_another_county_cannot(scheme: Scheme) -> None:
    scheme.cast.counsellor.client().post(
        URL, {"listed": "on", "name": "Ingrid Vik", "phone": "22334455"}
    )
    listing = Listing.objects.get(profile=scheme.profile)
    other = scheme.other_leader.client().post(
        reverse("peers:listing_approve", args=["oslo", listing.pk])
    )
    assert other.status_code == 404
    wrong_county = scheme.other_leader.client().post(
        reverse("peers:listing_approve", args=["vestland", listing.pk])
    )
    assert wrong_county.status_code == 404
    assert Listing.objects.get(pk=listing.pk).published is None
    ok = scheme.leader.client().post(reverse("peers:listing_approve", args=["oslo", listing.pk]))
    assert ok.status_code == 302
    published = Listing.objects.get(pk=listing.pk).published
    assert published is not None and published["tel"] == "+4722334455"
    event = AuditEvent.objects.get(action="peers.listing.approve")
    assert event.actor == scheme.leader.user
