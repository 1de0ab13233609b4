"""Text helpers: speaker turns, sentences with offsets, keywords (English and Bokmål)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from kollega.stc.types import Transcript, Turn

__all__ = [
    "INTERVIEWER_LABELS",
    "STOPWORDS",
    "STOPWORDS_EN",
    "STOPWORDS_NB",
    "class_tfidf_labels",
    "class_tfidf_phrases",
    "keywords",
    "parse_turns",
    "participant_turns",
    "sentence_language",
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


_BASE_EN = frozenset(
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
    ]
)
_BASE_NB = frozenset(
    [
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


# Further function words, fillers and frequent verbs and adverbs of spoken English and
# Norwegian (Bokmål and Nynorsk) that say nothing about a theme.
_MORE_EN = """
able across actually afterwards ago ahead almost along already although always among
another anybody anyone anything anyway anywhere around away back became become becomes
began behind believe below beside besides best better between beyond big came come
comes coming completely couple day days definitely different does doesn't done dont
else end ended ending enough especially etc every everybody everyone everything
exactly example expected far felt find first five four further gave give given gives
giving go goes going gone good gonna great guess half happen happened hardly he'd he's
hence however i'll i've inside instead isn't itself keep kept knew known last least
less let let's little long look looked looking made make makes making many may might
mine mostly must myself need needed needs never new next nine nobody none nothing
obviously often one ones onto others otherwise ourselves outside part particular
perhaps please point pretty probably put quite rather said saw say saying says second
see seem seemed seems seen several shall shan't she's show since six somebody someone
somehow sometimes somewhere soon start started still stuff suppose take taken takes
taking tell ten tend than thank thanks that'll their theirs themselves thereafter
therefore they'd they'll they're they've third though thought three time times
together told took toward towards tried tries truly try trying twice two unless upon
us use used using usually various want wanted wants wasn't way ways we'd we'll we're
we've went weren't whatever whenever whether whole whose within without won't wonder
word words work worked works yet you'd you'll you're you've yourself yourselves
"""
_MORE_NB = """
absolutt akkurat aldri alltid allerede andre annen annet antakelig bak bakover begynte
begynner bestandig bort borte dag dagen dager del delen dessuten derfor dit egen eget
egne eksempel eller ellers én eneste engang ennå et etterpå faktisk fem femte fire
fjerde flere fleste fortsatt fram framover frem først første gang ganger gi ginge gir
gitt gjennom gjerne gode godt greit gått hele heller helst hende hendte hos hvert
hvilket hvorfor igjen igjennom imens imidlertid innen innimellom jaja jeg jo kanskje
klart kommer komme kommet la lagt lang lenge lenger liten lite lot må måtte mens mest
middels mindre minst mulig nei neste nesten nettopp nok noensinne nokså ny nye også
ofte omtrent oppe ordentlig over på plutselig rett rundt sagt samtidig satt se seks
sett ser sett sist siste sju skjedde skjer skikkelig slags snart som sted står sto
stor store svært sånt tatt ta tar tenke tenker tenkte ti tid tida tiden tidligere
til tilbake tja to tre tredje tross uansett under veit vet vel vise viste visst
vanligvis vår våre være vært ånei åh hatt burde bør sitter sitte måte måten
større største stort tydelig tydeligere veldig
"""
STOPWORDS_EN = _BASE_EN | frozenset(_MORE_EN.split())
STOPWORDS_NB = _BASE_NB | frozenset(_MORE_NB.split())
STOPWORDS = STOPWORDS_EN | STOPWORDS_NB
# Words that mark a sentence as English or Norwegian: frequent and in one list only.
_MARK_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "was",
        "it",
        "that",
        "of",
        "you",
        "my",
        "to",
        "have",
        "were",
        "this",
        "what",
        "with",
        "be",
        "not",
        "they",
        "but",
    ]
)
_MARK_NB = frozenset(
    [
        "og",
        "jeg",
        "det",
        "er",
        "ikke",
        "var",
        "på",
        "som",
        "en",
        "å",
        "med",
        "har",
        "til",
        "de",
        "meg",
        "hun",
        "han",
        "vi",
        "så",
    ]
)


def sentence_language(text: str) -> str | None:
    """``"en"`` or ``"nb"`` by counting frequent function words; None when undecided."""
    ws = words(text)
    en = sum(w in _MARK_EN for w in ws)
    nb = sum(w in _MARK_NB for w in ws)
    if en == nb:
        return None
    return "en" if en > nb else "nb"


def class_tfidf_labels(
    clusters: Sequence[Sequence[str]], *, top: int = 4, language: str | None = None
) -> list[list[str]]:
    """The ``top`` most typical content words of each cluster of sentences.

    Class-based TF-IDF: each cluster's sentences are one document; a word's weight is
    its frequency in the cluster times ``log(1 + A / f)``, with ``f`` its frequency in
    all clusters and ``A`` the mean number of words per cluster. Stop words of both
    languages and words under three letters never count. With ``language`` (``en`` or
    ``nb``) only sentences in that language supply words, so that a label is not a mix
    of two languages; a cluster without such sentences uses its own majority language.
    """
    langs = [[sentence_language(s) for s in c] for c in clusters]

    def content(c: int, lang: str | None) -> Counter[str]:
        return Counter(
            w
            for s, sl in zip(clusters[c], langs[c], strict=True)
            if lang is None or sl == lang
            for w in words(s)
            if len(w) > 2 and w not in STOPWORDS and not w.isdigit()
        )

    chosen = _cluster_languages(langs, language)
    tf = [content(c, chosen[c]) for c in range(len(clusters))]
    total: Counter[str] = Counter()
    for t in tf:
        total.update(t)
    mean_words = (sum(total.values()) / len(tf)) if tf else 0.0
    out = []
    for t in tf:
        n = sum(t.values()) or 1
        score = {w: (k / n) * math.log(1 + mean_words / total[w]) for w, k in t.items()}
        # Ties (common in small clusters) go to the more frequent, then alphabetical word.
        out.append(sorted(score, key=lambda w: (-score[w], -t[w], w))[:top])
    return out


def _cluster_languages(
    langs: Sequence[Sequence[str | None]], language: str | None
) -> list[str | None]:
    """Each cluster's label language: ``language`` where it has such sentences, else its own."""
    chosen: list[str | None] = []
    for ls in langs:
        if language is not None and language in ls:
            chosen.append(language)
        else:
            counts = Counter(x for x in ls if x is not None)
            chosen.append(counts.most_common(1)[0][0] if counts else None)
    return chosen


# Where a phrase may not run on: a clause boundary inside a sentence.
_CLAUSE_RE = re.compile(r"[,;:()\[\]\"«»“”„–—/]|\s-\s")  # noqa: RUF001 - typographic quotes


def _is_content(w: str) -> bool:
    """A word that may begin or end a phrase: three letters or more, no stop word, no clitic."""
    return len(w) > 2 and w not in STOPWORDS and "'" not in w


def _phrases(sentence: str, max_words: int) -> set[tuple[str, ...]]:
    """Runs of 1..``max_words`` words within one clause, beginning and ending on content words."""
    out: set[tuple[str, ...]] = set()
    for clause in _CLAUSE_RE.split(sentence):
        ws = [w.replace("\u2019", "'") for w in words(clause)]
        for i, first in enumerate(ws):
            if not _is_content(first):
                continue
            for j in range(i + 1, min(i + max_words, len(ws)) + 1):
                if _is_content(ws[j - 1]):
                    out.add(tuple(ws[i:j]))
    return out


def _same_word(a: str, b: str) -> bool:
    """Equal, or one an inflected form of the other ("lege"/"leger", "kollega"/"kollegaen")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3


def class_tfidf_phrases(
    clusters: Sequence[Sequence[str]],
    *,
    top: int = 3,
    language: str | None = None,
    max_words: int = 4,
) -> list[list[str]]:
    """The ``top`` most distinctive phrases of each cluster of sentences, most distinctive first.

    A phrase is a run of one to ``max_words`` words from one clause of one sentence (never
    across a comma, colon, dash or quote) that begins and ends on a content word, such as
    "fortsette i kirurgien" or "hate my job"; stop words may sit inside it, never at an end.
    Each content word is weighed by class-based TF-IDF as in `class_tfidf_labels`; a
    phrase weighs the sum of its content words, times ``1 + log(n)`` for a phrase found in
    ``n`` sentences of the cluster. Going down the cluster's words from the most typical,
    each word not yet shown brings the heaviest phrase that holds it and at least one other
    content word, skipping phrases that repeat a word, or a form of it, already in the label
    (so no phrase is contained in another); a word in no such phrase stands alone only when
    the ``4 * top`` most typical words give fewer than ``top`` phrases. With
    ``language`` only sentences in that language supply phrases (as `class_tfidf_labels`).
    """
    langs = [[sentence_language(s) for s in c] for c in clusters]
    chosen = _cluster_languages(langs, language)
    unigrams: list[Counter[str]] = []
    runs: list[Counter[tuple[str, ...]]] = []
    for c, cluster in enumerate(clusters):
        u: Counter[str] = Counter()
        r: Counter[tuple[str, ...]] = Counter()
        for s, sl in zip(cluster, langs[c], strict=True):
            if chosen[c] is not None and sl != chosen[c]:
                continue
            found = _phrases(s, max_words)
            r.update(found)
            u.update(w for p in found if len(p) == 1 for w in p)
        unigrams.append(u)
        runs.append(r)
    total: Counter[str] = Counter()
    for u in unigrams:
        total.update(u)
    mean_words = (sum(total.values()) / len(unigrams)) if unigrams else 0.0
    out = []
    for u, r in zip(unigrams, runs, strict=True):
        n = sum(u.values()) or 1
        weight = {w: (k / n) * math.log(1 + mean_words / total[w]) for w, k in u.items()}

        def heft(
            p: tuple[str, ...], weight: dict[str, float] = weight, r: Counter[tuple[str, ...]] = r
        ) -> tuple[float, int, int]:
            return (sum(weight.get(w, 0.0) for w in set(p)) * (1 + math.log(r[p])), r[p], -len(p))

        ranked = sorted(weight, key=lambda w: (-weight[w], -u[w], w))[: 4 * top]
        picked: list[tuple[int, tuple[str, ...]]] = []  # (rank of the word it came from, phrase)
        shown: list[str] = []
        alone: list[int] = []
        for rank, w in enumerate(ranked):
            if len(picked) == top:
                break
            if any(_same_word(w, s) for s in shown):
                continue
            fits = [
                p
                for p in r
                if w in p
                and sum(map(_is_content, p)) >= 2
                and not any(_same_word(x, s) for x in p if _is_content(x) for s in shown)
            ]
            if fits:
                best = max(fits, key=heft)
                picked.append((rank, best))
                shown.extend(x for x in best if _is_content(x))
            else:
                alone.append(rank)
        for rank in alone:  # too few phrases: the most typical words found in none
            if len(picked) < top and not any(_same_word(ranked[rank], s) for s in shown):
                picked.append((rank, (ranked[rank],)))
                shown.append(ranked[rank])
        picked.sort()
        out.append([" ".join(p) for _, p in picked])
    return out
