"""The expected waiting time shown on the front door, after sending and on the status page.

It is a range, computed from the recent time to first contact and the current queue, for
ordinary and for urgent requests separately. Every page that shows it pays three small
queries whatever the history: the recent waits come from `WaitTally`, a table of counts kept
current by the accept action, not from the cases themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from kollega.service.models import (
    Case,
    CaseStatistic,
    CounsellorProfile,
    WaitTally,
    open_loads,
    taking_new_cases,
)

RECENT_DAYS = 90
MAX_DAYS = 365
# With no history yet: what a newly started service can honestly promise.
DEFAULT_RANGE = (1, 3)
DEFAULT_URGENT_RANGE = (1, 1)
# The range spans the middle half of recent waits: a quarter waited less, a quarter longer.
LOW_QUANTILE = 0.25
HIGH_QUANTILE = 0.75


@dataclass(frozen=True)
class WaitRange:
    low: int
    high: int

    @property
    def single(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class Waits:
    normal: WaitRange
    urgent: WaitRange


def wait_days(created: datetime, contacted: datetime) -> int:
    """Whole days from request to first contact, rounded up, at least one."""
    seconds = (contacted - created).total_seconds()
    return min(MAX_DAYS, max(1, math.ceil(seconds / 86400)))


def count_first_contact(case: Case, at: datetime) -> None:
    """Add one request's wait to the tally; called once per case, at its first acceptance."""
    cell, _created = WaitTally.objects.get_or_create(
        day=timezone.localtime(at).date(), urgent=case.urgent, days=wait_days(case.created, at)
    )
    WaitTally.objects.filter(pk=cell.pk).update(count=F("count") + 1)


@transaction.atomic
def rebuild_tally() -> int:
    """Recount the tally from the cases and the anonymous statistics rows; returns the total.

    Live cases count from their first acceptance; deleted ones from their statistics row
    (first day of the month, days to first assignment), which is all that is left of them.
    """
    cells: dict[tuple[date, bool, int], int] = {}
    for created, accepted, urgent in Case.objects.filter(accepted_at__isnull=False).values_list(
        "created", "accepted_at", "urgent"
    ):
        if accepted is None:  # filtered out above; this tells the type checker
            continue
        key = (timezone.localtime(accepted).date(), urgent, wait_days(created, accepted))
        cells[key] = cells.get(key, 0) + 1
    for month, days, urgent in CaseStatistic.objects.filter(waiting_days__isnull=False).values_list(
        "month", "waiting_days", "urgent"
    ):
        key = (month, urgent, min(MAX_DAYS, max(1, days or 0)))
        cells[key] = cells.get(key, 0) + 1
    WaitTally.objects.all().delete()
    WaitTally.objects.bulk_create(
        WaitTally(day=day, urgent=urgent, days=days, count=count)
        for (day, urgent, days), count in cells.items()
    )
    return sum(cells.values())


def _quantile(histogram: dict[int, int], q: float) -> int:
    total = sum(histogram.values())
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= q * total:
            return days
    return max(histogram)


def _range(histogram: dict[int, int], default: tuple[int, int], extra: float) -> WaitRange:
    low, high = (
        (_quantile(histogram, LOW_QUANTILE), _quantile(histogram, HIGH_QUANTILE))
        if histogram
        else default
    )
    low = max(1, math.ceil(low + extra))
    return WaitRange(low, max(low, math.ceil(high + extra)))


def expected_waits() -> Waits:
    """Ranges of days a request sent now can expect to wait for first contact.

    Steps: the middle half of the waits to first contact in the last 90 days (from the tally;
    urgent and ordinary apart), or a default with no history; then, when the queue ahead is
    longer than the free places of active counsellors, the days needed to work off the
    surplus at the recent rate of first contacts per day are added. Urgent requests are
    served first, so only urgent ones are ahead of an urgent request.
    """
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    histograms: dict[bool, dict[int, int]] = {False: {}, True: {}}
    for urgent, days, count in (
        WaitTally.objects.filter(day__gte=since)
        .values_list("urgent", "days")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        histograms[urgent][days] = count
    queue = Case.objects.queue().aggregate(
        all=Count("pk"), urgent=Count("pk", filter=Q(urgent=True))
    )
    loads = open_loads()
    free = sum(
        max(0, capacity - loads.get(pk, 0))
        for pk, capacity in CounsellorProfile.objects.filter(
            taking_new_cases(), user__is_active=True
        ).values_list("pk", "capacity")
    )
    contacts = sum(sum(h.values()) for h in histograms.values())
    per_day = max(contacts / RECENT_DAYS, 0.1) if contacts else 0.5

    def extra(ahead: int) -> float:
        return max(0, ahead + 1 - free) / per_day

    return Waits(
        normal=_range(histograms[False], DEFAULT_RANGE, extra(queue["all"])),
        urgent=_range(histograms[True], DEFAULT_URGENT_RANGE, extra(queue["urgent"])),
    )
