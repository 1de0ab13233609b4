"""One long write must not stop everything on SQLite (issue 18, defect 5).

The database waits for a lock instead of failing at once, the worker and scheduler outlive a
locked database, `kollega demo` starts a stopped child again, and deleting a large study does
not hold the write lock for the whole deletion.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from kollega.cli import _run_together
from kollega.core.taskqueue import is_transient, retry_transient


@pytest.mark.django_db
def test_it_runs_sqlite_with_wal_and_a_busy_timeout() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 10_000  # milliseconds: a lock is waited for, not fatal
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_it_retries_a_locked_database_with_growing_waits() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def work() -> str:
        calls.append(1)
        if len(calls) < 4:
            raise OperationalError("database is locked")
        return "done"

    assert retry_transient(work, first_delay=0.5, max_delay=1.5, sleep=waits.append) == "done"
    assert len(calls) == 4
    assert waits == [0.5, 1.0, 1.5]


def test_it_gives_up_after_the_attempts_it_was_given() -> None:
    waits: list[float] = []

    def work() -> None:
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError, match="locked"):
        retry_transient(work, attempts=3, sleep=waits.append)
    assert len(waits) == 2


def test_it_does_not_retry_a_real_error() -> None:
    waits: list[float] = []

    def work() -> None:
        raise OperationalError("no such table: service_case")

    with pytest.raises(OperationalError, match="no such table"):
        retry_transient(work, sleep=waits.append)
    assert waits == []
    assert not is_transient(ValueError("database is locked"))


def test_the_worker_outlives_a_locked_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-tasks-db's worker dies when starting its transaction meets a lock; ours starts
    it again after a pause."""
    from kollega.core import taskqueue

    runs: list[dict[str, object]] = []

    def db_worker(name: str, **options: object) -> None:
        runs.append(options)
        if len(runs) < 3:
            raise OperationalError("database is locked")

    monkeypatch.setattr("django.core.management.call_command", db_worker)
    monkeypatch.setattr(taskqueue.time, "sleep", lambda seconds: None)
    taskqueue.run_db_worker(queue_name="*", reload=False)
    assert len(runs) == 3


def test_the_worker_command_is_the_one_that_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    from kollega.cli import _worker_command

    # The database queue's worker; with Redis, RQ's own worker runs instead.
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert _worker_command()[-1] == "run_worker"


def _child(tmp_path: Path, name: str, code: str) -> list[str]:
    """A tiny child process that notes each start in `name`.log, then runs `code`."""
    log = tmp_path / f"{name}.log"
    return [
        sys.executable,
        "-c",
        f"import time, sys; open({str(log)!r}, 'a').write('start\\n'); {code}",
    ]


def test_the_demo_starts_a_stopped_child_again_and_stops_when_it_keeps_failing(
    tmp_path: Path,
) -> None:
    crashing = _child(tmp_path, "worker", "sys.exit(3)")
    steady = _child(tmp_path, "web", "time.sleep(60)")
    status = _run_together([steady, crashing], max_restarts=3, window=60, poll=0.05)
    # The crashing child was started again three times, then the supervisor gave up on it
    # and stopped the steady one, which it had never needed to restart.
    assert (tmp_path / "worker.log").read_text().count("start") == 4
    assert (tmp_path / "web.log").read_text().count("start") == 1
    assert status == 3
