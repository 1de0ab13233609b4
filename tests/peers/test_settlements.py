"""Settlement: conversations times the rate, approved by the county's leader, for the funder."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.peers import actions
from kollega.peers.models import Registration, Settlement
from tests.peers.conftest import Scheme, last_month_days, register


def _last_month() -> actions.SettlementPeriod:
    day = last_month_days(1)[0]
    return actions.SettlementPeriod.of("month", day.year, day.month)


def test_periods_are_calendar_months_and_quarters() -> None:
    assert actions.SettlementPeriod.of("quarter", 2026, 4).start == date(2026, 10, 1)
    assert actions.SettlementPeriod.of("quarter", 2026, 4).end == date(2026, 12, 31)
    assert actions.SettlementPeriod.of("month", 2028, 2).end == date(2028, 2, 29)
    with pytest.raises(ValueError, match="quarter 5"):
        actions.SettlementPeriod.of("quarter", 2026, 5)


def test_it_settles_conversations_times_the_rate_and_locks_them(
    scheme: Scheme, settings: Any
) -> None:
    settings.KOLLEGA_SETTLEMENT_RATE = 1250
    register(scheme.profile, days=last_month_days(3))
    register(scheme.profile, days=last_month_days(1))
    url = reverse("peers:settle", args=["oslo", scheme.profile.pk])
    period = _last_month()
    data = {"year": str(period.start.year), "period": f"month-{period.start.month}"}
    preview = scheme.leader.client().get(url, data)
    assert preview.status_code == 200
    assert preview.context["conversations"] == 4
    response = scheme.leader.client().post(url, data)
    assert response.status_code == 302
    settlement = Settlement.objects.get()
    assert (settlement.contacts, settlement.conversations) == (2, 4)
    assert settlement.amount == Decimal("5000.00")
    assert not Registration.objects.filter(settlement__isnull=True).exists()
    event = AuditEvent.objects.get(action="peers.settlement.approve")
    assert event.actor == scheme.leader.user and event.details["conversations"] == 4
    again = scheme.leader.client().post(url, data)
    assert again.status_code == 400
    assert Settlement.objects.count() == 1


def test_it_refuses_a_period_not_yet_ended_or_with_nothing_to_settle(scheme: Scheme) -> None:
    today = timezone.localdate()
    with pytest.raises(ActionRefused):
        actions.do_approve_settlement(
            "test", scheme.profile, actions.SettlementPeriod.of("month", today.year, today.month)
        )
    with pytest.raises(ActionRefused):
        actions.do_approve_settlement("test", scheme.profile, _last_month())
    assert not Settlement.objects.exists()


def test_a_contact_registered_late_is_paid_in_the_next_settlement(scheme: Scheme) -> None:
    before = last_month_days(1)[0] - timedelta(days=20)
    earlier = actions.SettlementPeriod.of("month", before.year, before.month)
    register(scheme.profile, days=[earlier.start])
    actions.do_approve_settlement("test", scheme.profile, earlier)
    late = register(scheme.profile, days=[earlier.start + timedelta(days=1), earlier.end])
    assert late.settlement is None
    settlement = actions.do_approve_settlement("test", scheme.profile, _last_month())
    assert (settlement.contacts, settlement.conversations) == (1, 2)


def test_the_funders_files_hold_counts_only(scheme: Scheme) -> None:
    register(scheme.profile, days=last_month_days(3), county="agder", gender="female")
    settlement = actions.do_approve_settlement(scheme.leader.user, scheme.profile, _last_month())
    client = scheme.leader.client("en")
    csv_response = client.get(reverse("peers:settlement_csv", args=["oslo", settlement.pk]))
    assert csv_response.status_code == 200
    rows = dict(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows["Conversations"] == "3"
    assert rows["Amount (NOK)"] == f"{settlement.amount:.2f}"
    text = csv_response.content.decode()
    assert "Agder" not in text and "Woman" not in text
    docx_response = client.get(reverse("peers:settlement_docx", args=["oslo", settlement.pk]))
    document = Document(io.BytesIO(docx_response.content))
    assert document.core_properties.author == "Kollega"
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert AuditEvent.objects.filter(action="peers.settlement.export").count() == 2
