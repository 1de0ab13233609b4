"""Systematic text condensation (STC, Malterud 2012) as a pure Python library.

Importing this package loads no model and touches no file; see `kollega.stc.types` for
the records, `kollega.stc.steps` for the four steps, `kollega.stc.io` for file formats.
"""

from kollega.stc.errors import StcFormatError
from kollega.stc.types import (
    AnalyticText,
    Assistance,
    Category,
    CategoryAssignment,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Memo,
    Paragraph,
    Participant,
    PreliminaryTheme,
    Project,
    Span,
    Subgroup,
    Transcript,
    Turn,
    new_id,
    normalise_text,
)

__all__ = [
    "AnalyticText",
    "Assistance",
    "Category",
    "CategoryAssignment",
    "CodeGroup",
    "Condensate",
    "GoldenQuote",
    "MeaningUnit",
    "Memo",
    "Paragraph",
    "Participant",
    "PreliminaryTheme",
    "Project",
    "Span",
    "StcFormatError",
    "Subgroup",
    "Transcript",
    "Turn",
    "new_id",
    "normalise_text",
]
