"""Housekeeping of the background queue, on the database backend and on Redis (RQ).

Tasks carry ids, never personal data; even so, the queue keeps no more than it needs: finished
task results are pruned on a schedule, and work still queued for something that is deleted is
removed with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.core import management
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.models import DBTaskResult

T = TypeVar("T")
logger = logging.getLogger(__name__)


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
    # Inside: only the Redis backend needs rq, which takes about a second to import.
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


def is_transient(error: BaseException) -> bool:
    """Whether a database error is worth waiting out: a lock held by another writer, or a
    connection dropped by a restarting server."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    text = " ".join(str(arg) for arg in error.args).lower()
    return any(
        sign in text
        for sign in (
            "is locked",
            "database is busy",
            "server closed the connection",
            "connection already closed",
            "could not connect",
            "terminating connection",
        )
    )


def retry_transient(
    work: Callable[[], T],
    *,
    attempts: int | None = None,
    first_delay: float = 0.5,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Run `work()`; on a transient database error close the connection, wait and run it again.

    Waits double from `first_delay` up to `max_delay`, and start again from `first_delay` after
    a try that ran longer than `max_delay` (a worker that ran for hours before its next
    error). With `attempts` None it tries until `work` returns or raises something that is not
    transient; otherwise it raises the last transient error after `attempts` tries. Anything
    else is raised at once.
    """
    delay = first_delay
    tried = 0
    while True:
        tried += 1
        began = time.monotonic()
        try:
            return work()
        except Exception as error:
            if time.monotonic() - began > max_delay:
                delay = first_delay
            if not is_transient(error) or (attempts is not None and tried >= attempts):
                raise
            logger.warning("Database busy or away (%s); trying again in %.1f s", error, delay)
        # A connection that failed inside a transaction cannot be used again: start afresh.
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
        close_old_connections()
        (sleep or time.sleep)(delay)
        delay = min(max_delay, delay * 2)


def run_db_worker(**options: Any) -> None:
    """Run django-tasks-db's worker until it is stopped, outliving transient database errors.

    Its own loop skips a locked database only while looking for work; a lock or a lost
    connection while starting a transaction or saving a result ends it. Here the worker starts
    again after a pause instead (a task whose result could not be saved is left as running).
    """
    retry_transient(lambda: management.call_command("db_worker", **options))
