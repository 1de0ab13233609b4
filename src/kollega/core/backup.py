"""Encrypted backups of the database and file storage (`kollega backup` / `kollega restore`).

An archive is a tar stream of ``manifest.json``, the database (SQLite: a copy made with the
online backup API, so it is consistent while the service runs; PostgreSQL: ``pg_dump -Fc``) and
every file in the default storage under ``files/``. The tar stream is encrypted as it is
written, in chunks of at most ``CHUNK`` bytes, each a Fernet token under KOLLEGA_BACKUP_KEY
holding its sequence number and whether it is the last, so a reordered, shortened or altered
archive is refused rather than half restored. The clear database copy exists only in a private
temporary folder (mode 0700) while the archive is written or read.

The key is separate from KOLLEGA_DATA_KEYS: the archive's encrypted columns and recordings stay
encrypted under the data keys inside it, so a restore needs both keys.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import DatabaseError, connections, models
from django.utils import timezone

from kollega.conf import env_secret
from kollega.core.checks import key_fingerprint
from kollega.core.crypto import fernet
from kollega.core.fields import encrypted_fields

FORMAT = "kollega-backup"
VERSION = 1
MAGIC = b"KOLLEGA-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024
_HEADER = struct.Struct(">QB")  # chunk number, 1 when last
_LENGTH = struct.Struct(">I")
KEY_VARIABLE = "KOLLEGA_BACKUP_KEY"


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why, for the operator."""


def backup_key() -> Fernet:
    """The Fernet key from KOLLEGA_BACKUP_KEY (or the file named by KOLLEGA_BACKUP_KEY_FILE)."""
    raw = env_secret(KEY_VARIABLE)
    if not raw:
        raise BackupError(
            f"{KEY_VARIABLE} is not set. Set it (or {KEY_VARIABLE}_FILE) to a Fernet key; "
            "make one with: kollega make-data-key. Keep it apart from the archives."
        )
    try:
        return Fernet(raw.encode())
    except (ValueError, TypeError):
        raise BackupError(f"{KEY_VARIABLE} is not a valid Fernet key.") from None


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given, chunk by chunk, into ``out``."""

    def __init__(self, out: IO[bytes], key: Fernet) -> None:
        self._out = out
        self._key = key
        self._buffer = bytearray()
        self._number = 0
        self._out.write(MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, data: bytes, *, last: bool) -> None:
        token = self._key.encrypt(_HEADER.pack(self._number, int(last)) + data)
        self._out.write(_LENGTH.pack(len(token)) + token)
        self._number += 1

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


class _DecryptingReader(io.RawIOBase):
    """A read-only stream of the clear bytes of an archive written by _EncryptingWriter."""

    def __init__(self, source: IO[bytes], key: Fernet) -> None:
        self._source = source
        self._key = key
        self._buffer = b""
        self._number = 0
        self._done = False
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("This is not a Kollega backup archive.")

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        head = self._source.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise BackupError("The archive is cut short; it cannot be restored.")
        (length,) = _LENGTH.unpack(head)
        token = self._source.read(length)
        try:
            clear = self._key.decrypt(token)
        except InvalidToken:
            raise BackupError(
                f"The archive cannot be decrypted with {KEY_VARIABLE}, or it was altered."
            ) from None
        number, last = _HEADER.unpack(clear[: _HEADER.size])
        if number != self._number:
            raise BackupError("The archive's parts are out of order; it was altered.")
        self._number += 1
        self._done = bool(last)
        self._buffer += clear[_HEADER.size :]
        if self._done and self._source.read(1):
            raise BackupError("The archive has data after its end; it was altered.")

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._done:
            self._next_chunk()
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database, so no password appears in argv."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if db.get(key):
            env[name] = str(db[key])
    return env


def _run(argv: list[str], **kwargs: Any) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is needed and was not found on PATH.")
    done = subprocess.run(argv, env=_pg_environment(), capture_output=True, check=False, **kwargs)  # noqa: S603
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise BackupError(f"{argv[0]} failed: {message}")


def _dump_database(folder: Path) -> Path:
    if _engine() == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # a consistent snapshot, even while others write
        finally:
            copy.close()
            source.close()
        return target
    target = folder / "database.pgdump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)])
    return target


def _storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _storage_files(storage, f"{folder}/{sub}" if folder else sub)


@contextmanager
def _private_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kollega-backup-") as folder:  # mode 0700
        yield Path(folder)


@dataclass
class Summary:
    engine: str
    files: int
    created: str
    missing_files: list[str] = field(default_factory=list)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def write_backup(path: Path) -> Summary:
    """Write an encrypted archive of the database and file storage to ``path``.

    The database is copied first, then the files, so every file a row in the copy refers to is
    in the archive unless it was deleted in between (retention or withdrawal); ``restore``
    names such files. The archive is written next to ``path`` and renamed into place when
    whole, so a failed backup never leaves a file that looks complete.
    """
    key = backup_key()
    engine = _engine()
    storage = default_storage
    partial = path.with_name(path.name + ".partial")
    names: list[str] = []
    created = timezone.now().isoformat()
    try:
        with _private_folder() as folder, partial.open("wb") as out:
            os.chmod(partial, 0o600)
            writer = _EncryptingWriter(out, key)
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                dump = _dump_database(folder)
                tar.add(str(dump), arcname=f"database/{dump.name}")
                dump.unlink()
                for name in _storage_files(storage):
                    try:
                        handle = storage.open(name, "rb")
                    except FileNotFoundError:
                        continue  # deleted since it was listed
                    with handle:
                        info = tarfile.TarInfo(f"files/{name}")
                        info.size = storage.size(name)
                        info.mode = 0o600
                        tar.addfile(info, handle)
                    names.append(name)
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "engine": engine,
                    "created": created,
                    "files": names,
                    "migrations": _applied_migrations(),
                    # Which data keys the rows were readable with, named, never given: a
                    # restore that cannot read them says which key to bring back.
                    "data_keys": [key_fingerprint(key) for key in settings.KOLLEGA_DATA_KEYS],
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            writer.finish()
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(engine=engine, files=len(names), created=created)


_DAILY_NAME = re.compile(r"^kollega-(\d{4})-(\d{2})-(\d{2})\.kbak$")


def daily_archive_name(day: date) -> str:
    return f"kollega-{day:%Y-%m-%d}.kbak"


def archives_to_prune(names: list[str], *, keep_daily: int, keep_monthly: int) -> list[str]:
    """Which of the daily archives in a folder to delete: every one but the newest
    `keep_daily`, and the newest archive of each of the newest `keep_monthly` months.

    Only names written by `kollega backup --daily` (kollega-YYYY-MM-DD.kbak) are considered;
    anything else in the folder is left alone.
    """
    dated = sorted((name for name in names if _DAILY_NAME.match(name)), reverse=True)
    keep = set(dated[:keep_daily])
    months: dict[str, str] = {}
    for name in dated:  # newest first: the first seen in a month is its newest
        months.setdefault(name[len("kollega-") : len("kollega-YYYY-MM")], name)
    keep |= set(sorted(months.values(), reverse=True)[:keep_monthly])
    return [name for name in dated if name not in keep]


def _applied_migrations() -> list[str]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def database_is_empty() -> bool:
    """True when the configured database holds no tables at all (a fresh machine)."""
    connection = connections["default"]
    connection.ensure_connection()
    return not connection.introspection.table_names()


def extract_archive(tar: tarfile.TarFile, into: Path) -> None:
    """Extract a tar stream of regular files and folders under ``into``.

    Raises tarfile.TarError on a member that is anything else (a link, a device) or whose name
    would land outside ``into``. Python's ``filter="data"`` does this where it exists (3.11.4
    and later); Debian 12's Python 3.11.2 has no ``filter``, so there the members are checked
    and written here.
    """
    if hasattr(tarfile, "data_filter"):
        tar.extractall(into, filter="data")
        return
    for member in tar:
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise tarfile.TarError(f"unexpected member {member.name!r}")
        target = into / name
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:
            raise tarfile.TarError(f"unreadable member {member.name!r}")
        with target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)


def read_backup(path: Path, *, force: bool = False) -> Summary:
    """Restore the archive at ``path`` into the configured database and file storage.

    Refuses (BackupError) when the database already holds tables or a file would be replaced,
    unless ``force``; refuses an archive made on the other database engine. The archive is
    decrypted and checked to its end before anything is written.
    """
    key = backup_key()
    engine = _engine()
    if not force and not database_is_empty():
        raise BackupError(
            "The database is not empty. Restore into an empty database, or pass --force to "
            "replace everything in it."
        )
    if not path.is_file():
        raise BackupError(f"No archive at {path}.")
    with _private_folder() as folder:
        staged = folder / "staged"
        with path.open("rb") as source:
            reader = io.BufferedReader(_DecryptingReader(source, key), CHUNK)
            try:
                with tarfile.open(fileobj=reader, mode="r|") as tar:
                    extract_archive(tar, staged)
                # The tar stream ends before the encryption does; read to the last chunk.
                while reader.read(CHUNK):
                    pass
            except tarfile.TarError as exc:
                raise BackupError(f"The archive is damaged: {exc}") from None
        manifest = _manifest(staged)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This archive holds a {manifest['engine']} database; the configured database "
                f"is {engine}. Restore it on the same kind of database."
            )
        files = [str(name) for name in manifest["files"]]
        storage = default_storage
        if not force:
            clashes = [name for name in files if storage.exists(name)]
            if clashes:
                raise BackupError(
                    f"File storage already holds {clashes[0]}; pass --force to replace it."
                )
        if engine == "sqlite":
            # Read the archive's own copy: a wrong key is refused before anything is written.
            copy = sqlite3.connect(str(staged / "database" / "database.sqlite3"))
            try:
                _refuse_unreadable(lambda sql: copy.execute(sql).fetchall(), manifest)
            finally:
                copy.close()
            _restore_database(staged / "database", engine, force=force)
        else:
            # pg_dump's archive can only be read by restoring it: check what was restored.
            _restore_database(staged / "database", engine, force=force)
            _refuse_unreadable(_django_query, manifest, restored=True)
        if force:
            # Everything is replaced: files the archive does not hold would be orphans.
            for name in set(_storage_files(storage)) - set(files):
                storage.delete(name)
        for name in files:
            if storage.exists(name):
                storage.delete(name)
            with (staged / "files" / name).open("rb") as handle:
                stored = storage.save(name, File(handle))
            if stored != name:
                raise BackupError(f"File storage stored {name} as {stored}.")
    return Summary(
        engine=engine,
        files=len(files),
        created=str(manifest["created"]),
        missing_files=_missing_files(),
    )


SAMPLE = 20  # encrypted values read per column


def _django_query(sql: str) -> list[tuple[Any, ...]]:
    with connections["default"].cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def unreadable_columns(query: Any) -> dict[str, int]:
    """Encrypted columns holding values the configured KOLLEGA_DATA_KEYS cannot decrypt.

    Reads up to SAMPLE stored values of every encrypted column of every model, through
    ``query(sql)`` (the archive's SQLite copy or the restored database); returns, per
    "app.Model.field", how many of them could not be decrypted. A column whose table the
    archive does not have (an older version) is passed over.
    """
    keys = fernet()
    failed: dict[str, int] = {}
    for model in apps.get_models():
        for encrypted in encrypted_fields(model):
            table, column = model._meta.db_table, encrypted.column
            # Names from the models' own metadata, no outside input.
            sql = f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\' LIMIT {SAMPLE}'  # noqa: S608
            try:
                rows = query(sql)
            except (sqlite3.Error, DatabaseError):
                continue
            bad = 0
            for (value,) in rows:
                token = value.encode("ascii") if isinstance(value, str) else bytes(value)
                try:
                    keys.decrypt(token)
                except InvalidToken:
                    bad += 1
            if bad:
                failed[f"{model._meta.label}.{encrypted.name}"] = bad
    return failed


def _refuse_unreadable(query: Any, manifest: dict[str, Any], *, restored: bool = False) -> None:
    """Raise BackupError, naming the keys, when the archive's data cannot be decrypted."""
    failed = unreadable_columns(query)
    if not failed:
        return
    configured = [key_fingerprint(key) for key in settings.KOLLEGA_DATA_KEYS]
    written_with = [str(name) for name in manifest.get("data_keys", [])]
    missing = [name for name in written_with if name not in configured]
    where = ", ".join(f"{name} ({count})" for name, count in sorted(failed.items()))
    message = (
        "The archive's encrypted data cannot be decrypted with the configured "
        f"KOLLEGA_DATA_KEYS (key fingerprints: {', '.join(configured)}); unreadable values "
        f"in {where}. "
    )
    if missing:
        message += (
            "The archive was written while KOLLEGA_DATA_KEYS held the keys with fingerprints "
            f"{', '.join(written_with)}; add the missing key(s) {', '.join(missing)} to "
            "KOLLEGA_DATA_KEYS (after the current ones) and restore again. "
        )
    else:
        message += "Add the key the archive was written with to KOLLEGA_DATA_KEYS. "
    message += (
        "(`kollega restore --key-fingerprints` prints the fingerprints of the keys you hold.) "
    )
    if restored:
        message += (
            "The database was restored but cannot be read: restore again with --force once "
            "the keys are set."
        )
    else:
        message += "Nothing was restored."
    raise BackupError(message)


def _manifest(staged: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((staged / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("The archive has no readable manifest.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("The archive was written by an unknown version of Kollega.")
    return dict(manifest)


def _restore_database(folder: Path, engine: str, *, force: bool) -> None:
    connections.close_all()
    if engine == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(folder / "database.sqlite3"))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # replaces every page, WAL included
        finally:
            copy.close()
            source.close()
        target.chmod(0o600)
        return
    argv = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        argv += ["--clean", "--if-exists"]
    else:
        argv += ["--single-transaction"]
    argv += ["--dbname", _pg_environment().get("PGDATABASE", "postgres")]
    _run([*argv, str(folder / "database.pgdump")])


def _missing_files() -> list[str]:
    """Names that restored rows refer to but that file storage does not hold."""
    missing = []
    for model in apps.get_models():
        file_fields = [f for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        for file_field in file_fields:
            names = model._default_manager.exclude(**{file_field.name: ""}).values_list(
                file_field.name, flat=True
            )
            missing += [name for name in names if not file_field.storage.exists(name)]
    return missing
