"""A restore proves that the configured data keys read the archive's encrypted values before it
says "Restored" (issue 24): with the wrong keys, or after a rotation dropped the key older
archives were written with, it refuses and names the missing key by its fingerprint."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from kollega.core.checks import key_fingerprint
from kollega.service import actions as service
from tests.core.test_backup import BACKUP_KEY, DESCRIPTION, _fresh_database, _kollega, _machine
from tests.settings import TEST_DATA_KEYS

pytestmark = pytest.mark.django_db(transaction=True)


def _archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    service.do_submit_request(category="coping", description=DESCRIPTION)
    monkeypatch.setenv("KOLLEGA_BACKUP_KEY", BACKUP_KEY)
    archive = tmp_path / "kollega.kbak"
    call_command("backup", str(archive))
    return archive


def _nothing_restored(folder: Path) -> bool:
    """On SQLite the archive's own copy is checked first: nothing at all is written. (On
    PostgreSQL the dump can only be read by restoring it; the message then says so.)"""
    if connection.vendor != "sqlite":
        return True
    database = folder / "kollega.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as check:
            if check.execute("SELECT count(*) FROM sqlite_master").fetchone() != (0,):
                return False
    return not (folder / "files").exists()


def test_a_restore_with_other_data_keys_is_refused_and_names_the_missing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _archive(tmp_path, monkeypatch)
    folder = tmp_path / "fresh"
    other = Fernet.generate_key().decode()
    url, drop = _fresh_database(tmp_path)
    fresh = {**_machine(folder, url), "KOLLEGA_DATA_KEYS": other}
    try:
        done = _kollega(fresh, "restore", str(archive))
    finally:
        drop()
    assert done.returncode != 0
    assert "Restored" not in done.stdout
    assert "cannot be decrypted with the configured KOLLEGA_DATA_KEYS" in done.stderr
    assert key_fingerprint(TEST_DATA_KEYS[0]) in done.stderr  # the key to bring back
    assert key_fingerprint(other) in done.stderr  # the key it has
    assert TEST_DATA_KEYS[0] not in done.stderr and other not in done.stderr
    assert _nothing_restored(folder)


def test_an_older_archive_after_its_key_was_rotated_out_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _archive(tmp_path, monkeypatch)  # written under TEST_DATA_KEYS[0]
    folder = tmp_path / "fresh"
    new = Fernet.generate_key().decode()
    # Rotation: a new key first, then the old one dropped while this archive is kept.
    url, drop = _fresh_database(tmp_path)
    try:
        rotated = {**_machine(folder, url), "KOLLEGA_DATA_KEYS": new}
        done = _kollega(rotated, "restore", str(archive))
        assert done.returncode != 0
        assert f"add the missing key(s) {key_fingerprint(TEST_DATA_KEYS[0])}" in done.stderr
        assert _nothing_restored(folder)

        # With the old key back after the new one, the same archive restores.
        kept = {**rotated, "KOLLEGA_DATA_KEYS": f"{new},{TEST_DATA_KEYS[0]}"}
        again = _kollega(kept, "restore", "--force", str(archive))
        assert again.returncode == 0, again.stderr
        assert "Restored" in again.stdout
    finally:
        drop()


def test_it_prints_the_fingerprints_of_the_configured_keys(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    done = _kollega(
        _machine(folder, f"sqlite:///{folder / 'db.sqlite3'}"), "restore", "--key-fingerprints"
    )
    assert done.returncode == 0, done.stderr
    assert f"key 1: {key_fingerprint(TEST_DATA_KEYS[0])}" in done.stdout
