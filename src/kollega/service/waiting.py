"""The expected waiting time shown on the front door, computed from the queue."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from kollega.service.models import OPEN_COUNSELLOR_STATUSES, Case, CaseStatistic, CounsellorProfile

RECENT_DAYS = 90
DEFAULT_DAYS = 3


def expected_wait_days() -> int:
    """Days a request sent now can expect to wait for a counsellor.

    Steps: take the median wait of requests assigned in the last 90 days (still open or
    already anonymised), or 3 days with no history; when the queue is longer than the free
    places of active counsellors, add the days needed to work off the surplus at the recent
    rate of first assignments per day.
    """
    now = timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    recent = Case.objects.filter(first_assigned_at__gte=since)
    waits = [
        (case.first_assigned_at - case.created).total_seconds() / 86400
        for case in recent.only("created", "first_assigned_at")
        if case.first_assigned_at is not None
    ]
    waits += [
        float(days or 0)
        for days in CaseStatistic.objects.filter(
            month__gte=since.date().replace(day=1), waiting_days__isnull=False
        ).values_list("waiting_days", flat=True)
    ]
    base = statistics.median(waits) if waits else DEFAULT_DAYS
    queue = Case.objects.queue().count()
    profiles = CounsellorProfile.objects.filter(active=True, user__is_active=True).annotate(
        load=Count("cases", filter=Q(cases__status__in=OPEN_COUNSELLOR_STATUSES))
    )
    free = sum(max(0, p.capacity - p.load) for p in profiles)
    surplus = max(0, queue + 1 - free)
    per_day = len(waits) / RECENT_DAYS if waits else 0.5
    extra = surplus / max(per_day, 0.1)
    return max(1, math.ceil(base + extra))
