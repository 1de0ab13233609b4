"""Offsets carried through a transcript edit (:mod:`kollega.stc.offsets`, pure)."""

from __future__ import annotations

from kollega.stc.offsets import TextEdit, diff_texts

__all__ = ["TextEdit", "diff_texts"]
