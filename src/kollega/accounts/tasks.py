"""Background tasks of staff accounts. Their arguments are ids, never addresses."""

from __future__ import annotations

from django_tasks import task

# The module, not the function: notifications imports this module in turn.
from kollega.accounts import notifications


@task()
def send_staff_notice(kind: str, user_id: int) -> int:
    """Send one e-mail to a staff member about their account (`kollega.accounts.notifications`)."""
    return notifications.deliver(kind, user_id)
