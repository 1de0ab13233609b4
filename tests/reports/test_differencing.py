"""An attacker who downloads every period's statistics cannot work out a hidden count.

The synthetic year has one request from Finnmark, in October, and enough elsewhere that
hiding only the small counts would give it away: the year's Finnmark count minus its other
months, or October's total minus its other regions. The attacker here downloads the CSV for
every period the page offers (every month and the year), writes down every published figure
as an equation over the unknown counts per region and month, and asks linear algebra which
hidden counts those equations fix. This is a different computation from the one that chose
what to hide (graph cycles in `kollega.core.protect`).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import numpy as np
import pytest
from django.urls import reverse

from kollega.core.protect import protect
from kollega.reports.aggregates import refresh
from kollega.service import choices
from kollega.service.models import CaseStatistic, Status
from tests.cast import Cast

YEAR = 2025
REGIONS = [code for code, _label in choices.Region.choices]
EXHAUSTIVE = {"Gender", "Age", "Specialty", "Region", "Conversations per request"}


def _history() -> dict[tuple[str, int], int]:
    """Requests per (region, month) of YEAR: Finnmark has one, in October."""
    rng = random.Random(18)
    counts: dict[tuple[str, int], int] = {}
    for region in REGIONS:
        for month in range(1, 13):
            sizes = [0, 6, 8, 11] if month == 10 else [0, 3, 6, 8, 11]
            counts[(region, month)] = rng.choice(sizes) if region != "finnmark" else 0
    counts[("finnmark", 10)] = 1
    rows = []
    for (region, month), n in counts.items():
        for k in range(n):
            rows.append(
                CaseStatistic(
                    month=date(YEAR, month, 1),
                    category="coping",
                    source="web",
                    region=region,
                    gender=rng.choice(["female", "male", ""]),
                    final_status=Status.CLOSED,
                    conversations=k % 3,
                    deleted_by="retention",
                )
            )
    CaseStatistic.objects.bulk_create(rows)
    refresh()
    return counts


def _download(client, **period: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reports:csv"), period)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


def _equations(
    sheets: dict[int | None, list[list[str]]], labels: list[str]
) -> tuple[list[np.ndarray], list[tuple[int | None, str]]]:
    """What the attacker learns about the Region table: one equation (a 0/1 vector over the
    unknown region by month counts) per published figure, and the hidden cells' names."""
    index = {label: k for k, label in enumerate(labels)}

    def vector(region: str | None, month: int | None) -> np.ndarray:
        v = np.zeros((len(labels), 12))
        rows = [index[region]] if region is not None else list(range(len(labels)))
        v[rows, (month - 1) if month else slice(None)] = 1.0
        return v.ravel()

    known, hidden = [], []
    for month, rows in sheets.items():
        for statistic, label, _column, value in rows:
            if statistic == "Region":
                if value.isdigit():
                    known.append(vector(label, month))
                else:
                    hidden.append((month, label))
        # Any table that counts every request once and shows all its figures tells the
        # period's total, which is the Region table's total too.
        for name in EXHAUSTIVE:
            values = [value for statistic, _l, _c, value in rows if statistic == name]
            if values and all(value.isdigit() for value in values):
                known.append(vector(None, month))
                break
    return known, hidden


def _span(known: list[np.ndarray]) -> np.ndarray:
    """An orthonormal basis of everything the published figures add up to."""
    _u, singular, basis = np.linalg.svd(np.array(known), full_matrices=False)
    return basis[: int((singular > 1e-9).sum())]


def _determined(span: np.ndarray, cell: np.ndarray) -> bool:
    """Whether the count `cell` adds up to is a combination of published figures."""
    return float(np.abs(cell - (cell @ span.T) @ span).max()) < 1e-6


@pytest.mark.django_db
def test_no_hidden_count_can_be_worked_out_from_every_period(cast: Cast) -> None:
    counts = _history()
    client = cast.coordinator.client("en")
    sheets: dict[int | None, list[list[str]]] = {
        month: _download(client, year=YEAR, month=month) for month in range(1, 13)
    }
    sheets[None] = _download(client, year=YEAR)
    labels = [label for statistic, label, _c, _v in sheets[None] if statistic == "Region"]
    finnmark = labels[REGIONS.index("finnmark")]
    october = {label: value for s, label, _c, value in sheets[10] if s == "Region"}
    assert october[finnmark] == "<5"

    known, hidden = _equations(sheets, labels)
    assert (10, finnmark) in hidden
    span = _span(known)
    for month, label in hidden:
        v = np.zeros((len(labels), 12))
        v[labels.index(label), (month - 1) if month else slice(None)] = 1.0
        assert not _determined(span, v.ravel()), f"{label} in {month or YEAR} can be worked out"

    # A table with a hidden figure shows no total beside it, in the CSV or on the page.
    page = client.get(reverse("reports:statistics"), {"year": YEAR, "month": 10})
    region_table = page.content.decode().split('id="stat-region"')[1].split("</table>")[0]
    assert "Total" not in region_table

    # The same data with only the small counts hidden gives Finnmark's October away: this
    # year's data is a real test.
    naive = []
    for month in [*range(1, 13), None]:
        total = np.zeros((len(labels), 12))
        total[:, (month - 1) if month else slice(None)] = 1.0
        naive.append(total.ravel())
    for row, region in enumerate([*REGIONS, ""]):  # "" is "Not given": none here
        for month in [*range(1, 13), None]:
            n = sum(counts.get((region, m), 0) for m in ([month] if month else range(1, 13)))
            if not 0 < n < 5:
                w = np.zeros((len(labels), 12))
                w[row, (month - 1) if month else slice(None)] = 1.0
                naive.append(w.ravel())
    target = np.zeros((len(labels), 12))
    target[REGIONS.index("finnmark"), 9] = 1.0
    assert _determined(_span(naive), target.ravel())


def test_two_small_counts_under_a_known_remainder_are_withheld_further() -> None:
    # Rows: two small counts of 1 and one of 9 in one month; the total (11) is published, so
    # 11 - 9 = 2 would show both small ones are 1: the 9 is withheld as well.
    result = protect([[1], [1], [9]], margin=False)
    assert result.primary == {(0, 0), (1, 0)}
    assert (2, 0) in result.secondary or (3, 0) in result.secondary
