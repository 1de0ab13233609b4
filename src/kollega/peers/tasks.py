"""Background tasks of the collegial support scheme. They take no arguments."""

from __future__ import annotations

from django_tasks import task

from kollega.peers.actions import run_retention


@task()
def scheme_retention() -> int:
    """Delete settlements and registered contacts past their retention period, keeping
    anonymous statistics rows; returns how many registrations went."""
    return run_retention()
