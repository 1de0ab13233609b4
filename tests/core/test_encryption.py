"""Personal text is encrypted at rest: not in the database file, not in a dump, and keys rotate."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from kollega.core.crypto import DecryptionError
from tests.settings import TEST_DATA_KEYS
from tests.testapp.models import Note

CANARY = "Canary-Æøå-ferret-7c1e: I cannot sleep before night shifts"
NEW_KEY = "Wk1m6n2m0pG7y3wz8s0pXc7m9v4qf3gWc1o2b5d8e0k="


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM testapp_note WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_it_reads_back_what_was_written() -> None:
    note = Note.objects.create(text=CANARY)
    assert Note.objects.get(pk=note.pk).text == CANARY
    assert CANARY not in _stored(note.pk)


@pytest.mark.django_db
def test_empty_text_stays_empty_without_a_token() -> None:
    note = Note.objects.create(text="")
    assert _stored(note.pk) == ""


@pytest.mark.django_db(transaction=True)
def test_the_clear_text_is_absent_from_the_sqlite_file() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL run checks pg_dump instead")
    Note.objects.create(text=CANARY, label="findable-label")
    connection.close()
    db_file = Path(connection.settings_dict["NAME"])
    raw = db_file.read_bytes() + _wal(db_file)
    assert b"findable-label" in raw, "the test must look at the file that holds the rows"
    assert CANARY.encode() not in raw
    assert b"ferret" not in raw


def _wal(db_file: Path) -> bytes:
    wal = db_file.with_name(db_file.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""


@pytest.mark.django_db(transaction=True)
def test_the_clear_text_is_absent_from_pg_dump() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of .ci/run")
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed to check the PostgreSQL dump")
    Note.objects.create(text=CANARY, label="findable-label")
    settings = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"] or "postgres",
            settings["NAME"],
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "findable-label" in dump
    assert CANARY not in dump
    assert "ferret" not in dump


@pytest.mark.django_db
def test_rotating_keys_keeps_old_rows_readable() -> None:
    old = Note.objects.create(text=CANARY)
    old_token = _stored(old.pk)
    with override_settings(KOLLEGA_DATA_KEYS=[NEW_KEY, *TEST_DATA_KEYS]):
        assert Note.objects.get(pk=old.pk).text == CANARY
        call_command("rotate_data_keys", stdout=io.StringIO())
        assert _stored(old.pk) != old_token
    # After rotation the new key alone reads the row; the old keys alone no longer do.
    with override_settings(KOLLEGA_DATA_KEYS=[NEW_KEY]):
        assert Note.objects.get(pk=old.pk).text == CANARY
    with pytest.raises(DecryptionError):
        Note.objects.get(pk=old.pk)


@pytest.mark.django_db
def test_a_row_under_an_unknown_key_is_refused_not_returned_as_garbage() -> None:
    with override_settings(KOLLEGA_DATA_KEYS=[NEW_KEY]):
        note = Note.objects.create(text=CANARY)
    with pytest.raises(DecryptionError):
        Note.objects.get(pk=note.pk)
