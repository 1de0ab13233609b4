"""System checks an operator runs before start (`kollega check --deploy`): the keys can be
used, and the database and Redis answer.

Settings already refuse malformed keys at start-up; the check says the same for settings
changed later (tests) and gathers every fault in one run.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, register


def key_fingerprint(key: str) -> str:
    """A short, public name for a key (the first 12 hex digits of its SHA-256): it says which
    key is meant without saying the key."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:12]


def bad_fernet_keys(keys: list[str]) -> list[int]:
    """The 1-based positions of the keys that are not Fernet keys."""
    bad = []
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            bad.append(position)
    return bad


@register("kollega")
def check_data_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    keys = list(getattr(settings, "KOLLEGA_DATA_KEYS", []))
    if not keys:
        return [Error("KOLLEGA_DATA_KEYS holds no key.", id="kollega.E001")]
    bad = bad_fernet_keys(keys)
    if bad:
        return [
            Error(
                f"KOLLEGA_DATA_KEYS: key {', '.join(map(str, bad))} of {len(keys)} is not a "
                "Fernet key (44 characters of url-safe base64).",
                hint="Make one with: kollega make-data-key",
                id="kollega.E001",
            )
        ]
    return []


@register("kollega", deploy=True)
def check_services_answer(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The database answers a query and, when REDIS_URL is set, Redis answers a ping."""
    # Inside: kollega.settings imports this module, before the database layer may load.
    from django.db import DatabaseError, connection

    errors: list[CheckMessage] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        errors.append(
            Error(
                f"The database does not answer: {str(exc).strip().splitlines()[0]}",
                hint="Check DATABASE_URL and that the database server runs.",
                id="kollega.E002",
            )
        )
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        # Inside: Redis is optional, and its client takes half a second to import.
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3).ping()
        except redis.RedisError as exc:
            errors.append(
                Error(
                    f"Redis does not answer at REDIS_URL: {exc}",
                    hint="Check REDIS_URL and that Redis runs.",
                    id="kollega.E003",
                )
            )
    return errors
