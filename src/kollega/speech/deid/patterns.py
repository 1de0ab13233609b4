"""The regular expressions and word lists the identifier detectors match with."""

from __future__ import annotations

import re

from kollega.speech.types import FindingKind

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
