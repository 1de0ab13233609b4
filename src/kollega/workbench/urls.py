from django.urls import path

from kollega.workbench.views import (
    analyses,
    codebook,
    coding,
    comparison,
    condensation,
    impression,
    matrix,
    memos,
    results,
    search,
    synthesis,
)

app_name = "workbench"
# Step 3's operations on one code group's page, each with its own URL.
CONDENSATION = [
    ("suggest/", condensation.subgroups_suggest, "condensation_suggest"),
    ("subgroups/accept/", condensation.subgroups_accept, "subgroups_accept"),
    ("subgroups/add/", condensation.subgroup_add, "subgroup_add"),
    ("subgroups/edit/", condensation.subgroup_edit, "subgroup_edit"),
    ("subgroups/delete/", condensation.subgroup_delete, "subgroup_delete"),
    ("condensate/draft/", condensation.condensate_draft, "condensate_draft"),
    (
        "condensate/draft-first-person/",
        condensation.condensate_draft_first_person,
        "condensate_draft_first_person",
    ),
    ("condensate/save/", condensation.condensate_save, "condensate_save"),
    ("condensate/delete/", condensation.condensate_delete, "condensate_delete"),
    ("quotes/rank/", condensation.quotes_rank, "quotes_rank"),
    ("quotes/choose/", condensation.quote_choose, "quote_choose"),
    ("quotes/remove/", condensation.quote_remove, "quote_remove"),
]
SYNTHESIS = [
    ("categories/add/", synthesis.category_add, "category_add"),
    ("categories/edit/", synthesis.category_edit, "category_edit"),
    ("categories/delete/", synthesis.category_delete, "category_delete"),
    ("typology/", synthesis.typology_save, "typology_save"),
    ("texts/", synthesis.analytic_text_save, "analytic_text_save"),
]
urlpatterns = [
    path("", analyses.analyses, name="analyses"),
    path("<int:pk>/", analyses.analysis, name="analysis"),
    path("<int:pk>/transcripts/add/", analyses.transcript_add, name="transcript_add"),
    path("<int:pk>/units/<int:unit>/place/", analyses.unit_place, name="unit_place"),
    path("<int:pk>/quotes/<int:quote>/place/", analyses.quote_place, name="quote_place"),
    # Step 1: total impression
    path("<int:pk>/impression/", impression.impression, name="impression"),
    path("<int:pk>/themes/add/", impression.theme_add, name="theme_add"),
    path("<int:pk>/themes/share/", impression.themes_share, name="themes_share"),
    path("<int:pk>/themes/suggest/", impression.themes_suggest, name="themes_suggest"),
    path("<int:pk>/themes/suggestions/", impression.theme_run, name="theme_run"),
    path("<int:pk>/themes/<int:theme>/", impression.theme_edit, name="theme_edit"),
    path("<int:pk>/themes/<int:theme>/delete/", impression.theme_delete, name="theme_delete"),
    path("<int:pk>/themes/<int:theme>/decide/", impression.theme_decide, name="theme_decide"),
    # Step 2: meaning units and code groups
    path("<int:pk>/coding/<int:t>/", coding.coding, name="coding"),
    path("<int:pk>/coding/<int:t>/units/", coding.unit_create, name="unit_create"),
    path("<int:pk>/coding/<int:t>/suggestions/", coding.suggestions, name="suggestions"),
    path(
        "<int:pk>/coding/<int:t>/suggestions/<int:run>/",
        coding.suggestion_run,
        name="suggestion_run",
    ),
    path("<int:pk>/coding/<int:t>/compare/", comparison.compare, name="compare"),
    path("<int:pk>/coding/<int:t>/settle/", comparison.settle, name="settle"),
    path("<int:pk>/coding/<int:t>/close-round/", comparison.close_round, name="round_close"),
    path("<int:pk>/units/code/", coding.unit_code, name="unit_code"),
    path("<int:pk>/units/<int:unit>/delete/", coding.unit_delete, name="unit_delete"),
    path("<int:pk>/units/also/", coding.unit_also, name="unit_also"),
    path("<int:pk>/units/<int:unit>/decide/", coding.suggestion_decide, name="suggestion_decide"),
    path("<int:pk>/groups/add/", coding.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group>/", coding.group_edit, name="group_edit"),
    # Search across the transcripts, and retrieval of a code group's text
    path("<int:pk>/search/", search.search, name="search"),
    path("<int:pk>/search/units/", search.search_units, name="search_units"),
    path("<int:pk>/retrieval/<int:group>/", search.retrieval, name="retrieval"),
    path(
        "<int:pk>/retrieval/<int:group>.<slug:fmt>",
        search.retrieval_download,
        name="retrieval_download",
    ),
    # The code book: the groups as a tree to work in, and undo
    path("<int:pk>/codebook/", codebook.codebook, name="codebook"),
    *(
        path(f"<int:pk>/groups/<int:group>/{route}/", view, name=f"group_{route}")
        for route, view in [
            ("move", codebook.group_move),
            ("merge", codebook.group_merge),
            ("delete", codebook.group_delete),
            ("reorder", codebook.group_reorder),
            ("colour", codebook.group_colour),
        ]
    ),
    path("<int:pk>/undo/", codebook.undo, name="undo"),
    # Step 3: condensation
    path("<int:pk>/condensation/", condensation.condensation_index, name="condensation_index"),
    path(
        "<int:pk>/condensation/<int:group>/",
        condensation.condensation_page,
        name="condensation",
    ),
    *(
        path(f"<int:pk>/condensation/<int:group>/{route}", view, name=name)
        for route, view, name in CONDENSATION
    ),
    # Step 4: synthesis, and the recontextualisation check
    path("<int:pk>/synthesis/", synthesis.synthesis_page, name="synthesis"),
    *(path(f"<int:pk>/synthesis/{route}", view, name=name) for route, view, name in SYNTHESIS),
    path("<int:pk>/matrix/", matrix.matrix_page, name="matrix"),
    path("<int:pk>/matrix.csv", matrix.matrix_csv, name="matrix_csv"),
    path(
        "<int:pk>/matrix/<int:participant>/<int:group>/",
        matrix.matrix_cell,
        name="matrix_cell",
    ),
    path("<int:pk>/cases/link/", analyses.case_link, name="case_link"),
    path("<int:pk>/check/", synthesis.check_page, name="check"),
    # Memos
    path("<int:pk>/memos/", memos.memo_list, name="memos"),
    path("<int:pk>/memos/on/", memos.memos_on, name="memos_on"),
    path("<int:pk>/memos/add/", memos.memo_add, name="memo_add"),
    path("<int:pk>/memos/<int:memo>/edit/", memos.memo_edit, name="memo_edit"),
    path("<int:pk>/memos/<int:memo>/delete/", memos.memo_delete, name="memo_delete"),
    # Results and exchange
    path("<int:pk>/results/", results.results, name="results"),
    path("<int:pk>/results/<slug:name>.<slug:fmt>", results.download, name="download"),
    path("<int:pk>/export.qdpx", results.export_qdpx, name="export_qdpx"),
    path("<int:pk>/codebook.qdc", results.export_qdc, name="export_qdc"),
    path("<int:pk>/codebook/import/", results.import_qdc, name="import_qdc"),
    path("import/", results.import_qdpx, name="import_qdpx"),
]
