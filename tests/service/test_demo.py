from __future__ import annotations

from io import StringIO

import pytest
from django.test import override_settings

from kollega.core.demo import ensure_demo_users
from kollega.service import demo
from kollega.service.models import Case, CounsellorProfile, Offering, Status


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
    for username in ("ingrid", "tor"):
        assert Case.objects.filter(
            counsellor__user__username=username, status=Status.IN_CONVERSATION
        ).exists()
    before = Case.objects.count()
    demo.load(StringIO())
    assert Case.objects.count() == before
