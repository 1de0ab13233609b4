"""Daily backups from the timer: today's archive, then older ones pruned to N daily and
M monthly (issue 24)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kollega.core.backup import archives_to_prune, daily_archive_name
from tests.core.test_backup import BACKUP_KEY


def test_it_keeps_the_newest_days_and_the_newest_archive_of_each_month() -> None:
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(120)]  # to 30 April
    names = [daily_archive_name(day) for day in days] + ["notes.txt", "kollega-old.kbak"]
    pruned = set(archives_to_prune(names, keep_daily=7, keep_monthly=3))
    kept = {name for name in names if name not in pruned}
    assert kept == {
        *(daily_archive_name(date(2026, 4, 30) - timedelta(days=n)) for n in range(7)),
        "kollega-2026-03-31.kbak",
        "kollega-2026-02-28.kbak",
        "notes.txt",  # not an archive the timer wrote: left alone
        "kollega-old.kbak",
    }


@pytest.mark.django_db(transaction=True)
def test_the_daily_backup_writes_todays_archive_and_prunes_only_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOLLEGA_BACKUP_KEY", BACKUP_KEY)
    for n in range(1, 5):
        (tmp_path / daily_archive_name(date(2020, 1, n))).write_bytes(b"old")
    call_command("backup", "--daily", str(tmp_path), "--keep-daily", "2", "--keep-monthly", "0")
    names = sorted(entry.name for entry in tmp_path.iterdir())
    from django.utils import timezone

    assert names == ["kollega-2020-01-04.kbak", daily_archive_name(timezone.localdate())]

    # Without its key no archive is written, and nothing is pruned.
    monkeypatch.delenv("KOLLEGA_BACKUP_KEY")
    with pytest.raises(CommandError, match="No backup was written"):
        call_command("backup", "--daily", str(tmp_path), "--keep-daily", "1")
    assert sorted(entry.name for entry in tmp_path.iterdir()) == names
