"""Background tasks of the service. Their arguments are ids, never personal data.

The tasks sit below the modules that enqueue them (actions, notifications): each body imports
the code it runs when it runs, so that those modules can import the tasks.
"""

from __future__ import annotations

from django_tasks import task


@task()
def retention() -> int:
    """Delete the personal data of cases and concerns past their retention period; returns
    how many."""
    from kollega.service.actions import run_concern_retention, run_retention  # see docstring

    return run_retention() + run_concern_retention()


@task()
def send_notice(kind: str, case_id: int | None, counsellor_id: int | None = None) -> int:
    """Send one e-mail notice about a case (see `kollega.service.notifications`)."""
    from kollega.service.notifications import deliver  # run time: notifications enqueues this

    return deliver(kind, case_id, counsellor_id)


@task()
def escalate_urgent() -> int:
    """E-mail the coordinators when urgent requests wait unacknowledged; takes no arguments."""
    from kollega.service.actions import escalate_urgent as run  # run time: see the docstring

    return run()


@task()
def auto_assign() -> int:
    """With auto-assignment on, assign the waiting requests; takes no arguments."""
    from kollega.service.actions import assign_waiting  # run time: see the module's docstring

    return assign_waiting()
