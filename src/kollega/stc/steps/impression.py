"""Step 1, total impression: candidate themes from clustered sentence embeddings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from kollega.stc.assist import Embedder, Matrix, choose_k
from kollega.stc.steps._base import Component
from kollega.stc.text import (
    INTERVIEWER_LABELS,
    class_tfidf_labels,
    class_tfidf_phrases,
    participant_turns,
    sentence_language,
    sentences,
    words,
)
from kollega.stc.types import Assistance, PreliminaryTheme, Span, Transcript, new_id

__all__ = ["ThemeCandidate", "ThemeSuggester", "suggest_themes"]


@dataclass(slots=True)
class ThemeCandidate:
    """A suggested theme: a provisional label, its most typical sentences, its reach.

    ``label`` joins the cluster's most distinctive ``phrases`` with "; "; ``keywords`` are
    its most typical single words.
    """

    label: str
    keywords: list[str]
    typical: list[Span]
    typical_texts: list[str]
    size: int
    transcript_ids: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)

    def to_theme(self, *, researcher: str, assistance_id: str | None = None) -> PreliminaryTheme:
        return PreliminaryTheme(
            id=new_id(),
            label=self.label,
            researcher=researcher,
            typical=list(self.typical),
            assistance_id=assistance_id,
        )


class ThemeSuggester(Component):
    """Cluster participants' sentences; each cluster is a candidate theme.

    Steps: collect sentences of at least ``min_words`` words from non-interviewer turns;
    take an evenly spread sample of at most ``max_sentences`` (embedding is the slow part);
    embed them; with ``center``, subtract each transcript's mean vector (otherwise a
    multilingual model groups sentences by language and speaker rather than by topic); k-means for each k in ``n`` and keep the best silhouette; per cluster, the
    ``n_typical`` sentences nearest the centroid (the most typical); as its label, the
    ``n_phrases`` most distinctive phrases of its sentences (`class_tfidf_phrases`: runs
    of up to four words within a clause that begin and end on a content word, weighed by
    class-based TF-IDF, none repeating another's words) joined with "; ", and as its
    keywords the ``n_keywords`` content words class-based TF-IDF finds most typical of it
    (`class_tfidf_labels`); both in the study's ``language`` (``en`` or ``nb``; by default
    the language of most sentences, or each cluster's own when the study is mixed).

    ``max_sentences`` bounds the embedding work (the slow part): 400 sentences, evenly
    spread over the interviews, give the same themes as all of them in a fraction of the
    time.

    Fitted attributes: ``candidates_``, ``language_``, ``assistance_``.
    """

    def __init__(
        self,
        *,
        n: int | tuple[int, int] = (4, 8),
        n_typical: int = 3,
        n_keywords: int = 4,
        n_phrases: int = 3,
        min_words: int = 6,
        max_sentences: int = 400,
        center: bool = True,
        language: str | None = None,
        random_state: int = 0,
        embedder: Embedder | None = None,
    ) -> None:
        self.n = n
        self.center = center
        self.n_typical = n_typical
        self.n_keywords = n_keywords
        self.n_phrases = n_phrases
        self.language = language
        self.min_words = min_words
        self.max_sentences = max_sentences
        self.random_state = random_state
        self.embedder = embedder

    def fit(
        self,
        transcripts: Sequence[Transcript],
        *,
        interviewer_labels: Iterable[str] = INTERVIEWER_LABELS,
    ) -> ThemeSuggester:
        labels_set = frozenset(interviewer_labels)
        spans: list[Span] = []
        texts: list[str] = []
        for t in transcripts:
            for turn in participant_turns(t, interviewer_labels=labels_set):
                for s, e in sentences(t.text, turn.start, turn.end):
                    text = t.text[s:e]
                    if len(words(text)) >= self.min_words:
                        spans.append(Span(t.id, s, e))
                        texts.append(text)
        if len(texts) > self.max_sentences:
            keep = np.linspace(0, len(texts) - 1, self.max_sentences).round().astype(int)
            spans = [spans[i] for i in keep]
            texts = [texts[i] for i in keep]
        self.candidates_: list[ThemeCandidate] = []
        self.language_: str | None = self.language
        embedder = self._embedder()
        if texts:
            x = embedder.embed(texts, kind="passage")
            if self.center:
                x = _center_per_transcript(x, [s.transcript_id for s in spans])
            ks = (
                range(self.n, self.n + 1)
                if isinstance(self.n, int)
                else range(self.n[0], self.n[1] + 1)
            )
            _, labels, centroids = choose_k(x, list(ks), random_state=self.random_state)
            clusters = [i for i in range(centroids.shape[0]) if (labels == i).any()]
            self.language_ = self.language or study_language(texts)
            members = [[texts[i] for i in np.flatnonzero(labels == c)] for c in clusters]
            all_kw = class_tfidf_labels(members, top=self.n_keywords, language=self.language_)
            all_ph = class_tfidf_phrases(members, top=self.n_phrases, language=self.language_)
            for c, kw, ph in zip(clusters, all_kw, all_ph, strict=True):
                idx = np.flatnonzero(labels == c)
                sims = x[idx] @ centroids[c]
                top = idx[np.argsort(-sims, kind="stable")[: self.n_typical]]
                self.candidates_.append(
                    ThemeCandidate(
                        label="; ".join(ph) if ph else f"theme {c + 1}",
                        keywords=kw,
                        typical=[spans[i] for i in top],
                        typical_texts=[texts[i] for i in top],
                        size=int(idx.size),
                        transcript_ids=sorted({spans[i].transcript_id for i in idx}),
                        phrases=ph,
                    )
                )
            self.candidates_.sort(key=lambda c: -c.size)
        self.assistance_: Assistance = self._assistance(
            "themes",
            {"candidates": [{"label": c.label, "size": c.size} for c in self.candidates_]},
            embedder.model_id,
        )
        return self


def study_language(texts: Sequence[str], *, share: float = 0.6) -> str | None:
    """The language (``en``/``nb``) of at least ``share`` of the sentences, else None."""
    counts = Counter(lang for t in texts if (lang := sentence_language(t)) is not None)
    total = sum(counts.values())
    if not total:
        return None
    lang, n = counts.most_common(1)[0]
    return lang if n / total >= share else None


def _center_per_transcript(x: Matrix, groups: list[str]) -> Matrix:
    out = x.copy()
    keys = np.array(groups)
    for g in set(groups):
        rows = keys == g
        out[rows] -= x[rows].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    centred: Matrix = (out / norms).astype(np.float32)
    return centred


def suggest_themes(
    transcripts: Sequence[Transcript],
    *,
    n: int | tuple[int, int] = (4, 8),
    embedder: Embedder | None = None,
    random_state: int = 0,
) -> list[ThemeCandidate]:
    """Candidate themes for the total impression, largest first; see `ThemeSuggester`."""
    return (
        ThemeSuggester(n=n, embedder=embedder, random_state=random_state)
        .fit(transcripts)
        .candidates_
    )
