"""Text helpers: speaker turns, sentences with offsets, keywords (English and Bokmål)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from kollega.stc.types import Transcript, Turn

__all__ = [
    "INTERVIEWER_LABELS",
    "STOPWORDS",
    "keywords",
    "parse_turns",
    "participant_turns",
    "sentences",
    "words",
]

# Labels that mark the interviewer's turns; compared case-insensitively.
INTERVIEWER_LABELS = frozenset(
    {"i", "int", "interviewer", "intervjuer", "intervjuar", "forsker", "researcher", "q"}
)

# "Speaker: text" (a name that starts with a letter, at most 40 characters) or "[id] text".
_TURN_RE = re.compile(
    r"^[ \t]*(?:\[(?P<id>[^\]\n]{1,40})\][ \t]*|(?P<name>[^\W\d_][^:\n]{0,39}):[ \t]+)",
    re.MULTILINE,
)
_SENT_END_RE = re.compile(r"[.!?…]+[\"»”')\]]*(?=\s)|\n\s*\n|\n")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")  # noqa: RUF001 - typographic apostrophe


def parse_turns(text: str) -> list[Turn]:
    """Find speaker turns in ``Speaker: text`` or ``[id] text`` form.

    A turn runs from after its label to the next label (trailing blank space excluded).
    Text without any label gives one turn per paragraph with an empty speaker.
    """
    marks = list(_TURN_RE.finditer(text))
    turns: list[Turn] = []
    if not marks:
        for m in re.finditer(r"[^\n](?:[^\n]|\n(?!\s*\n))*", text):
            start, end = _strip(text, m.start(), m.end())
            if end > start:
                turns.append(Turn(speaker="", start=start, end=end))
        return turns
    for i, m in enumerate(marks):
        speaker = (m.group("id") or m.group("name") or "").strip()
        stop = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        start, end = _strip(text, m.end(), stop)
        turns.append(Turn(speaker=speaker, start=start, end=max(start, end)))
    return turns


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def participant_turns(
    transcript: Transcript, *, interviewer_labels: Iterable[str] = INTERVIEWER_LABELS
) -> list[Turn]:
    """The turns not spoken by an interviewer (all turns when none are labelled)."""
    skip = {s.lower() for s in interviewer_labels}
    turns = transcript.turns or [Turn(speaker="", start=0, end=len(transcript.text))]
    return [t for t in turns if t.speaker.lower() not in skip]


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ranges ``(start, end)`` within ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    pos = start
    for m in _SENT_END_RE.finditer(text, start, end):
        s, e = _strip(text, pos, m.end())
        if e > s:
            out.append((s, e))
        pos = m.end()
    s, e = _strip(text, pos, end)
    if e > s:
        out.append((s, e))
    return out


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text)]


STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "few",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "i'd",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "just",
        "know",
        "like",
        "me",
        "more",
        "most",
        "much",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "really",
        "right",
        "same",
        "she",
        "should",
        "so",
        "some",
        "something",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "think",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "yeah",
        "yes",
        "you",
        "your",
        "maybe",
        "mean",
        "lot",
        "kind",
        "sort",
        "sure",
        "okay",
        "ok",
        "um",
        "uh",
        "erm",
        "og",
        "i",
        "jeg",
        "det",
        "at",
        "en",
        "et",
        "den",
        "til",
        "er",
        "som",
        "på",
        "de",
        "med",
        "han",
        "av",
        "ikke",
        "der",
        "så",
        "var",
        "meg",
        "seg",
        "men",
        "ett",
        "har",
        "om",
        "vi",
        "min",
        "mitt",
        "ha",
        "hadde",
        "hun",
        "nå",
        "over",
        "da",
        "ved",
        "fra",
        "du",
        "ut",
        "sin",
        "dem",
        "oss",
        "opp",
        "man",
        "kan",
        "hans",
        "hvor",
        "eller",
        "hva",
        "skal",
        "selv",
        "sjøl",
        "her",
        "alle",
        "vil",
        "bli",
        "ble",
        "blitt",
        "kunne",
        "inn",
        "når",
        "være",
        "kom",
        "noen",
        "noe",
        "ville",
        "dere",
        "deres",
        "kun",
        "ja",
        "etter",
        "ned",
        "skulle",
        "denne",
        "for",
        "deg",
        "si",
        "sine",
        "sitt",
        "mot",
        "å",
        "meget",
        "hvorfor",
        "dette",
        "disse",
        "uten",
        "hvordan",
        "ingen",
        "din",
        "ditt",
        "blir",
        "samme",
        "hvilken",
        "hvilke",
        "sånn",
        "inni",
        "mellom",
        "vår",
        "hver",
        "hvem",
        "vors",
        "hvis",
        "både",
        "bare",
        "enn",
        "fordi",
        "før",
        "mange",
        "også",
        "slik",
        "vært",
        "båe",
        "begge",
        "siden",
        "dykk",
        "dykkar",
        "dei",
        "deira",
        "deires",
        "deim",
        "di",
        "då",
        "eg",
        "ein",
        "eit",
        "eitt",
        "elles",
        "honom",
        "hjå",
        "ho",
        "hoe",
        "henne",
        "hennar",
        "hennes",
        "hoss",
        "hossen",
        "ikkje",
        "ingi",
        "inkje",
        "korleis",
        "korso",
        "kva",
        "kvar",
        "kvarhelst",
        "kven",
        "kvi",
        "kvifor",
        "me",
        "medan",
        "mi",
        "mine",
        "mykje",
        "no",
        "nokon",
        "noka",
        "nokor",
        "noko",
        "nokre",
        "si",
        "sia",
        "sidan",
        "so",
        "somt",
        "somme",
        "um",
        "upp",
        "vere",
        "vore",
        "verte",
        "vort",
        "varte",
        "vart",
        "litt",
        "veldig",
        "liksom",
        "egentlig",
        "jo",
        "nok",
        "mye",
        "helt",
        "ganske",
        "tror",
        "synes",
        "syns",
        "sa",
        "sier",
        "får",
        "fikk",
        "gjøre",
        "gjorde",
        "gjør",
        "går",
        "gikk",
        "ting",
        "mer",
        "enda",
        "altså",
    ]
)


def keywords(docs: Sequence[str], *, background: Sequence[str] = (), top: int = 4) -> list[str]:
    """The ``top`` words most typical of ``docs`` relative to ``background`` (c-TF-IDF style)."""
    fg = Counter(w for d in docs for w in words(d) if w not in STOPWORDS and len(w) > 2)
    bg = Counter(w for d in background for w in words(d) if w not in STOPWORDS and len(w) > 2)
    n_fg = sum(fg.values()) or 1
    n_bg = sum(bg.values()) or 1

    def score(w: str) -> float:
        return float((fg[w] / n_fg) / ((bg[w] + 1) / n_bg) * fg[w] ** 0.5)

    ranked = sorted(fg, key=lambda w: (-score(w), w))
    return ranked[:top]
