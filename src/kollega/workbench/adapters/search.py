"""Words and phrases found in a transcript (:mod:`kollega.stc.search`, pure)."""

from __future__ import annotations

from kollega.stc.search import Hit, find, in_context, query_words, sentence_around

__all__ = ["Hit", "find", "in_context", "query_words", "sentence_around"]
