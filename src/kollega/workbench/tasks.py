"""Background tasks of the workbench."""

from __future__ import annotations

from django_tasks import task

from kollega.workbench.actions import run_code_suggestions, run_theme_suggestions


@task()
def suggest_themes_task(run_id: int) -> str:
    """Suggest preliminary themes for an analysis; returns the run's final status."""
    return run_theme_suggestions(run_id)


@task()
def suggest_codes_task(run_id: int) -> str:
    """Suggest code groups for one coder's uncoded units (the run names whose and where);
    returns the run's final status."""
    return run_code_suggestions(run_id)
