"""The one package where the Django apps convert to and from :mod:`kollega.stc` records.

Keeping the conversion here lets ``kollega.stc`` stay a pure library that the apps never
reach into directly (an import-linter contract holds them to it). Its modules follow the
steps: ``coding`` (the embedder, suggested themes and code groups), ``agreement``,
``project`` (the whole analysis as one project, and the recontextualisation check),
``condensation`` (step 3's assistants), ``refi`` (REFI-QDA files) and ``edits``
(offsets carried through a transcript edit), ``search`` (words and phrases in a transcript); callers import any of
their names from here.

The parts of ``kollega.stc`` that load numerical libraries or models (``steps``, ``assist``,
``agreement``, ``llm``, ``io``) are imported inside the functions that use them, so that a
page which does not analyse does not pay for loading them.
"""

from __future__ import annotations

from kollega.workbench.adapters.agreement import agreement
from kollega.workbench.adapters.coding import (
    embedder_name,
    model_of,
    suggest_codes,
    suggest_themes,
)
from kollega.workbench.adapters.condensation import (
    draft_condensate,
    rank_golden_quotes,
    suggest_subgroups,
)
from kollega.workbench.adapters.edits import TextEdit, diff_texts
from kollega.workbench.adapters.project import (
    ID_KINDS,
    ExchangeError,
    plain_project,
    project_data,
    project_data_and_check,
    project_data_only,
    recontextualisation,
    split_id,
    stc_project,
)
from kollega.workbench.adapters.refi import (
    read_qdc,
    read_qdpx,
    validate_qdpx,
    write_qdc,
    write_qdpx,
)
from kollega.workbench.adapters.search import Hit, find, in_context, query_words, sentence_around

__all__ = [
    "ID_KINDS",
    "ExchangeError",
    "Hit",
    "TextEdit",
    "agreement",
    "diff_texts",
    "draft_condensate",
    "embedder_name",
    "find",
    "in_context",
    "model_of",
    "plain_project",
    "project_data",
    "project_data_and_check",
    "project_data_only",
    "query_words",
    "rank_golden_quotes",
    "read_qdc",
    "read_qdpx",
    "recontextualisation",
    "sentence_around",
    "split_id",
    "stc_project",
    "suggest_codes",
    "suggest_subgroups",
    "suggest_themes",
    "validate_qdpx",
    "write_qdc",
    "write_qdpx",
]
