"""Canaries and the places a sweep looks for them.

A canary is a unique string typed into one field. `stored_bytes()` gathers every place where
personal data could leak in clear: the SQLite file with its WAL and shared-memory files and
everything else under var/ (file storage, cache), a `pg_dump` when the database is PostgreSQL,
the task tables (the database backend's rows, every Redis key when RQ is used).
`decrypted_texts()` reads every encrypted column through the application, to prove that a
canary reached the database at all and, after deletion, that it is gone for real.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection

from kollega.core.fields import EncryptedTextField


class Canaries:
    def __init__(self) -> None:
        self.by_field: dict[str, str] = {}

    def text(self, field: str) -> str:
        value = f"Kanari{field.title().replace('_', '')}{secrets.token_hex(6)}"
        self.by_field[field] = value
        return value

    def word(self, field: str) -> str:
        """A lower-case word of letters only, which survives tokenising as one word."""
        value = "kanari" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
        self.by_field[field] = value
        return value

    def email(self, field: str) -> str:
        value = f"kanari.{secrets.token_hex(6)}@example.invalid"
        self.by_field[field] = value
        return value

    def phone(self, field: str) -> str:
        digits = "".join(secrets.choice("0123456789") for _ in range(8))
        value = f"+47 ({digits[:2]}) {digits[2:5]}-{digits[5:]}"
        self.by_field[field] = value
        return value

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.by_field.items())


def _var_files() -> dict[str, bytes]:
    found = {}
    for path in sorted(Path(settings.VAR_DIR).rglob("*")):
        if path.is_file():
            found[f"var/{path.relative_to(settings.VAR_DIR)}"] = path.read_bytes()
    return found


def checkpoint_sqlite() -> None:
    """Fold the WAL into the database file, as SQLite does on its own from time to time."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _pg_dump() -> bytes:
    params = connection.get_connection_params()
    env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
    command = ["pg_dump", "--no-owner", "--dbname", str(params.get("dbname") or params["database"])]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout


def _task_tables() -> bytes:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.values(
        "args_kwargs", "return_value", "traceback", "exception_class_path"
    )
    return json.dumps(list(rows), default=str, ensure_ascii=False).encode()


def _redis_keys() -> bytes:
    if not os.environ.get("REDIS_URL"):
        return b""
    import django_rq

    redis = django_rq.get_connection()
    parts: list[bytes] = []
    for key in redis.scan_iter():
        kind = redis.type(key)
        if kind == b"string":
            values = [redis.get(key) or b""]
        elif kind == b"hash":
            values = [v for pair in redis.hgetall(key).items() for v in pair]
        elif kind == b"list":
            values = redis.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(redis.smembers(key))
        elif kind == b"zset":
            values = redis.zrange(key, 0, -1)
        else:
            values = []
        for value in [key, *values]:
            parts.append(value)
            with contextlib.suppress(zlib.error):  # RQ keeps a job's call compressed
                parts.append(zlib.decompress(value))
    return b"\n".join(parts)


def stored_bytes() -> dict[str, bytes]:
    """Every place a canary must never appear in clear, by name."""
    places = _var_files()
    if connection.vendor == "postgresql":
        places["pg_dump"] = _pg_dump()
    places["task table"] = _task_tables()
    places["redis"] = _redis_keys()
    return places


def sent_mail() -> str:
    """Subjects, bodies and headers of sent mail, recipients apart."""
    return "\n".join(
        f"{m.subject}\n{m.body}\n{m.from_email}\n{m.extra_headers}" for m in mail.outbox
    )


def decrypted_texts() -> str:
    """Every encrypted value in the database, decrypted by the application."""
    texts = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            for row in model._default_manager.values_list(*names):
                texts.extend(str(value) for value in row if value)
    return "\n".join(texts)


def ciphertexts_of(canaries: Canaries) -> Canaries:
    """The stored (encrypted) values whose clear text holds a canary, as canaries themselves
    named "ciphertext of <canary> @<table>.<column>" (one per column that holds it): after
    deletion not even the ciphertext may remain (SQLite's secure_delete, no dead rows in a
    dump)."""
    from kollega.core import crypto

    found = Canaries()
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, EncryptedTextField):
                continue
            table, column = model._meta.db_table, field.column
            with connection.cursor() as cursor:
                quote = connection.ops.quote_name
                cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
                stored = [row[0] for row in cursor.fetchall() if row[0]]
            for token in stored:
                clear = crypto.decrypt_str(token)
                for name, value in canaries:
                    if value in clear:
                        found.by_field[f"ciphertext of {name} @{table}.{column}"] = token
    return found


def canary_of(ciphertext_name: str) -> str:
    """The canary a name made by `ciphertexts_of` stands for."""
    return ciphertext_name.removeprefix("ciphertext of ").split(" @", 1)[0]


def leaks(canaries: Canaries, places: dict[str, bytes | str]) -> list[str]:
    found = []
    for field, value in canaries:
        needle = value.encode()
        for place, content in places.items():
            data = content.encode() if isinstance(content, str) else content
            if needle in data:
                found.append(f"{field} ({value}) in {place}")
    return found


def run_queued_tasks() -> None:
    """Run what the web pages queued, with the worker of the configured backend."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_rq"):
        from django_rq import get_queue
        from django_tasks_rq import Job
        from rq import SimpleWorker

        queue = get_queue("default", job_class=Job)
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    elif backend.startswith("django_tasks_db"):
        import io

        from django.core.management import call_command

        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO()
        )
