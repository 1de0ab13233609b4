"""The one exception the STC library raises for malformed input."""

from __future__ import annotations

__all__ = ["StcFormatError", "StcImportWarning"]


class StcFormatError(ValueError):
    """Input (a file, JSON, offsets, a reference) is malformed; the message names the problem."""


class StcImportWarning(UserWarning):
    """A file was read, but something in it was dropped or changed; the message says what."""
