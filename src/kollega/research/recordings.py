"""Recordings at rest: encrypted in chunks, so that a part of one can be read without the rest.

A recording is stored as a header and a run of chunks, each a Fernet token (the data keys of
``kollega.core.crypto``) over ``CHUNK_BYTES`` of audio::

    MAGIC | clear size (8 bytes) | chunk size (4 bytes) | (token length (4 bytes) | token)*

Each token's clear text starts with its chunk's index and whether it is the last one, so chunks
cannot be reordered, and a file cut short fails at its end instead of playing on. Every full chunk
has the same token length, so the chunk holding byte ``n`` is found by arithmetic and a range
request decrypts only the chunks it covers: at most one chunk (256 KiB clear, 343 KiB token) is
in memory at a time, whatever the recording's size.

Recordings stored before this format are one Fernet token over the whole file. They stay
readable: reading any part of one decrypts the whole file into memory for that request (the
recording's size again, up to ``KOLLEGA_MAX_RECORDING_MB``, for each request the player makes).
``kollega rotate-data-keys`` rewrites them in chunks.
"""

from __future__ import annotations

import base64
import io
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from kollega.core import crypto

MAGIC = b"KOLLEGA-AUDIO-1\n"
CHUNK_BYTES = 256 * 1024
_HEADER = struct.Struct(">QI")
_LENGTH = struct.Struct(">I")
_CHUNK_HEAD = struct.Struct(">QB")
# Fernet: version (1) + time (8) + IV (16) + AES-CBC ciphertext + HMAC (32), base64-encoded.
_FERNET_OVERHEAD = 1 + 8 + 16 + 32


def token_length(clear_bytes: int) -> int:
    """The length of a Fernet token over ``clear_bytes`` bytes of clear text."""
    padded = (clear_bytes // 16 + 1) * 16
    return len(base64.urlsafe_b64encode(bytes(_FERNET_OVERHEAD + padded)))


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def encrypt_to(source: Readable, target: IO[bytes]) -> int:
    """Read ``source`` to its end and write it to ``target`` encrypted in chunks.

    Returns the clear size. Reads and encrypts one chunk at a time.
    """
    fernet = crypto.fernet()
    target.write(MAGIC)
    header_at = target.tell()
    target.write(_HEADER.pack(0, CHUNK_BYTES))
    size = 0
    index = 0
    chunk = source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES) if chunk else b""
        last = not following
        token = fernet.encrypt(_CHUNK_HEAD.pack(index, last) + chunk)
        target.write(_LENGTH.pack(len(token)) + token)
        size += len(chunk)
        index += 1
        if last:
            break
        chunk = following
    target.seek(header_at)
    target.write(_HEADER.pack(size, CHUNK_BYTES))
    target.seek(0, 2)
    return size


def encrypted_file(source: Readable) -> IO[bytes]:
    """``source`` encrypted in chunks, in an anonymous temporary file (rewound)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    encrypt_to(source, out)
    out.seek(0)
    return out


class RecordingUnreadable(crypto.DecryptionError):
    """The stored file is damaged or cannot be decrypted with the configured keys."""


@dataclass
class ClearRecording:
    """Reads parts of a stored recording, decrypting only what a part needs."""

    handle: IO[bytes]
    size: int
    chunk_bytes: int
    # A recording in the earlier format: its whole clear bytes (see the module's note).
    whole: bytes | None = None

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The clear bytes ``start`` to ``end`` inclusive (to the end when None), chunk by chunk."""
        last = self.size - 1 if end is None else min(end, self.size - 1)
        if start > last:
            return
        if self.whole is not None:
            yield self.whole[start : last + 1]
            return
        first_chunk, last_chunk = start // self.chunk_bytes, last // self.chunk_bytes
        for index in range(first_chunk, last_chunk + 1):
            data = self._chunk(index)
            offset = index * self.chunk_bytes
            yield data[max(0, start - offset) : last - offset + 1]

    def as_file(self) -> IO[bytes]:
        """The clear bytes as a file read from the start, decrypted as they are read."""
        return io.BufferedReader(_PiecesReader(self.read()), buffer_size=CHUNK_BYTES)

    def _chunk(self, index: int) -> bytes:
        full = token_length(_CHUNK_HEAD.size + self.chunk_bytes)
        self.handle.seek(len(MAGIC) + _HEADER.size + index * (_LENGTH.size + full))
        (length,) = _LENGTH.unpack(self.handle.read(_LENGTH.size) or bytes(4))
        final = index == max(0, (self.size - 1) // self.chunk_bytes)
        if length == 0 or (not final and length != full) or length > full:
            raise RecordingUnreadable("the recording file is damaged")
        token = self.handle.read(length)
        try:
            clear = crypto.decrypt_bytes(token)
        except crypto.DecryptionError:
            raise RecordingUnreadable("the recording cannot be decrypted") from None
        got_index, is_last = _CHUNK_HEAD.unpack_from(clear)
        if got_index != index or bool(is_last) != final:
            raise RecordingUnreadable("the recording file is damaged")
        return clear[_CHUNK_HEAD.size :]


class Stream:
    """A response body: the parts read, and the stored file closed when the response is,
    whether or not it was read to the end."""

    def __init__(self, parts: Iterator[bytes], handle: IO[bytes]) -> None:
        self._parts = parts
        self._handle = handle

    def __iter__(self) -> Iterator[bytes]:
        return self._parts

    def close(self) -> None:
        self._handle.close()


class _PiecesReader(io.RawIOBase):
    """A readable raw stream over an iterator of byte strings."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            self._left = next(self._pieces, b"")
            if not self._left:
                return 0
        count = min(len(buffer), len(self._left))
        buffer[:count] = self._left[:count]
        self._left = self._left[count:]
        return count


def open_clear(handle: IO[bytes]) -> ClearRecording:
    """A reader over an open stored recording file (either format)."""
    head = handle.read(len(MAGIC) + _HEADER.size)
    if head.startswith(MAGIC):
        size, chunk_bytes = _HEADER.unpack(head[len(MAGIC) :])
        if chunk_bytes <= 0:
            raise RecordingUnreadable("the recording file is damaged")
        return ClearRecording(handle, size, chunk_bytes)
    handle.seek(0)
    try:
        whole = crypto.decrypt_bytes(handle.read())
    except crypto.DecryptionError:
        raise RecordingUnreadable("the recording cannot be decrypted") from None
    return ClearRecording(handle, len(whole), CHUNK_BYTES, whole=whole)


def write_clear(handle: IO[bytes], path: Path) -> None:
    """Decrypt a stored recording into ``path``, a chunk at a time."""
    reader = open_clear(handle)
    with path.open("wb") as out:
        for part in reader.read():
            out.write(part)


# Leading bytes of the audio formats a browser can play, and their media types.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"\xff\xf2", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1aE\xdf\xa3", "audio/webm"),
    (4, b"ftyp", "audio/mp4"),
    (0, b"\xff\xf1", "audio/aac"),
    (0, b"\xff\xf9", "audio/aac"),
)


def media_type(reader: ClearRecording) -> str:
    """The recording's media type, from its first bytes."""
    head = b"".join(reader.read(0, 15))
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    for offset, signature, kind in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return kind
    return "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range a ``Range`` header asks for, or None for the whole file.

    Raises ValueError for a range that cannot be served (416): malformed, backwards, past the
    end, or for an empty file. A unit other than bytes is ignored, as HTTP allows; so is a
    request for several ranges, which is answered with the whole file.
    """
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        raise ValueError("malformed range")
    if any(part and not part.isdigit() for part in (first, last)):
        raise ValueError("malformed range")
    if size == 0:
        raise ValueError("empty file")
    if not first:
        # The last n bytes.
        count = int(last)
        if count == 0:
            raise ValueError("empty suffix")
        return max(0, size - count), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if end < start or start >= size:
        raise ValueError("unsatisfiable range")
    return start, min(end, size - 1)
