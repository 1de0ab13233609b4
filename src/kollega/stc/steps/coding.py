"""Step 2, meaning units and code groups: segmentation and code suggestions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from kollega.stc.assist import Embedder, HashingEmbedder
from kollega.stc.steps._base import Component
from kollega.stc.steps.suggest import CodeSuggester, CodeSuggestion, suggest_codes
from kollega.stc.text import INTERVIEWER_LABELS, participant_turns, sentences, words
from kollega.stc.types import Assistance, MeaningUnit, Span, Transcript, new_id

__all__ = ["CodeSuggester", "CodeSuggestion", "Segmenter", "segment", "suggest_codes"]


class Segmenter(Component):
    """Propose meaning-unit boundaries: participant turns, split at topic shifts.

    Algorithm: split each non-interviewer turn into sentences; score each gap between
    neighbouring sentences by similarity of the sentence windows either side (lexical by
    default, or embeddings with ``method="embedding"``); a gap whose similarity lies more
    than ``threshold`` standard deviations under the transcript's mean is a topic shift.
    A unit closes at a topic shift once it has ``min_words``, and always before it would
    pass ``max_words``. Similarities are compared relatively, never to a fixed value.

    Fitted attribute: ``assistance_`` (units carry its id until a person accepts them).
    """

    def __init__(
        self,
        *,
        method: Literal["lexical", "embedding"] = "lexical",
        min_words: int = 25,
        max_words: int = 160,
        threshold: float = 0.8,
        window: int = 2,
        embedder: Embedder | None = None,
    ) -> None:
        self.method = method
        self.min_words = min_words
        self.max_words = max_words
        self.threshold = threshold
        self.window = window
        self.embedder = embedder

    def transform(
        self,
        transcripts: Sequence[Transcript],
        *,
        interviewer_labels: Iterable[str] = INTERVIEWER_LABELS,
    ) -> list[MeaningUnit]:
        labels = frozenset(interviewer_labels)
        embedder: Embedder = (
            self._embedder() if self.method == "embedding" else HashingEmbedder(dim=1024)
        )
        self.assistance_: Assistance = self._assistance("segment", {}, embedder.model_id)
        units: list[MeaningUnit] = []
        for t in transcripts:
            turn_sents = [
                sentences(t.text, turn.start, turn.end)
                for turn in participant_turns(t, interviewer_labels=labels)
            ]
            flat = [s for ss in turn_sents for s in ss]
            if not flat:
                continue
            vecs = embedder.embed([t.text[s:e] for s, e in flat])
            sims = self._gap_similarities(vecs, turn_sents)
            cut = float(np.mean(sims) - self.threshold * np.std(sims)) if sims.size else 0.0
            offset = 0
            for ss in turn_sents:
                gaps = sims[offset : offset + max(0, len(ss) - 1)]
                offset += max(0, len(ss) - 1)
                units.extend(self._split_turn(t, ss, gaps, cut))
        self.assistance_.suggestion = {"units": len(units)}
        return units

    def _gap_similarities(
        self, vecs: np.ndarray, turn_sents: list[list[tuple[int, int]]]
    ) -> np.ndarray:
        out: list[float] = []
        pos = 0
        for ss in turn_sents:
            for g in range(1, len(ss)):
                left = vecs[pos + max(0, g - self.window) : pos + g].sum(axis=0)
                right = vecs[pos + g : pos + min(len(ss), g + self.window)].sum(axis=0)
                denom = float(np.linalg.norm(left) * np.linalg.norm(right)) or 1.0
                out.append(float(left @ right) / denom)
            pos += len(ss)
        return np.asarray(out, dtype=np.float64)

    def _split_turn(
        self, t: Transcript, ss: list[tuple[int, int]], gaps: np.ndarray, cut: float
    ) -> list[MeaningUnit]:
        units: list[MeaningUnit] = []
        if not ss:
            return units
        start = ss[0][0]
        count = 0
        for i, (s, e) in enumerate(ss):
            n = len(words(t.text[s:e]))
            if i > 0 and count >= self.min_words:
                shift = gaps[i - 1] < cut
                if shift or count + n > self.max_words:
                    units.append(self._unit(t, start, ss[i - 1][1]))
                    start, count = s, 0
            count += n
        end = ss[-1][1]
        if units and count < self.min_words // 2:
            # A short tail joins the previous unit rather than standing alone.
            units[-1] = self._unit(t, units[-1].span.start, end)
        else:
            units.append(self._unit(t, start, end))
        return units

    def _unit(self, t: Transcript, start: int, end: int) -> MeaningUnit:
        return MeaningUnit(
            id=new_id(),
            span=Span(t.id, start, end),
            text=t.text[start:end],
            code_group_id=None,
            coder="",
            assistance_id=self.assistance_.id,
        )


def segment(
    transcripts: Sequence[Transcript],
    *,
    method: Literal["lexical", "embedding"] = "lexical",
    min_words: int = 25,
    max_words: int = 160,
    embedder: Embedder | None = None,
) -> list[MeaningUnit]:
    """Proposed, uncoded meaning units for ``transcripts``; see `Segmenter`."""
    seg = Segmenter(method=method, min_words=min_words, max_words=max_words, embedder=embedder)
    return seg.transform(transcripts)
