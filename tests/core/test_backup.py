"""`kollega backup` and `kollega restore`: an encrypted archive restored on a fresh machine."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from kollega.core.backup import extract_archive
from kollega.research import actions as research
from kollega.research.models import Recording
from kollega.service import actions as service
from kollega.service.models import Case
from tests.cast import Cast

REPO = Path(__file__).resolve().parents[2]
BACKUP_KEY = "k1P0b2uYvK8mR2rE7pXq4cW6tNfZ9hJdLsAo3gUiyVQ="
DESCRIPTION = "Backup canary: I have slept badly since the night shift in March."
EMAIL = "backup-canary@example.invalid"


def snapshot() -> str:
    """Every row of every model as Django reads it (encrypted fields decrypted), and the
    SHA-256 of each recording's decrypted audio, as JSON."""
    rows: dict[str, Any] = {}
    for model in apps.get_models():
        if not model._meta.managed:
            continue  # no table of its own (django_rq's dashboard on the Redis pass)
        fields = [field.attname for field in model._meta.concrete_fields]
        rows[model._meta.label] = [
            list(values) for values in model._default_manager.order_by("pk").values_list(*fields)
        ]
    rows["audio"] = [
        hashlib.sha256(research.recording_bytes(recording)).hexdigest()
        for recording in Recording.objects.order_by("pk")
    ]
    return json.dumps(rows, default=str, sort_keys=True)


def _make_data(cast: Cast, tone: bytes) -> Recording:
    service.do_submit_request(
        category="coping", description=DESCRIPTION, contact_method="email", contact_email=EMAIL
    )
    owner = cast.researcher.user
    study = research.do_create_study(owner, title="Backup study", aims="", language="nb")
    participant = research.do_add_participant(owner, study, pseudonym="P01")
    interview = research.do_create_interview(
        owner, participant, kind="first", scheduled_on=None, language="nb"
    )
    upload = SimpleUploadedFile("interview.wav", tone, content_type="audio/wav")
    return research.do_store_recording(owner, interview, upload)


def _tone() -> bytes:
    from tests.research.conftest import tone_wav

    return tone_wav(1.0)


def _machine(folder: Path, database_url: str) -> dict[str, str]:
    """The environment of another machine: its own database and file storage, the same keys."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        KOLLEGA_VAR_DIR=str(folder),
        KOLLEGA_MEDIA_ROOT=str(folder / "files"),
        DATABASE_URL=database_url,
        KOLLEGA_BACKUP_KEY=BACKUP_KEY,
        KOLLEGA_DATA_KEYS=",".join(settings.KOLLEGA_DATA_KEYS),
        SECRET_KEY=settings.SECRET_KEY,
    )
    return env


def _kollega(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kollega.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _snapshot_on(env: dict[str, str]) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tests.core.test_backup import snapshot; "
            "print(snapshot())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def _fresh_database(tmp_path: Path) -> tuple[str, Any]:
    """A database URL on an empty database of the configured engine, and a function that drops it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh' / 'kollega.sqlite3'}", lambda: None
    import psycopg

    name = f"kollega_restore_{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    user = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{user}{db['HOST']}:{db['PORT'] or 5432}/{name}", drop


@pytest.mark.db_services
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_on_a_fresh_machine(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = _make_data(cast, _tone())
    monkeypatch.setenv("KOLLEGA_BACKUP_KEY", BACKUP_KEY)
    archive = tmp_path / "kollega.kbak"
    call_command("backup", str(archive))

    data = archive.read_bytes()
    assert b"SQLite format 3" not in data and b"PGDMP" not in data
    assert DESCRIPTION.encode() not in data and EMAIL.encode() not in data
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    url, drop = _fresh_database(tmp_path)
    try:
        fresh = _machine(tmp_path / "fresh", url)
        done = _kollega(fresh, "restore", str(archive))
        assert done.returncode == 0, done.stderr
        assert "Restored" in done.stdout

        # The same rows, the encrypted ones still decrypting, and the same recording file.
        assert _snapshot_on(fresh) == snapshot()
        restored = tmp_path / "fresh" / "files" / recording.file.name
        assert restored.read_bytes() == Path(recording.file.path).read_bytes()
        assert Case.objects.get().contact_email == EMAIL

        again = _kollega(fresh, "restore", str(archive))
        assert again.returncode != 0
        assert "not empty" in again.stderr
        forced = _kollega(fresh, "restore", "--force", str(archive))
        assert forced.returncode == 0, forced.stderr
        assert _snapshot_on(fresh) == snapshot()
    finally:
        drop()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_wrong_key_and_an_altered_archive(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.do_submit_request(category="coping", description=DESCRIPTION)
    monkeypatch.setenv("KOLLEGA_BACKUP_KEY", BACKUP_KEY)
    archive = tmp_path / "kollega.kbak"
    call_command("backup", str(archive))
    fresh = _machine(tmp_path / "fresh", f"sqlite:///{tmp_path / 'fresh' / 'db.sqlite3'}")

    wrong = _kollega(
        {**fresh, "KOLLEGA_BACKUP_KEY": Fernet.generate_key().decode()}, "restore", str(archive)
    )
    assert wrong.returncode != 0
    assert "cannot be decrypted" in wrong.stderr

    altered = tmp_path / "altered.kbak"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    refused = _kollega(fresh, "restore", str(altered))
    assert refused.returncode != 0
    assert "altered" in refused.stderr

    cut = tmp_path / "cut.kbak"
    cut.write_bytes(archive.read_bytes()[:-100])
    assert _kollega(fresh, "restore", str(cut)).returncode != 0
    # The refused restores wrote nothing on the fresh machine.
    fresh_db = tmp_path / "fresh" / "db.sqlite3"
    if fresh_db.exists():
        with sqlite3.connect(fresh_db) as check:
            assert check.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    assert not (tmp_path / "fresh" / "files").exists()


@pytest.mark.django_db
def test_backup_needs_its_key_and_leaves_no_partial_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOLLEGA_BACKUP_KEY", raising=False)
    monkeypatch.delenv("KOLLEGA_BACKUP_KEY_FILE", raising=False)
    archive = tmp_path / "kollega.kbak"
    with pytest.raises(CommandError, match="KOLLEGA_BACKUP_KEY is not set"):
        call_command("backup", str(archive))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_backup_refuses_to_replace_an_archive_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOLLEGA_BACKUP_KEY", BACKUP_KEY)
    archive = tmp_path / "kollega.kbak"
    archive.write_bytes(b"an older archive")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive))
    assert archive.read_bytes() == b"an older archive"


def _tar_stream(*members: tuple[str, bytes | None]) -> io.BytesIO:
    """An uncompressed tar stream of files (bytes) and, for None, a symbolic link to /etc."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w|") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


@pytest.fixture(params=["filter", "python-3.11.2"])
def tar_python(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with this Python's tarfile and with one like Debian 12's 3.11.2, which
    has no extraction filters (extractall(filter=...) is a TypeError there)."""
    if request.param == "python-3.11.2":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
        extractall = tarfile.TarFile.extractall

        def old_extractall(self: tarfile.TarFile, *args: Any, **kwargs: Any) -> None:
            if "filter" in kwargs:
                raise TypeError("extractall() got an unexpected keyword argument 'filter'")
            extractall(self, *args, **kwargs)

        monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)
    return str(request.param)


def test_a_restore_extracts_the_archive_on_every_python(tar_python: str, tmp_path: Path) -> None:
    stream = _tar_stream(("manifest.json", b"{}"), ("files/recordings/a.bin", b"\x00" * 10))
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        extract_archive(tar, tmp_path)
    assert (tmp_path / "manifest.json").read_bytes() == b"{}"
    assert (tmp_path / "files" / "recordings" / "a.bin").read_bytes() == b"\x00" * 10


@pytest.mark.parametrize("member", [("../outside", b"x"), ("files/link", None)])
def test_a_restore_refuses_a_member_outside_its_folder_or_a_link(
    tar_python: str, tmp_path: Path, member: tuple[str, bytes | None]
) -> None:
    staged = tmp_path / "staged"
    with (
        tarfile.open(fileobj=_tar_stream(member), mode="r|") as tar,
        pytest.raises(tarfile.TarError),
    ):
        extract_archive(tar, staged)
    assert not (tmp_path / "outside").exists() and not (staged / "files" / "link").exists()


def test_a_restore_writes_an_absolute_name_inside_its_folder_or_not_at_all(
    tar_python: str, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    with (
        tarfile.open(fileobj=_tar_stream((str(outside), b"x")), mode="r|") as tar,
        contextlib.suppress(tarfile.TarError),
    ):
        extract_archive(tar, tmp_path / "staged")
    assert not outside.exists()
