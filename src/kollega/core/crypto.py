"""Authenticated encryption for personal data at rest.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under the
first key in KOLLEGA_DATA_KEYS; every listed key can decrypt, so keys rotate by putting a new
key first, running `kollega rotate-data-keys`, then dropping the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "KOLLEGA_DATA_KEYS must hold url-safe base64 Fernet keys of 32 bytes; "
            "make one with: kollega make-data-key"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.KOLLEGA_DATA_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError("stored data cannot be decrypted with the configured keys") from None


def encrypt_str(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


def rotate_token(token: bytes) -> bytes:
    """The same clear data, encrypted again under the first key."""
    try:
        return fernet().rotate(token)
    except InvalidToken:
        raise DecryptionError("stored data cannot be decrypted with the configured keys") from None


# Apps that keep encrypted data outside encrypted columns (files) register a function that
# re-encrypts it under the first key and returns how many items it rewrote.
_ROTATORS: list[Callable[[], int]] = []


def register_rotator(rotate: Callable[[], int]) -> None:
    if rotate not in _ROTATORS:
        _ROTATORS.append(rotate)


def rotators() -> list[Callable[[], int]]:
    return list(_ROTATORS)
