"""Background tasks of the reports app. They take no arguments and hold no personal data."""

from __future__ import annotations

from django_tasks import task

from kollega.reports.aggregates import refresh


@task()
def refresh_statistics() -> int:
    """Rebuild the monthly counts behind the statistics pages; returns how many cells."""
    return refresh()
