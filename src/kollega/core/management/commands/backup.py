from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.core.backup import KEY_VARIABLE, BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write an encrypted, consistent archive of the database and file storage to PATH. "
        f"The archive is encrypted with {KEY_VARIABLE}; restoring it also needs KOLLEGA_DATA_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the archive to write, e.g. kollega-2026-01-31.kbak")
        parser.add_argument(
            "--force", action="store_true", help="replace an existing archive at PATH"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} exists; pass --force to replace it.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        try:
            summary = write_backup(path)
        except (BackupError, OSError) as exc:
            raise CommandError(f"No backup was written: {exc}") from None
        self.stdout.write(
            f"Wrote {path}: the {summary.engine} database and {summary.files} files "
            f"as of {summary.created}."
        )
