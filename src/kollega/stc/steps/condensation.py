"""Step 3, condensation: subgroups, draft condensates, golden-quote ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kollega.stc.assist import Embedder, choose_k
from kollega.stc.llm import ChatClient
from kollega.stc.steps._base import Component
from kollega.stc.text import keywords, sentences, words
from kollega.stc.types import Assistance, Condensate, MeaningUnit, Span, Subgroup, new_id

__all__ = [
    "Condenser",
    "QuoteCandidate",
    "draft_condensate",
    "rank_golden_quotes",
    "suggest_subgroups",
]


def _unit_sentences(units: Sequence[MeaningUnit]) -> list[tuple[MeaningUnit, Span, str]]:
    out = []
    for u in units:
        for s, e in sentences(u.text):
            out.append(
                (u, Span(u.span.transcript_id, u.span.start + s, u.span.start + e), u.text[s:e])
            )
    return out


@dataclass(slots=True)
class QuoteCandidate:
    unit_id: str
    span: Span
    text: str
    score: float


class Condenser(Component):
    """Subgroups, extractive condensates and quote ranking for one code group's units.

    * `suggest_subgroups`: k-means over unit embeddings for k in ``n_subgroups``
      (best silhouette); fewer than four units stay one subgroup.
    * `draft_condensate`: the ``max_sentences`` sentences nearest the units' centroid,
      in transcript order; rewritten in the first person only when ``rewriter`` is set,
      and otherwise marked ``extractive=True``.
    * `rank_golden_quotes`: windows of 1-3 sentences scored by centrality, with a
      penalty outside ``quote_words`` words.

    Fitted attribute after each call: ``assistance_``.
    """

    def __init__(
        self,
        *,
        n_subgroups: tuple[int, int] = (2, 3),
        max_sentences: int = 3,
        quote_words: tuple[int, int] = (12, 70),
        random_state: int = 0,
        embedder: Embedder | None = None,
        rewriter: ChatClient | None = None,
    ) -> None:
        self.n_subgroups = n_subgroups
        self.max_sentences = max_sentences
        self.quote_words = quote_words
        self.random_state = random_state
        self.embedder = embedder
        self.rewriter = rewriter

    _objects = ("rewriter",)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["rewriter"] = None if self.rewriter is None else self.rewriter.settings()
        return config

    @classmethod
    def _rebuild_objects(cls, config: dict[str, Any]) -> dict[str, Any]:
        r = config.get("rewriter")
        return {"rewriter": None if r is None else ChatClient(**r)}

    def suggest_subgroups(
        self, units: Sequence[MeaningUnit], *, code_group_id: str
    ) -> list[Subgroup]:
        embedder = self._embedder()
        self.assistance_: Assistance = self._assistance("subgroups", {}, embedder.model_id)
        if not units:
            return []
        x = embedder.embed([u.text for u in units])
        lo, hi = self.n_subgroups
        _, labels, _ = choose_k(x, list(range(lo, hi + 1)), random_state=self.random_state)
        groups: list[Subgroup] = []
        for c in sorted(set(labels.tolist())):
            members = [u for u, lab in zip(units, labels, strict=True) if lab == c]
            others = [u.text for u, lab in zip(units, labels, strict=True) if lab != c]
            kw = keywords([u.text for u in members], background=others, top=3)
            groups.append(
                Subgroup(
                    id=new_id(),
                    code_group_id=code_group_id,
                    name=", ".join(kw) or f"subgroup {c + 1}",
                    meaning_unit_ids=[u.id for u in members],
                    assistance_id=self.assistance_.id,
                )
            )
        self.assistance_.suggestion = {
            "subgroups": [{"name": g.name, "units": g.meaning_unit_ids} for g in groups]
        }
        return groups

    def _central(self, sents: list[tuple[MeaningUnit, Span, str]]) -> np.ndarray:
        x = self._embedder().embed([s[2] for s in sents])
        centroid = x.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        return np.asarray(x @ centroid, dtype=np.float64)

    def draft_condensate(self, units: Sequence[MeaningUnit], *, subgroup_id: str) -> Condensate:
        sents = _unit_sentences(units)
        if not sents:
            raise ValueError("draft_condensate needs units with text")
        central = self._central(sents)
        top = sorted(np.argsort(-central, kind="stable")[: self.max_sentences].tolist())
        order = {u.id: i for i, u in enumerate(units)}
        top.sort(key=lambda i: (order[sents[i][0].id], sents[i][1].start))
        excerpts = [sents[i][2] for i in top]
        model = self._embedder().model_id
        text = " ".join(excerpts)
        extractive = True
        if self.rewriter is not None:
            text = self.rewriter.rewrite_first_person(excerpts)
            extractive = False
            model = f"{model} + {self.rewriter.model_id}"
        self.assistance_ = self._assistance(
            "condensate", {"text": text, "excerpts": excerpts}, model
        )
        return Condensate(
            id=new_id(),
            subgroup_id=subgroup_id,
            text=text,
            meaning_unit_ids=[u.id for u in units],
            extractive=extractive,
            assistance_id=self.assistance_.id,
        )

    def rank_golden_quotes(
        self, units: Sequence[MeaningUnit], *, top: int = 5
    ) -> list[QuoteCandidate]:
        sents = _unit_sentences(units)
        self.assistance_ = self._assistance("golden_quotes", {}, self._embedder().model_id)
        if not sents:
            return []
        central = self._central(sents)
        lo, hi = self.quote_words
        cands: list[QuoteCandidate] = []
        for i in range(len(sents)):
            for width in (1, 2, 3):
                j = i + width
                if j > len(sents) or sents[j - 1][0].id != sents[i][0].id:
                    break
                u = sents[i][0]
                span = Span(u.span.transcript_id, sents[i][1].start, sents[j - 1][1].end)
                text = u.text[span.start - u.span.start : span.end - u.span.start]
                n = len(words(text))
                penalty = (
                    0.0 if lo <= n <= hi else 0.05 * (1 + abs(n - (lo if n < lo else hi)) / lo)
                )
                score = float(central[i:j].mean()) - penalty
                cands.append(QuoteCandidate(u.id, span, text, round(score, 4)))
        cands.sort(key=lambda c: -c.score)
        chosen: list[QuoteCandidate] = []
        for c in cands:
            if all(
                c.span.end <= q.span.start
                or c.span.start >= q.span.end
                or c.span.transcript_id != q.span.transcript_id
                for q in chosen
            ):
                chosen.append(c)
            if len(chosen) == top:
                break
        self.assistance_.suggestion = {"quotes": [c.text for c in chosen]}
        return chosen


def suggest_subgroups(
    units: Sequence[MeaningUnit],
    *,
    code_group_id: str,
    n: tuple[int, int] = (2, 3),
    embedder: Embedder | None = None,
    random_state: int = 0,
) -> list[Subgroup]:
    """Two or three subgroups of one code group's units; see `Condenser`."""
    c = Condenser(n_subgroups=n, embedder=embedder, random_state=random_state)
    return c.suggest_subgroups(units, code_group_id=code_group_id)


def draft_condensate(
    units: Sequence[MeaningUnit],
    *,
    subgroup_id: str,
    max_sentences: int = 3,
    embedder: Embedder | None = None,
    rewriter: ChatClient | None = None,
) -> Condensate:
    """A draft condensate: extractive, or first-person when ``rewriter`` is configured."""
    c = Condenser(max_sentences=max_sentences, embedder=embedder, rewriter=rewriter)
    return c.draft_condensate(units, subgroup_id=subgroup_id)


def rank_golden_quotes(
    units: Sequence[MeaningUnit], *, top: int = 5, embedder: Embedder | None = None
) -> list[QuoteCandidate]:
    """Candidate golden quotes, best first, not overlapping; see `Condenser`."""
    return Condenser(embedder=embedder).rank_golden_quotes(units, top=top)
