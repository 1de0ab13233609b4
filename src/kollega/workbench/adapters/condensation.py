"""Step 3's calls into kollega.stc: suggested subgroups, drafts and golden quotes."""

from __future__ import annotations

from typing import Any

from kollega.stc.types import MeaningUnit, Span
from kollega.workbench.adapters.coding import load_embedder
from kollega.workbench.adapters.project import ExchangeError


def _condenser(rewriter: dict[str, Any] | None = None) -> Any:
    # kollega.stc.llm loads an HTTP client: imported on first use (see adapters/__init__).
    from kollega.stc.llm import ChatClient

    # kollega.stc.steps loads numpy and scikit-learn: imported on first use (see adapters/__init__).
    from kollega.stc.steps import Condenser

    client = ChatClient(**rewriter) if rewriter else None
    return Condenser(embedder=load_embedder(), rewriter=client, random_state=0)


def _units(units: list[tuple[str, str, int, int, str]]) -> list[Any]:

    return [
        MeaningUnit(id=key, span=Span(t, start, end), text=text)
        for key, t, start, end, text in units
    ]


def suggest_subgroups(
    units: list[tuple[str, str, int, int, str]], *, n: tuple[int, int] = (2, 3)
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """Two or three subgroups of one code group's units ``(key, transcript, start, end, text)``.

    Returns ``[{"name", "units": [key]}]``, the model id and the settings used.
    """
    condenser = _condenser()
    condenser.n_subgroups = n
    groups = condenser.suggest_subgroups(_units(units), code_group_id="g")
    found = [{"name": g.name, "units": list(g.meaning_unit_ids)} for g in groups]
    return found, condenser.assistance_.model, condenser.get_config()


def draft_condensate(
    units: list[tuple[str, str, int, int, str]], *, rewriter: dict[str, Any] | None = None
) -> tuple[str, bool, str, dict[str, Any]]:
    """A draft condensate of ``units``: extractive, or first person through the organisation's
    own endpoint when ``rewriter`` (``{"base_url", "model", "api_key"}``) is given.

    Returns (text, extractive, model id, settings). Raises `ExchangeError` when the endpoint
    fails or the units hold no text.
    """
    # kollega.stc.llm loads an HTTP client: imported on first use (see adapters/__init__).
    from kollega.stc.llm import LlmError

    condenser = _condenser(rewriter)
    try:
        draft = condenser.draft_condensate(_units(units), subgroup_id="s")
    except (LlmError, ValueError) as exc:
        raise ExchangeError(str(exc)) from None
    config = condenser.get_config()
    return draft.text, draft.extractive, condenser.assistance_.model, config


def rank_golden_quotes(
    units: list[tuple[str, str, int, int, str]], *, top: int = 5
) -> tuple[list[dict[str, Any]], str]:
    """Candidate golden quotes, best first, not overlapping: ``[{"unit", "transcript",
    "start", "end", "text", "score"}]`` and the model id."""
    condenser = _condenser()
    found = condenser.rank_golden_quotes(_units(units), top=top)
    return [
        {
            "unit": c.unit_id,
            "transcript": c.span.transcript_id,
            "start": c.span.start,
            "end": c.span.end,
            "text": c.text,
            "score": c.score,
        }
        for c in found
    ], condenser.assistance_.model
