"""The four STC steps as components with serialisable configs."""

from kollega.stc.steps.coding import (
    CodeSuggester,
    CodeSuggestion,
    Segmenter,
    segment,
    suggest_codes,
)
from kollega.stc.steps.condensation import (
    Condenser,
    QuoteCandidate,
    draft_condensate,
    rank_golden_quotes,
    suggest_subgroups,
)
from kollega.stc.steps.impression import ThemeCandidate, ThemeSuggester, suggest_themes
from kollega.stc.steps.suggest import Calibration
from kollega.stc.steps.synthesis import Problem, RecontextReport, recontextualise

__all__ = [
    "Calibration",
    "CodeSuggester",
    "CodeSuggestion",
    "Condenser",
    "Problem",
    "QuoteCandidate",
    "RecontextReport",
    "Segmenter",
    "ThemeCandidate",
    "ThemeSuggester",
    "draft_condensate",
    "rank_golden_quotes",
    "recontextualise",
    "segment",
    "suggest_codes",
    "suggest_subgroups",
    "suggest_themes",
]
