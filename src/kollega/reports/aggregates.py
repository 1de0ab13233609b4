"""Rebuild the monthly counts (`MonthlyCount`) from live cases and anonymous statistics rows.

A deleted case leaves a `CaseStatistic` row and no `Case`, so the two never count the same
request twice and deletion by retention never erases history: the rebuilt counts hold the
deleted request's month, answers, waiting days, conversations, referrals and outcome as before.
Only the time to the first conversation is lost with the case (its dates go with it).

The whole table is rebuilt in one transaction, so a page never reads half a refresh and running
it twice is harmless. Its cost grows with the history; the pages' cost does not.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from kollega.peers.models import Registration, RegistrationStatistic
from kollega.peers.stats import concern_value
from kollega.reports.models import AggregateRefresh, MonthlyCount
from kollega.service.models import (
    Case,
    CaseStatistic,
    Concern,
    ConcernStatistic,
    Conversation,
    Feedback,
    Referral,
    Status,
)

Cell = tuple[date, str, str]  # month, dimension, value

# Single-answer fields counted per request, blank answers as "".
FIELDS = ("category", "gender", "age_band", "specialty", "region")
# The "way" a request came: Kollega's own request, or a contact a counsellor registered
# (`kollega.peers.models.Channel`).
INTAKE = "intake"


def _month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _count_request(cells: Counter[Cell], month: date, row: dict[str, Any]) -> None:
    """Add one request (live or deleted) to `cells`; `row` holds the CaseStatistic fields."""
    for name in FIELDS:
        cells[(month, name, str(row[name] or ""))] += 1
    cells[(month, "way", INTAKE)] += 1
    for hope in set(row["expectations"] or []):
        cells[(month, "expectation", str(hope))] += 1
    for kind in set(row["referrals"] or []):
        cells[(month, "referral", str(kind))] += 1
    cells[(month, "conversations", str(min(4, int(row["conversations"]))))] += 1
    if row["waiting_days"] is not None:
        cells[(month, "match_days", str(row["waiting_days"]))] += 1
    if row["final_status"] == Status.CLOSED:
        cells[(month, "outcome", str(row["outcome"] or ""))] += 1


def count_cells() -> Counter[Cell]:
    """Every cell of every month, counted afresh. A fixed number of queries, streamed."""
    cells: Counter[Cell] = Counter()
    held = dict(
        Conversation.objects.values_list("case_id").annotate(first=Min("held_on")).order_by()
    )
    per_case = Counter(Conversation.objects.values_list("case_id", flat=True).iterator())
    referrals: dict[int, set[str]] = {}
    for case_id, kind in Referral.objects.values_list("case_id", "kind").iterator():
        referrals.setdefault(case_id, set()).add(kind)
    columns = ("pk", "created", "first_assigned_at", "status", "outcome", "expectations", *FIELDS)
    for values in Case.objects.values_list(*columns).order_by().iterator(chunk_size=5000):
        case: dict[str, Any] = dict(zip(columns, values, strict=True))
        created: datetime = case["created"]
        assigned: datetime | None = case["first_assigned_at"]
        month = _month(created)
        row = {
            **case,
            "final_status": case["status"],
            "conversations": per_case.get(case["pk"], 0),
            "referrals": referrals.get(case["pk"], ()),
            # Whole days, as `Case.waiting_days()` keeps them when the case is deleted.
            "waiting_days": None if assigned is None else (assigned - created).days,
        }
        _count_request(cells, month, row)
        first = held.get(case["pk"])
        if first is not None:
            days = (first - timezone.localtime(created).date()).days
            cells[(month, "talk_days", str(days))] += 1
    stat_columns = (
        "month", "expectations", "final_status", "outcome", "conversations", "referrals",
        "waiting_days", *FIELDS,
    )  # fmt: skip
    for values in (
        CaseStatistic.objects.values_list(*stat_columns).order_by().iterator(chunk_size=5000)
    ):
        stat: dict[str, Any] = dict(zip(stat_columns, values, strict=True))
        _count_request(cells, stat["month"], stat)
    _count_registrations(cells)
    _count_concerns(cells)
    for month, helpfulness, recommend in Feedback.objects.values_list(
        "month", "helpfulness", "would_recommend"
    ).iterator():
        cells[(month.replace(day=1), "helpfulness", str(helpfulness))] += 1
        answer = "" if recommend is None else ("yes" if recommend else "no")
        cells[(month.replace(day=1), "recommend", answer)] += 1
    return cells


def _count_registrations(cells: Counter[Cell]) -> None:
    """Contacts counsellors registered outside Kollega count as requests in the month of their
    first conversation, in every table whose answers they have; so do the anonymous rows left
    by those deleted by retention."""
    columns = ("channel", "category", "gender", "age_band", "specialty", "county", "referral")
    live = Registration.objects.values_list("first_on", "dates", *columns).order_by()
    for first_on, dates, *values in live.iterator():
        _count_registration(cells, first_on.replace(day=1), len(dates), values)
    kept = RegistrationStatistic.objects.values_list("month", "conversations", *columns)
    for month, conversations, *values in kept.order_by().iterator():
        _count_registration(cells, month, conversations, values)


def _count_registration(
    cells: Counter[Cell], month: date, conversations: int, values: list[str]
) -> None:
    """Add one registered contact; `values` in `_count_registrations`' column order."""
    channel, category, gender, age_band, specialty, county, referral = values
    row = {
        "category": category, "gender": gender, "age_band": age_band, "specialty": specialty,
        "region": county,
    }  # fmt: skip
    for name in FIELDS:
        cells[(month, name, str(row[name] or ""))] += 1
    cells[(month, "way", channel)] += 1
    cells[(month, "conversations", str(min(4, conversations)))] += 1
    if referral:
        cells[(month, "referral", referral)] += 1


def _count_concerns(cells: Counter[Cell]) -> None:
    """Concerns raised, live and deleted, by who raised them and what came of them, in the
    month they arrived (`kollega.peers.stats.concern_value`)."""
    live = Concern.objects.values_list("created", "relation", "status", "outcome").order_by()
    for created, relation, status, outcome in live.iterator():
        month = _month(created)
        cells[(month, "concern_relation", relation)] += 1
        cells[(month, "concern_outcome", concern_value(status, outcome))] += 1
    kept = ConcernStatistic.objects.values_list("month", "relation", "final_status", "outcome")
    for month, relation, status, outcome in kept.order_by().iterator():
        cells[(month, "concern_relation", relation)] += 1
        cells[(month, "concern_outcome", concern_value(status, outcome))] += 1


@transaction.atomic
def refresh() -> int:
    """Replace every monthly count with a fresh one; returns how many cells are stored."""
    cells = count_cells()
    MonthlyCount.objects.all().delete()
    MonthlyCount.objects.bulk_create(
        (
            MonthlyCount(month=month, dimension=dimension, value=value, count=count)
            for (month, dimension, value), count in cells.items()
        ),
        batch_size=2000,
    )
    AggregateRefresh.objects.update_or_create(pk=1, defaults={"refreshed_at": timezone.now()})
    return len(cells)
