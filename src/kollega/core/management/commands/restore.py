from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.core.backup import KEY_VARIABLE, BackupError, read_backup
from kollega.core.checks import key_fingerprint


class Command(BaseCommand):
    help = (
        "Restore an archive written by `kollega backup` into an empty database and file "
        f"storage. Needs {KEY_VARIABLE}, and the KOLLEGA_DATA_KEYS it was written with: a restore "
        "whose data those keys cannot read is refused, naming the missing keys' fingerprints."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="the archive to restore")
        parser.add_argument(
            "--key-fingerprints",
            action="store_true",
            help="print the fingerprints of the configured KOLLEGA_DATA_KEYS, and restore nothing",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything in a database and file storage that are not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["key_fingerprints"]:
            for position, key in enumerate(settings.KOLLEGA_DATA_KEYS, 1):
                self.stdout.write(f"KOLLEGA_DATA_KEYS key {position}: {key_fingerprint(key)}")
            return
        if not options["path"]:
            raise CommandError("Name the archive to restore.")
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
