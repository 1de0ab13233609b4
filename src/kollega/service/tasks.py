"""Background tasks of the service."""

from __future__ import annotations

from django_tasks import task

from kollega.service.actions import run_retention


@task()
def retention() -> int:
    """Delete the personal data of cases past their retention period; returns how many."""
    return run_retention()


@task()
def escalate_urgent() -> int:
    """E-mail the coordinators when urgent requests wait unacknowledged; takes no arguments."""
    from kollega.service.actions import escalate_urgent as run

    return run()
