from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kollega.core.backup import (
    KEY_VARIABLE,
    BackupError,
    archives_to_prune,
    daily_archive_name,
    write_backup,
)


class Command(BaseCommand):
    help = (
        "Write an encrypted, consistent archive of the database and file storage to PATH. "
        f"The archive is encrypted with {KEY_VARIABLE}; restoring it also needs KOLLEGA_DATA_KEYS. "
        "With --daily FOLDER (the backup timer) it writes FOLDER/kollega-YYYY-MM-DD.kbak and "
        "then deletes older daily archives beyond --keep-daily and --keep-monthly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", help="the archive to write, e.g. kollega-2026-01-31.kbak"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace an existing archive at PATH"
        )
        parser.add_argument(
            "--daily",
            metavar="FOLDER",
            help="write today's archive into FOLDER (replacing today's) and prune older ones",
        )
        parser.add_argument(
            "--keep-daily", type=int, default=14, help="with --daily: the newest N archives"
        )
        parser.add_argument(
            "--keep-monthly",
            type=int,
            default=12,
            help="with --daily: also the newest archive of each of the newest M months",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["daily"]:
            if options["path"]:
                raise CommandError("Give either PATH or --daily FOLDER, not both.")
            if options["keep_daily"] < 1 or options["keep_monthly"] < 0:
                raise CommandError("--keep-daily must be at least 1, --keep-monthly at least 0.")
            folder = Path(options["daily"])
            path = folder / daily_archive_name(timezone.localdate())
            replace = True
        elif options["path"]:
            path, replace = Path(options["path"]), options["force"]
        else:
            raise CommandError("Name the archive to write (PATH), or a folder with --daily.")
        if path.exists() and not replace:
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
        if options["daily"]:
            # Only after a whole new archive exists: a failed backup never prunes.
            names = [entry.name for entry in path.parent.iterdir() if entry.is_file()]
            for name in archives_to_prune(
                names, keep_daily=options["keep_daily"], keep_monthly=options["keep_monthly"]
            ):
                (path.parent / name).unlink()
                self.stdout.write(f"Deleted the older archive {name}.")
