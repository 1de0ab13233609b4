"""Background tasks of the workbench."""

from __future__ import annotations

from django_tasks import task

from kollega.workbench.actions import run_theme_suggestions


@task()
def suggest_themes_task(run_id: int) -> str:
    """Suggest preliminary themes for an analysis; returns the run's final status."""
    return run_theme_suggestions(run_id)
