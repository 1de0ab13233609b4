"""Upload handlers that leave nothing behind when the disk fills while an upload arrives."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CleanTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, but a write that fails (a full disk) closes and
    so removes the half-written temporary file at once, instead of whenever the request's
    objects are freed."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> Any:
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError:
            self.file.close()  # a NamedTemporaryFile: closing deletes it
            raise
