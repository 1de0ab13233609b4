"""Monthly aggregates of the statistics, so that the page costs the same whatever the history.

The reports app reads the service's cases and anonymous statistics rows only to refresh these
counts (`kollega.reports.aggregates.refresh`, run by the scheduler); the pages read only them.
"""

from __future__ import annotations

from django.db import models


class MonthlyCount(models.Model):
    """How many requests received in `month` have `value` for `dimension`.

    Dimensions are the statistics' own ("gender", "region", "match_days", ...): for the waiting
    times the value is a whole number of days, so the rows of a period are a histogram from which
    its median and 90th percentile are exact to the day. Counts here are not suppressed; the
    tables built from them are.
    """

    month = models.DateField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=30, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["month", "dimension", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "value"], name="monthlycount_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}={self.value}: {self.count}"


class AggregateRefresh(models.Model):
    """When the monthly counts were last rebuilt. One row (pk 1), absent until the first time."""

    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
