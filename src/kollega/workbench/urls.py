from django.urls import path

from kollega.workbench import views, views_results, views_steps34

app_name = "workbench"
urlpatterns = [
    path("", views.analyses, name="analyses"),
    path("<int:pk>/", views.analysis, name="analysis"),
    path("<int:pk>/transcripts/add/", views.transcript_add, name="transcript_add"),
    path("<int:pk>/units/<int:unit>/place/", views.unit_place, name="unit_place"),
    # Step 1: total impression
    path("<int:pk>/impression/", views.impression, name="impression"),
    path("<int:pk>/themes/add/", views.theme_add, name="theme_add"),
    path("<int:pk>/themes/share/", views.themes_share, name="themes_share"),
    path("<int:pk>/themes/suggest/", views.themes_suggest, name="themes_suggest"),
    path("<int:pk>/themes/suggestions/", views.theme_run, name="theme_run"),
    path("<int:pk>/themes/<int:theme>/", views.theme_edit, name="theme_edit"),
    path("<int:pk>/themes/<int:theme>/delete/", views.theme_delete, name="theme_delete"),
    path("<int:pk>/themes/<int:theme>/decide/", views.theme_decide, name="theme_decide"),
    # Step 2: meaning units and code groups
    path("<int:pk>/coding/<int:t>/", views.coding, name="coding"),
    path("<int:pk>/coding/<int:t>/units/", views.unit_create, name="unit_create"),
    path("<int:pk>/coding/<int:t>/suggestions/", views.suggestions, name="suggestions"),
    path("<int:pk>/coding/<int:t>/compare/", views.compare, name="compare"),
    path("<int:pk>/coding/<int:t>/settle/", views.settle, name="settle"),
    path("<int:pk>/units/code/", views.unit_code, name="unit_code"),
    path("<int:pk>/units/<int:unit>/delete/", views.unit_delete, name="unit_delete"),
    path("<int:pk>/units/<int:unit>/decide/", views.suggestion_decide, name="suggestion_decide"),
    path("<int:pk>/groups/add/", views.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group>/", views.group_edit, name="group_edit"),
    # Steps 3 and 4, results and exchange (views_steps34.py, views_results.py)
    path("<int:pk>/condensation/", views_steps34.condensation_index, name="condensation_index"),
    path(
        "<int:pk>/condensation/<int:group>/",
        views_steps34.condensation_page,
        name="condensation",
    ),
    path("<int:pk>/synthesis/", views_steps34.synthesis_page, name="synthesis"),
    path("<int:pk>/check/", views_steps34.check_page, name="check"),
    path("<int:pk>/results/", views_results.results, name="results"),
    path(
        "<int:pk>/results/<slug:name>.<slug:fmt>",
        views_results.download,
        name="download",
    ),
    path("<int:pk>/export.qdpx", views_results.export_qdpx, name="export_qdpx"),
    path("<int:pk>/codebook.qdc", views_results.export_qdc, name="export_qdc"),
    path("<int:pk>/codebook/import/", views_results.import_qdc, name="import_qdc"),
    path("import/", views_results.import_qdpx, name="import_qdpx"),
]
