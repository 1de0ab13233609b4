"""Periodic background work: tasks that apps ask to have enqueued at a fixed interval.

`kollega scheduler` enqueues each registered task when it starts and then every interval; the
task worker (database or RQ) runs them. Registered tasks must be safe to run twice, because a
restarted scheduler enqueues again at once. Run one scheduler per installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any


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
