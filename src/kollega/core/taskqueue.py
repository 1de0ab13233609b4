"""Housekeeping of the background queue, on the database backend and on Redis (RQ).

Tasks carry ids, never personal data; even so, the queue keeps no more than it needs: finished
task results are pruned on a schedule, and work still queued for something that is deleted is
removed with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task_backends


def _backend() -> Any:
    return task_backends["default"]


def _is_rq(backend: Any) -> bool:
    return type(backend).__module__.startswith("django_tasks_rq")


def _is_db(backend: Any) -> bool:
    return type(backend).__module__.startswith("django_tasks_db")


def prune_finished(older_than: timedelta, *, now: datetime | None = None) -> int:
    """Delete finished (successful or failed) task results older than `older_than`.

    Returns how many went. Backends that keep no results (immediate, dummy) prune nothing.
    """
    cutoff = (now or timezone.now()) - older_than
    backend = _backend()
    if _is_db(backend):
        from django_tasks_db.models import DBTaskResult

        deleted, _ = (
            DBTaskResult.objects.finished()
            .filter(backend_name=backend.alias, finished_at__lte=cutoff)
            .delete()
        )
        return int(deleted)
    if _is_rq(backend):
        return _prune_rq(backend, cutoff)
    return 0


def _prune_rq(backend: Any, cutoff: datetime) -> int:
    from rq.registry import CanceledJobRegistry, FailedJobRegistry, FinishedJobRegistry

    count = 0
    for queue in backend._get_queues():
        for registry_class in (FinishedJobRegistry, FailedJobRegistry, CanceledJobRegistry):
            registry = registry_class(queue=queue)
            for job_id in registry.get_job_ids():
                job = queue.fetch_job(job_id)
                if job is None:
                    registry.remove(job_id)
                    continue
                ended = job.ended_at
                if ended is not None and timezone.is_naive(ended):
                    ended = timezone.make_aware(ended, UTC)
                if ended is None or ended <= cutoff:
                    job.delete()
                    count += 1
    return count


def drop_queued(task: Any, **match: Any) -> int:
    """Remove queued, not yet started runs of `task` whose keyword arguments include `match`.

    Used when the thing a task is about is deleted. Returns how many were removed.
    """
    backend = _backend()
    if _is_db(backend):
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=task.module_path
        )
        for key, value in match.items():
            queued = queued.filter(**{f"args_kwargs__kwargs__{key}": value})
        deleted, _ = queued.delete()
        return int(deleted)
    if _is_rq(backend):
        count = 0
        for queue in backend._get_queues():
            for job in queue.get_jobs():
                kwargs = job.kwargs or {}
                if job.func_name == task.module_path and all(
                    kwargs.get(key) == value for key, value in match.items()
                ):
                    job.delete()
                    count += 1
        return count
    return 0
