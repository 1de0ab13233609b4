"""Background tasks shared by every app."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from kollega.core.taskqueue import prune_finished


@task()
def prune_task_results() -> int:
    """Delete finished task results older than KOLLEGA_TASK_RESULT_HOURS; returns how many."""
    return prune_finished(timedelta(hours=settings.KOLLEGA_TASK_RESULT_HOURS))
