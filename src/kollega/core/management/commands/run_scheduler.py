from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kollega.core.schedule import (
    acquire_lease,
    due,
    last_runs,
    periodic_tasks,
    record_run,
    release_lease,
)
from kollega.core.taskqueue import retry_transient


class Command(BaseCommand):
    help = (
        "Enqueue periodic tasks (e.g. deleting expired personal data) at their intervals. "
        "Only one scheduler enqueues at a time (a lease in the database); the times of the "
        "last runs are kept there too, so a restart does not enqueue everything again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue what is due, then exit")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        names = ", ".join(f"{p.name} every {p.every}" for p in periodic_tasks()) or "nothing"
        self.stdout.write(f"Scheduler: {names}")
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Long enough to outlast a few slow ticks, short enough that a replacement for a
        # scheduler that died takes over within minutes.
        lease_seconds = max(120.0, 4 * tick)
        other_before: str | None = ""
        try:
            while True:
                other = retry_transient(lambda: acquire_lease(holder, seconds=lease_seconds))
                if other is not None:
                    if other != other_before:
                        self.stdout.write(
                            f"Another scheduler ({other}) holds the lease; waiting for it."
                        )
                else:
                    if other_before != other:
                        self.stdout.write(f"Holding the scheduler lease as {holder}.")
                    self._enqueue_due()
                other_before = other
                if once:
                    return
                time.sleep(tick)
        finally:
            retry_transient(lambda: release_lease(holder))

    def _enqueue_due(self) -> None:
        now = time.time()
        when = datetime.fromtimestamp(now, UTC)
        for periodic in due(retry_transient(last_runs), now):
            # A database locked by a long write is waited out, not a reason to stop.
            retry_transient(periodic.task.enqueue)
            retry_transient(partial(record_run, periodic.name, when))
            self.stdout.write(f"Enqueued {periodic.name}")
