"""Contacts a counsellor registers that came outside Kollega: dates and codes, nothing else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.peers import actions
from kollega.peers.models import Registration
from tests.peers.conftest import Scheme, last_month_days, register
from tests.service.conftest import make_profile

NEW = reverse("peers:contact_new")


def _form(days: list[Any], **fields: str) -> dict[str, str]:
    data = {"channel": "phone", "category": "coping", "referral": "psych", "county": "agder"}
    data.update(fields)
    for name, day in zip(("first", "second", "third"), days, strict=False):
        data[name] = day.isoformat()
    return data


def test_it_registers_a_phone_contact_with_three_conversations(scheme: Scheme) -> None:
    days = last_month_days(3)
    response = scheme.cast.counsellor.client().post(NEW, _form(days))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.conversations == 3
    assert registration.referral == "psych" and registration.scheme_county == "oslo"
    assert registration.counsellor == scheme.profile
    assert AuditEvent.objects.filter(action="peers.registration.add").exists()
    listed = scheme.cast.counsellor.client().get(reverse("peers:contacts")).content.decode()
    assert reverse("peers:contact_edit", args=[registration.pk]) in listed


def test_the_form_asks_no_name_contact_details_or_free_text(scheme: Scheme) -> None:
    body = scheme.cast.counsellor.client().get(NEW).content.decode()
    assert "<textarea" not in body
    for name in ("name", "email", "phone", "note", "text"):
        assert f'name="{name}"' not in body


def test_it_refuses_a_date_in_the_future(scheme: Scheme) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = scheme.cast.counsellor.client().post(NEW, _form([tomorrow]))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_it_refuses_more_conversations_than_the_limit(scheme: Scheme, settings: Any) -> None:
    settings.KOLLEGA_CONVERSATION_LIMIT = 2
    with pytest.raises(ActionRefused):
        register(scheme.profile, days=last_month_days(3))
    body = scheme.cast.counsellor.client().get(NEW).content.decode()
    assert 'name="third"' not in body


def test_it_refuses_a_contact_without_a_date(scheme: Scheme) -> None:
    response = scheme.cast.counsellor.client().post(NEW, _form([]))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_the_counsellor_changes_it_until_it_is_settled(scheme: Scheme) -> None:
    registration = register(scheme.profile, days=last_month_days(1))
    url = reverse("peers:contact_edit", args=[registration.pk])
    client = scheme.cast.counsellor.client()
    assert client.post(url, _form(last_month_days(2), category="work")).status_code == 302
    registration.refresh_from_db()
    assert registration.conversations == 2 and registration.category == "work"
    month = last_month_days(1)[0]
    actions.do_approve_settlement(
        scheme.leader.user,
        scheme.profile,
        actions.SettlementPeriod.of("month", month.year, month.month),
    )
    assert client.post(url, _form(last_month_days(3))).status_code == 409
    registration.refresh_from_db()
    assert registration.conversations == 2
    with pytest.raises(ActionRefused):
        actions.do_change_registration("test", registration, dates=last_month_days(1))


def test_another_counsellor_cannot_open_it(scheme: Scheme) -> None:
    make_profile(scheme.cast.other_counsellor)
    registration = register(scheme.profile)
    url = reverse("peers:contact_edit", args=[registration.pk])
    assert scheme.cast.other_counsellor.client().get(url).status_code == 404


@pytest.mark.parametrize("name", ["peers:contacts", "peers:contact_new"])
def test_strangers_and_other_roles_are_refused(scheme: Scheme, name: str) -> None:
    url = reverse(name)
    assert Client().get(url).status_code == 302
    assert scheme.cast.coordinator.client().get(url).status_code == 403
    assert scheme.leader.client().get(url).status_code == 403


def test_the_edit_page_refuses_strangers_other_roles_and_wrong_methods(scheme: Scheme) -> None:
    url = reverse("peers:contact_edit", args=[register(scheme.profile).pk])
    assert Client().get(url).status_code == 302
    assert scheme.cast.researcher.client().get(url).status_code == 403
    assert scheme.cast.counsellor.client().put(url).status_code == 405
    assert scheme.cast.counsellor.client().post(reverse("peers:contacts")).status_code == 405
    assert scheme.cast.counsellor.client().delete(NEW).status_code == 405


def test_the_form_offers_as_many_dates_as_a_raised_limit(scheme: Scheme, settings: Any) -> None:
    settings.KOLLEGA_CONVERSATION_LIMIT = 4
    days = last_month_days(4)
    data = _form(days[:3])
    data["date_4"] = days[3].isoformat()
    response = scheme.cast.counsellor.client().post(NEW, data)
    assert response.status_code == 302
    assert Registration.objects.get().conversations == 4
