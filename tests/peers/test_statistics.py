"""Registered contacts count in the service's statistics and in their county's, suppressed."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from kollega.peers import stats
from kollega.reports.aggregates import refresh
from kollega.reports.stats import Period, Table, build
from tests.peers.conftest import Scheme, last_month_days, register
from tests.service.conftest import make_profile


def _rows(tables: list[Table], key: str) -> dict[str, object]:
    table = next(t for t in tables if t.key == key)
    return {label: cells[0] for label, cells in table.rows}


def test_registered_contacts_count_in_the_services_statistics(scheme: Scheme) -> None:
    days = last_month_days(3)
    for _ in range(6):
        register(scheme.profile, days=days, category="work", gender="female", referral="psych")
    refresh()
    with translation.override("en"):
        tables = build(Period.month(days[0].year, days[0].month))
    assert _rows(tables, "way")["Phone"] == 6
    assert _rows(tables, "gender")["Woman"] == 6
    assert _rows(tables, "referrals")["Psychiatrist or psychologist"] == 6
    assert _rows(tables, "conversations")["3"] == 6


def test_the_county_statistics_count_the_countys_contacts_only(scheme: Scheme) -> None:
    days = last_month_days(2)
    for _ in range(5):
        register(scheme.profile, days=days, channel="email")
    register(scheme.profile, days=days, channel="outreach")
    west = make_profile(scheme.cast.other_counsellor, region="vestland")
    for _ in range(7):
        register(west, days=days, channel="phone")
    with translation.override("en"):
        tables = stats.build("oslo", Period.month(days[0].year, days[0].month))
    channels = _rows(tables, "channel")
    assert channels["E-mail"] == 5
    assert channels["I reached out to the colleague"] is None  # 1: shown as "<5"
    assert channels["Phone"] == 0
    page = scheme.leader.client("en").get(
        reverse("peers:county_statistics", args=["oslo"]),
        {"year": days[0].year, "month": days[0].month},
    )
    assert page.status_code == 200
    assert "&lt;5" in page.content.decode()


def test_a_bad_period_gets_a_message(scheme: Scheme) -> None:
    url = reverse("peers:county_statistics", args=["oslo"])
    assert scheme.leader.client().get(url, {"month": "13"}).status_code == 400
    assert Client().get(url).status_code == 302
