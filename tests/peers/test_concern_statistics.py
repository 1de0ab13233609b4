"""Concerns count in their county's statistics and in the service's, by who raised them and
what came of them, live and deleted alike, with the same suppression."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from kollega.peers import stats
from kollega.reports.aggregates import refresh
from kollega.reports.stats import Period
from kollega.reports.stats import build as service_build
from kollega.service.models import Concern, ConcernStatistic, ConcernStatus
from tests.peers.conftest import Scheme


def _concern(n: int, **fields: Any) -> Concern:
    values: dict[str, Any] = {
        "reference": f"B{n:08d}",
        "token_hash": f"hash-{n}",
        "relation": "colleague",
        "region": "oslo",
        "doctor_name": "Dr. Test",
        "worry": "Bekymret.",
        **fields,
    }
    return Concern.objects.create(**values)


def _add(scheme: Scheme) -> Period:
    for n in range(6):
        _concern(n)
    for n in range(6, 9):
        _concern(n, relation="relative", status=ConcernStatus.DONE, outcome="accepted")
    for n in range(9, 16):
        _concern(n, region="vestland")
    month = timezone.localdate().replace(day=1)
    for _ in range(5):
        ConcernStatistic.objects.create(
            month=month,
            region="oslo",
            relation="friend",
            final_status=ConcernStatus.DONE,
            outcome="declined",
        )
    return Period.month(month.year, month.month)


def _rows(tables: list[Any], key: str) -> dict[str, Any]:
    table = next(t for t in tables if t.key == key)
    return {label: cells[0] for label, cells in table.rows}


def test_the_county_counts_the_concerns_about_its_doctors_only(scheme: Scheme) -> None:
    period = _add(scheme)
    with translation.override("en"):
        tables = stats.build("oslo", period)
    relation = _rows(tables, "concern_relation")
    assert relation["A colleague"] == 6  # the seven in Vestland are not Oslo's
    assert relation["A friend"] == 5  # deleted by retention, still counted
    assert relation["A relative or partner"] is None  # 3: shown as "<5"
    outcome = _rows(tables, "concern_outcome")
    assert outcome["Not concluded yet"] == 6
    assert outcome["Reached out; the doctor declined"] == 5
    page = scheme.leader.client("en").get(reverse("peers:county_statistics", args=["oslo"]))
    assert "Concerns raised, by who raised them" in page.content.decode()


def test_the_services_statistics_count_every_countys_concerns(scheme: Scheme) -> None:
    period = _add(scheme)
    refresh()
    with translation.override("en"):
        tables = service_build(period)
    relation = _rows(tables, "concern_relation")
    assert relation["A colleague"] == 13 and relation["A friend"] == 5
    assert relation["A relative or partner"] is None
    table = next(t for t in tables if t.key == "concern_relation")
    assert table.total() is None  # a hidden count: no total that would give it away
    page = scheme.cast.coordinator.client("en").get(reverse("reports:statistics"))
    assert "What came of the concerns" in page.content.decode()
