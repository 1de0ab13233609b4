"""Periodic background work: tasks that apps ask to have enqueued at a fixed interval.

`kollega scheduler` enqueues each registered task when its interval has passed since it was
last enqueued; the task worker (database or RQ) runs them. The times are kept in the database
(PeriodicRun), so a restarted scheduler does not enqueue everything again, and only the
scheduler holding the lease (SchedulerLease) enqueues: a second one started by mistake waits.
Registered tasks should still be safe to run twice (a lease can lapse while a holder is stuck).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kollega.core.models import PeriodicRun, SchedulerLease


@dataclass(frozen=True)
class Periodic:
    task: Any  # a django_tasks Task
    every: timedelta

    @property
    def name(self) -> str:
        return str(self.task.module_path)


_PERIODIC: dict[str, Periodic] = {}


def register_periodic(task: Any, *, every: timedelta) -> None:
    """Called from an app's `ready()`; registering the same task again replaces its interval."""
    periodic = Periodic(task, every)
    _PERIODIC[periodic.name] = periodic


def periodic_tasks() -> list[Periodic]:
    return list(_PERIODIC.values())


def due(last_run: dict[str, float], now: float) -> list[Periodic]:
    """The tasks whose interval has passed since `last_run` (seconds since the epoch)."""
    return [
        periodic
        for periodic in _PERIODIC.values()
        if now - last_run.get(periodic.name, float("-inf")) >= periodic.every.total_seconds()
    ]


def acquire_lease(holder: str, *, seconds: float, now: datetime | None = None) -> str | None:
    """Take or renew the scheduler's lease for `seconds`.

    Returns None when `holder` holds it now, else the name of the scheduler that does.
    """
    now = now or timezone.now()
    expires = now + timedelta(seconds=seconds)
    try:
        with transaction.atomic():
            lease = SchedulerLease.objects.select_for_update().filter(pk=1).first()
            if lease is None:
                SchedulerLease.objects.create(pk=1, holder=holder, expires=expires)
                return None
            if lease.holder != holder and lease.expires > now:
                return lease.holder
            lease.holder, lease.expires = holder, expires
            lease.save(update_fields=["holder", "expires"])
            return None
    except IntegrityError:  # another scheduler created the row in the same instant
        return "another scheduler"


def release_lease(holder: str) -> None:
    """Give the lease up at a clean stop, so a replacement need not wait for it to run out."""
    SchedulerLease.objects.filter(pk=1, holder=holder).delete()


def last_runs() -> dict[str, float]:
    """When each periodic task was last enqueued, in seconds since the epoch."""
    return {run.name: run.last_enqueued.timestamp() for run in PeriodicRun.objects.all()}


def record_run(name: str, when: datetime) -> None:
    PeriodicRun.objects.update_or_create(name=name, defaults={"last_enqueued": when})
