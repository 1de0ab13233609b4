"""Every change to an analysis: one transaction and one audit event each, by step.

Audit details hold identifiers, counts and codes only — never transcript or researcher text.
The modules follow the STC steps: ``analyses`` (analyses and transcript versions),
``impression`` (step 1), ``coding`` (step 2), ``comparison`` (blind double coding),
``condensation`` (step 3), ``synthesis`` (step 4 and the recontextualisation check) and
``exchange`` (REFI-QDA imports); ``common`` holds the versioned save they share. Callers may
import any action from this package.
"""

from kollega.workbench.actions.analyses import (
    broken_quotes,
    broken_units,
    do_add_transcript,
    do_create_analysis,
    do_place_quote,
    do_place_unit,
    follow_transcript_edit,
    proposed_place,
    to_fix,
)
from kollega.workbench.actions.coding import (
    MAX_UNITS_PER_SUGGESTION,
    active_code_suggestion_run,
    code_suggestion_result,
    do_add_code_group,
    do_code_unit,
    do_create_unit,
    do_decide_suggestion,
    do_delete_unit,
    do_edit_code_group,
    do_request_code_suggestions,
    do_uncode_unit,
    run_code_suggestions,
    suggestions_for,
)
from kollega.workbench.actions.common import save_versioned, stale_refusal
from kollega.workbench.actions.comparison import (
    agreement_for,
    comparing,
    do_request_comparison,
    do_settle_disagreement,
)
from kollega.workbench.actions.condensation import (
    do_accept_subgroups,
    do_add_subgroup,
    do_choose_quote,
    do_delete_condensate,
    do_delete_subgroup,
    do_edit_subgroup,
    do_remove_quote,
    do_save_condensate,
)
from kollega.workbench.actions.exchange import do_import_qdc, do_import_qdpx
from kollega.workbench.actions.impression import (
    do_add_theme,
    do_decide_theme,
    do_delete_theme,
    do_edit_theme,
    do_request_theme_suggestions,
    do_share_themes,
    run_theme_suggestions,
    themes_visible_to,
)
from kollega.workbench.actions.synthesis import (
    do_add_category,
    do_delete_analytic_text,
    do_delete_category,
    do_edit_category,
    do_save_analytic_text,
    do_save_typology,
)

__all__ = [
    "MAX_UNITS_PER_SUGGESTION",
    "active_code_suggestion_run",
    "agreement_for",
    "broken_quotes",
    "broken_units",
    "code_suggestion_result",
    "comparing",
    "do_accept_subgroups",
    "do_add_category",
    "do_add_code_group",
    "do_add_subgroup",
    "do_add_theme",
    "do_add_transcript",
    "do_choose_quote",
    "do_code_unit",
    "do_create_analysis",
    "do_create_unit",
    "do_decide_suggestion",
    "do_decide_theme",
    "do_delete_analytic_text",
    "do_delete_category",
    "do_delete_condensate",
    "do_delete_subgroup",
    "do_delete_theme",
    "do_delete_unit",
    "do_edit_category",
    "do_edit_code_group",
    "do_edit_subgroup",
    "do_edit_theme",
    "do_import_qdc",
    "do_import_qdpx",
    "do_place_quote",
    "do_place_unit",
    "do_remove_quote",
    "do_request_code_suggestions",
    "do_request_comparison",
    "do_request_theme_suggestions",
    "do_save_analytic_text",
    "do_save_condensate",
    "do_save_typology",
    "do_settle_disagreement",
    "do_share_themes",
    "do_uncode_unit",
    "follow_transcript_edit",
    "proposed_place",
    "run_code_suggestions",
    "run_theme_suggestions",
    "save_versioned",
    "stale_refusal",
    "suggestions_for",
    "themes_visible_to",
    "to_fix",
]
