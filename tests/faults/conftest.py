"""Faults made on purpose: a worker killed with SIGKILL, a database that cannot be reached, a
disk that fills up. The worker runs as a real `kollega worker` process on the test database."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_url() -> str:
    """The URL of the test database, for processes started by a test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """A `kollega worker` (the database task worker) on the test database, in its own process
    group; stopped with SIGKILL at the end if a test has not killed it already."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(),
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        LOG_LEVEL="ERROR",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "kollega.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        kill_hard(process)


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the worker and every process it started; nothing of theirs runs afterwards."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {seconds:.0f} s for {what}")


class FullDiskStorage(FileSystemStorage):
    """File storage on a disk that fills up: the first 64 KiB of a file are written, then the
    write fails with ENOSPC, as it does when a real disk fills in the middle of a file."""

    def _save(self, name: str, content: Any) -> str:
        class FillsUp(File):  # type: ignore[type-arg]
            def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
                for number, chunk in enumerate(content.chunks(64 * 1024)):
                    if number == 1:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    yield chunk

        return super()._save(name, FillsUp(content, name=name))


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()
