"""A registration's referral is chosen from the referral directory; its kind is what counts."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from kollega.core.models import AuditEvent
from kollega.peers.models import Registration
from kollega.peers.stats import build
from kollega.reports.aggregates import refresh
from kollega.reports.stats import Period
from kollega.reports.stats import build as service_build
from kollega.service.actions import do_delete_referral_place
from tests.peers.conftest import Scheme, last_month_days, register
from tests.service.test_referral_directory import make_place

NEW = reverse("peers:contact_new")


def _form(place: object, **fields: str) -> dict[str, str]:
    data = {"channel": "phone", "category": "coping", "place": str(place)}
    for name, day in zip(("first", "second", "third"), last_month_days(3), strict=True):
        data[name] = day.isoformat()
    return {**data, **fields}


def test_it_registers_a_referral_chosen_from_the_directory(scheme: Scheme) -> None:
    place = make_place(region="oslo", kind="lege_for_lege")
    client = scheme.cast.counsellor.client()
    # A kind chosen beside the entry gives way to the entry's own.
    response = client.post(NEW, _form(place.pk, referral="gp"))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.place, registration.referral) == (place, "lege_for_lege")
    event = AuditEvent.objects.get(action="peers.registration.add")
    assert event.details["place"] == place.pk


def test_the_form_lists_the_counsellors_county_first_and_every_other_after(
    scheme: Scheme,
) -> None:
    near = make_place(region="oslo", name="Lege-for-lege Oslo")
    far = make_place(region="troms", name="Legevakta i Tromsø", kind="legevakt")
    body = scheme.cast.counsellor.client("en").get(NEW).content.decode()
    assert "In Oslo and nationwide" in body and "Other counties" in body
    assert body.index(near.name) < body.index("Other counties") < body.index(far.name)


def test_it_refuses_an_entry_no_longer_in_the_directory(scheme: Scheme) -> None:
    response = scheme.cast.counsellor.client().post(NEW, _form(987654))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_the_edit_page_keeps_the_chosen_entry_and_a_deleted_entry_keeps_the_kind(
    scheme: Scheme,
) -> None:
    place = make_place(region="oslo", kind="course", name="Villa Sana")
    registration = register(scheme.profile, days=last_month_days(2), place=place)
    page = scheme.cast.counsellor.client().get(
        reverse("peers:contact_edit", args=[registration.pk])
    )
    assert f'<option value="{place.pk}" selected>' in page.content.decode()
    do_delete_referral_place("test", place)
    registration.refresh_from_db()
    assert (registration.place, registration.referral) == (None, "course")


def test_referrals_from_the_directory_count_by_kind(scheme: Scheme) -> None:
    place = make_place(region="", kind="course", name="Villa Sana")
    days = last_month_days(2)
    for _ in range(5):
        register(scheme.profile, days=days, place=place)
    refresh()
    period = Period.month(days[0].year, days[0].month)
    with translation.override("en"):
        county = {t.key: dict(t.rows) for t in build("oslo", period)}
        service = {t.key: dict(t.rows) for t in service_build(period)}
    assert county["referral"]["Course or counselling centre"] == [5]
    assert service["referrals"]["Course or counselling centre"] == [5]
