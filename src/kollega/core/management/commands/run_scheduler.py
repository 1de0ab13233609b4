from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kollega.core.schedule import due, periodic_tasks
from kollega.core.taskqueue import retry_transient


class Command(BaseCommand):
    help = "Enqueue periodic tasks (e.g. deleting expired personal data) at their intervals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue what is due, then exit")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        names = ", ".join(f"{p.name} every {p.every}" for p in periodic_tasks()) or "nothing"
        self.stdout.write(f"Scheduler: {names}")
        last_run: dict[str, float] = {}
        while True:
            now = time.time()
            for periodic in due(last_run, now):
                # A database locked by a long write is waited out, not a reason to stop.
                retry_transient(periodic.task.enqueue)
                last_run[periodic.name] = now
                self.stdout.write(f"Enqueued {periodic.name}")
            if once:
                return
            time.sleep(tick)
