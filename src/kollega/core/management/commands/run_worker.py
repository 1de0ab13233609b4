from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kollega.core.taskqueue import run_db_worker


class Command(BaseCommand):
    help = (
        "Run the background task worker (database queue) on every queue, waiting out a locked "
        "or unreachable database instead of stopping."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks for work"
        )

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        run_db_worker(
            queue_name="*",
            reload=False,
            interval=interval,
            verbosity=options.get("verbosity", 1),
        )
