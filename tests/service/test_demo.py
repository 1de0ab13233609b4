from __future__ import annotations

from io import StringIO

import pytest
from django.test import override_settings

from kollega.accounts.demo import ensure_demo_users
from kollega.service import demo
from kollega.service.models import (
    Case,
    Concern,
    ConcernStatus,
    CounsellorProfile,
    Offering,
    ReferralPlace,
    Status,
)


@pytest.mark.django_db
@override_settings(DEMO=True)
def test_the_demo_fills_every_state_and_loads_once() -> None:
    ensure_demo_users()
    demo.load(StringIO())
    assert CounsellorProfile.objects.count() >= 15
    assert len(set(CounsellorProfile.objects.values_list("region", flat=True))) >= 10
    assert Case.objects.count() >= 60
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Offering.objects.count() >= 3
    assert ReferralPlace.objects.count() >= 4
    assert Concern.objects.filter(status=ConcernStatus.PROPOSED).count() == 1
    for username in ("ingrid", "tor"):
        assert Case.objects.filter(
            counsellor__user__username=username, status=Status.IN_CONVERSATION
        ).exists()
    before = Case.objects.count()
    demo.load(StringIO())
    assert Case.objects.count() == before


@pytest.mark.django_db
@override_settings(DEMO=True)
def test_the_demo_shows_the_coordinators_day() -> None:
    from kollega.service.adapters import match_case
    from kollega.service.models import CaseStatistic, Message, WaitTally

    ensure_demo_users()
    demo.load(StringIO())
    ous = next(c for c in Case.objects.filter(status=Status.NEW) if c.avoid_employers == "OUS")
    excluded = {o.profile.user.username for o in match_case(ous).excluded}
    assert {"demo.li", "demo.marte"} <= excluded
    urgent = Case.objects.filter(urgent=True, status=Status.NEW)
    assert urgent.filter(acknowledged_at__isnull=True).exists()
    assert urgent.filter(acknowledged_at__isnull=False).exists()
    assert Message.objects.filter(sender="coordinator").exists()
    assert Case.objects.filter(excluded_counsellors__isnull=False, status=Status.PROPOSED).exists()
    assert CaseStatistic.objects.count() >= 200
    assert WaitTally.objects.exists()
