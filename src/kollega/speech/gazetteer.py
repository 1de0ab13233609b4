"""Word lists kept as package data (``kollega/speech/data/*.txt``), loaded once on first use."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files


@cache
def words(name: str) -> frozenset[str]:
    """The entries of ``data/<name>.txt``: one per line, ``#`` comments and blanks skipped."""
    text = files("kollega.speech").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.strip() for line in text.splitlines())
    return frozenset(e for e in entries if e and not e.startswith("#"))


@cache
def pattern(name: str) -> re.Pattern[str]:
    """A case-sensitive regex matching any entry of ``data/<name>.txt`` as whole words."""
    alternatives = sorted(words(name), key=len, reverse=True)
    body = "|".join(re.escape(entry) for entry in alternatives)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
