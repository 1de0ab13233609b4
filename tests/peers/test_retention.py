"""Settlements and registered contacts are deleted after their retention period, by the
scheduler, leaving anonymous statistics rows that count as the registrations did."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone, translation

from kollega.core.models import AuditEvent
from kollega.core.schedule import periodic_tasks
from kollega.peers import actions, stats
from kollega.peers.models import Registration, RegistrationStatistic, Settlement
from kollega.peers.tasks import scheme_retention
from kollega.reports.aggregates import refresh
from kollega.reports.stats import Period
from kollega.reports.stats import build as service_build
from tests.peers.conftest import Scheme, last_month_days, register


def _tables(period: Period) -> tuple[dict[str, Any], dict[str, Any]]:
    refresh()
    with translation.override("en"):
        county = {t.key: t.rows for t in stats.build("oslo", period)}
        service = {t.key: t.rows for t in service_build(period)}
    return county, service


def test_the_scheduler_runs_the_schemes_retention_hourly() -> None:
    by_name = {p.name: p for p in periodic_tasks()}
    assert by_name["kollega.peers.tasks.scheme_retention"].every == timedelta(hours=1)


def test_nothing_goes_before_the_period_has_passed(scheme: Scheme, settings: Any) -> None:
    settings.KOLLEGA_SCHEME_RETENTION_DAYS = 400
    day = last_month_days(1)[0]
    register(scheme.profile, days=last_month_days(2), referral="gp")
    actions.do_approve_settlement(
        "test", scheme.profile, actions.SettlementPeriod.of("month", day.year, day.month)
    )
    register(scheme.profile, days=last_month_days(1))
    assert actions.run_retention() == 0
    assert Registration.objects.count() == 2 and Settlement.objects.count() == 1


def test_it_deletes_old_settlements_and_registrations_and_keeps_the_counts(
    scheme: Scheme, settings: Any
) -> None:
    settings.KOLLEGA_SCHEME_RETENTION_DAYS = 10
    days = last_month_days(3)
    for _ in range(6):
        register(scheme.profile, days=days, category="work", gender="female", referral="psych")
    actions.do_approve_settlement(
        "test", scheme.profile, actions.SettlementPeriod.of("month", days[0].year, days[0].month)
    )
    unsettled = register(scheme.profile, days=days[:1], channel="email")
    period = Period.month(days[0].year, days[0].month)
    before = _tables(period)

    later = timezone.now() + timedelta(days=60)
    assert actions.run_retention(later) == 7
    assert not Registration.objects.exists() and not Settlement.objects.exists()
    assert RegistrationStatistic.objects.count() == 7
    kept = RegistrationStatistic.objects.filter(channel="phone").first()
    assert kept is not None and kept.conversations == 3 and kept.referral == "psych"
    assert kept.month == days[0].replace(day=1) and kept.scheme_county == "oslo"
    # Each deletion is audited, by retention, with no data of the contacts.
    settlement_event = AuditEvent.objects.get(action="peers.settlement.delete")
    assert settlement_event.details == {
        "county": "oslo",
        "registrations": 6,
        "deleted_by": "retention",
    }
    deleted = AuditEvent.objects.get(action="peers.registration.delete")
    assert deleted.object_id == str(unsettled.pk)
    # The county's statistics and the service's read the same afterwards.
    assert _tables(period) == before
    assert actions.run_retention(later) == 0


def test_the_task_runs_the_retention(scheme: Scheme, settings: Any) -> None:
    settings.KOLLEGA_SCHEME_RETENTION_DAYS = 1
    old = timezone.localdate() - timedelta(days=40)
    register(scheme.profile, days=[old])
    assert scheme_retention.call() == 1
    assert not Registration.objects.exists()


def test_the_command_runs_the_retention(scheme: Scheme, settings: Any) -> None:
    settings.KOLLEGA_SCHEME_RETENTION_DAYS = 1
    register(scheme.profile, days=[timezone.localdate() - timedelta(days=40)])
    out = io.StringIO()
    call_command("run_scheme_retention", stdout=out)
    assert "Deleted 1 registered contact(s)" in out.getvalue()
    assert not Registration.objects.exists()
