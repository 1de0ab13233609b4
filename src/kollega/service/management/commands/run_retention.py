from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kollega.service.actions import run_concern_retention, run_retention


class Command(BaseCommand):
    help = (
        "Delete the personal data of closed, cancelled and withdrawn cases (and of ended "
        "concerns) older than KOLLEGA_RETENTION_DAYS, keeping anonymous statistics. "
        "`kollega scheduler` runs it every hour; run it by hand to delete at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = run_retention()
        concerns = run_concern_retention()
        self.stdout.write(
            f"Deleted the personal data of {count} case(s) and {concerns} concern(s)."
        )
