from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kollega.peers.actions import run_retention


class Command(BaseCommand):
    help = (
        "Delete the collegial support scheme's settlements and registered contacts older than "
        "KOLLEGA_SCHEME_RETENTION_DAYS, keeping anonymous statistics. `kollega scheduler` runs "
        "it every hour; run it by hand to delete at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = run_retention()
        self.stdout.write(f"Deleted {count} registered contact(s) and their settlements.")
