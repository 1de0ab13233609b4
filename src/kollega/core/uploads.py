"""Checks on uploaded files that apply whatever the format."""

from __future__ import annotations

import zipfile
from typing import Any

from django.utils.translation import gettext as _

from kollega.core.errors import ActionRefused


def refuse_expanding_archive(upload: Any, *, max_mb: int) -> None:
    """Refuse a ZIP-based upload (.docx, .qdpx, …) that would unpack to more than `max_mb`.

    Only the archive's directory is read, never its contents. Python's zipfile stops reading a
    member at the size its directory declares, so a member that lies about its size cannot
    unpack past the limit either. Files that are not ZIP archives pass unchanged.
    """
    upload.seek(0)
    try:
        if not zipfile.is_zipfile(upload):
            return
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not readable as an archive: the format's reader gives its own message
    finally:
        upload.seek(0)
    if unpacked > max_mb * 1024 * 1024:
        raise ActionRefused(
            _("The file unpacks to more than %(limit)d MB, far more than any file of its kind.")
            % {"limit": max_mb}
        )
