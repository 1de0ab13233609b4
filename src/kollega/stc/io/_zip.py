"""Reading zip members (``.qdpx``, ``.docx``) with a limit on what they expand to.

A zip member's declared size can lie and a small archive can expand a thousandfold, so
members are decompressed in chunks and counted: memory stays within the limit, and an
oversized member is refused with a clear error as soon as it passes it.
"""

from __future__ import annotations

import zipfile

from kollega.stc.errors import StcFormatError

CHUNK = 1024 * 1024


def read_member(zf: zipfile.ZipFile, name: str, *, limit: int, label: str = "") -> bytes:
    """The bytes of member ``name``; StcFormatError when it expands past ``limit``."""
    what = f"{label}: {name}" if label else name
    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise StcFormatError(f"{what} is missing from the archive") from exc
    if info.file_size > limit:
        raise StcFormatError(_too_large(what, limit))
    parts: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise StcFormatError(_too_large(what, limit))
                parts.append(chunk)
    except StcFormatError:
        raise
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as exc:
        raise StcFormatError(f"cannot unpack {what}: {exc}") from exc
    except Exception as exc:  # zlib.error and friends from corrupt members
        raise StcFormatError(f"cannot unpack {what}: {type(exc).__name__}") from exc
    return b"".join(parts)


def check_expanded(zf: zipfile.ZipFile, *, member_limit: int, total_limit: int, label: str) -> None:
    """Refuse an archive whose members expand past either limit, without keeping them.

    Declared sizes are checked first (cheap); then every member is decompressed and
    counted, since the declared sizes may lie.
    """
    infos = zf.infolist()
    declared = 0
    for info in infos:
        declared += info.file_size
        if info.file_size > member_limit:
            raise StcFormatError(_too_large(f"{label}: {info.filename}", member_limit))
        if declared > total_limit:
            raise StcFormatError(_too_large(label, total_limit))
    total = 0
    for info in infos:
        size = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > member_limit:
                        raise StcFormatError(_too_large(f"{label}: {info.filename}", member_limit))
                    if total > total_limit:
                        raise StcFormatError(_too_large(label, total_limit))
        except StcFormatError:
            raise
        except Exception as exc:  # corrupt members raise zlib, zipfile and OS errors
            raise StcFormatError(f"{label}: cannot unpack {info.filename} ({exc})") from exc


def _too_large(what: str, limit: int) -> str:
    return f"{what} expands to more than {limit // (1024 * 1024)} MB; refusing to read it"
