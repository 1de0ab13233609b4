"""Find words and phrases in a transcript, as a researcher types them: case- and
accent-insensitive, and matching other forms of the same word (Snowball stemmers for
Norwegian and English).

Offsets are into the text exactly as given: each word is found in the original string, with
its combining marks, and only the *copies* of words are normalised for comparison, so a text
in decomposed Unicode (``"e\\u0301"``) or holding emoji gives the same offsets as the
transcript the workbench stores. Nothing is kept between calls: no index of any text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import snowballstemmer

# A word: letters, digits and the combining marks that may follow them (which ``\w`` alone
# would split off).
WORD_CHAR = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
WORD = re.compile(WORD_CHAR + "+")
STEMMERS = {"nb": "norwegian", "nn": "norwegian", "no": "norwegian", "en": "english"}
# Where a sentence ends: its mark, then white space (or the end of the turn).
SENTENCE_END = ".!?…"
MAX_QUERY_WORDS = 12


@dataclass(frozen=True, slots=True)
class Hit:
    """``text[start:end]`` matched the query: from its first word's start to its last's end."""

    start: int
    end: int


def fold(word: str) -> str:
    """The word without case or accents (``"Kafé"`` and ``"kafe\\u0301"`` give ``"kafe"``)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(query: str) -> list[str]:
    """The words of a query, in order (punctuation between them is ignored)."""
    return WORD.findall(query)[:MAX_QUERY_WORDS]


def word_key(language: str) -> Callable[[str], str]:
    """What two words must share to match in ``language``: the Snowball stem of the folded word
    (or the folded word, for a language without a stemmer). Folding first makes "kafé" and
    "kafe" one word; Norwegian's rules still see æ and ø, and å folded to a is still a vowel."""
    name = STEMMERS.get(language.split("-")[0].lower())
    stemmer = snowballstemmer.stemmer(name) if name else None

    def key(word: str) -> str:
        folded = fold(word)
        return str(stemmer.stemWord(folded)) if stemmer is not None else folded

    return key


def find(
    text: str,
    words: Sequence[str],
    *,
    language: str,
    separator: str = "\n\n",
    keys: dict[str, str] | None = None,
) -> list[Hit]:
    """Every place in ``text`` where ``words`` occur in order, one after the other.

    Words match when `word_key` gives them the same key; what lies between two words of a
    phrase (spaces, punctuation) does not count, but a phrase never runs across ``separator``
    (the turn separator). Hits are in text order and do not overlap.

    ``keys`` may carry word keys from one call to the next for texts of the same language
    (one search over several transcripts): the caller drops it when the search is done.

    The steps, so that a long interview is one pass of the regular-expression engine: the
    text's distinct words are collected; those starting with the folded letter of the first
    query word (a stem keeps its word's first letter) are stemmed; the forms that match it
    are searched for as whole words; from each, the phrase's next words are read and compared.
    """
    if not words:
        return []
    key = word_key(language)
    targets = [key(w) for w in words]
    known: dict[str, str] = {} if keys is None else keys

    def key_of(w: str) -> str:
        found = known.get(w)
        if found is None:
            found = known[w] = key(w)
        return found

    initial = fold(words[0][:2])[:1]
    # The folded first letter of each distinct first character, worked out once.
    firsts: dict[str, str] = {}

    def first(w: str) -> str:
        found = firsts.get(w[0])
        if found is None:
            found = firsts[w[0]] = fold(w[0])[:1]
        return found or fold(w[:2])[:1]

    forms = [w for w in set(WORD.findall(text)) if first(w) == initial and key_of(w) == targets[0]]
    if not forms:
        return []
    forms.sort(key=len, reverse=True)
    starts = re.compile(rf"(?<!{WORD_CHAR})(?:{'|'.join(map(re.escape, forms))})(?!{WORD_CHAR})")
    hits: list[Hit] = []
    after = 0
    for m in starts.finditer(text):
        if m.start() < after:
            continue
        end = m.end()
        for target in targets[1:]:
            nxt = WORD.search(text, end)
            if nxt is None or key_of(nxt.group()) != target:
                break
            end = nxt.end()
        else:
            if separator not in text[m.start() : end]:
                hits.append(Hit(m.start(), end))
                after = end
    return hits


def sentence_around(text: str, start: int, end: int, *, within: tuple[int, int]) -> Hit:
    """The sentence(s) holding ``text[start:end]``, inside ``within`` (its turn), trimmed.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by white space; the mark belongs
    to the sentence it ends.
    """
    low, high = within
    a = start
    while a > low and not (text[a - 1].isspace() and text[a - 2 : a - 1] in tuple(SENTENCE_END)):
        a -= 1
    b = end
    while b < high and not (text[b - 1] in SENTENCE_END and text[b].isspace()):
        b += 1
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Hit(a, b)


def in_context(
    text: str, start: int, end: int, *, within: tuple[int, int], width: int = 70
) -> tuple[str, str, str]:
    """Keyword in context: up to ``width`` characters either side of the hit, inside
    ``within``, cut at a word's edge and marked with … where cut."""
    low, high = within
    left_from = max(low, start - width)
    left = text[left_from:start]
    if left_from > low:
        cut = left.find(" ")
        left = "…" + (left[cut + 1 :] if 0 <= cut < len(left) - 1 else left)
    right_to = min(high, end + width)
    right = text[end:right_to]
    if right_to < high:
        cut = right.rfind(" ")
        right = (right[:cut] if cut > 0 else right) + "…"
    return left, text[start:end], right
