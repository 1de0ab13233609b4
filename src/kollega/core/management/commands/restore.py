from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.core.backup import KEY_VARIABLE, BackupError, read_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `kollega backup` into an empty database and file "
        f"storage. Needs {KEY_VARIABLE}, and the same KOLLEGA_DATA_KEYS to read what it holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the archive to restore")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything in a database and file storage that are not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            summary = read_backup(path, force=options["force"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"The restore stopped: {exc}") from None
        self.stdout.write(
            f"Restored the {summary.engine} database and {summary.files} files "
            f"as of {summary.created}."
        )
        for name in summary.missing_files:
            self.stderr.write(f"A stored row refers to a file the archive does not hold: {name}")
