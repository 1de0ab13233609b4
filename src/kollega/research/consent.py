"""The seeker's research consent, withdrawn from their status page.

Research sits above the service: it reaches the case only through the service's pool adapter
(`leave_pool`), and the service knows nothing of studies.
"""

from __future__ import annotations

from django.db import transaction

from kollega.core.audit import AuditAction, record
from kollega.research.actions import do_withdraw_from_research
from kollega.service.models import Case
from kollega.service.pool import SEEKER, leave_pool


@transaction.atomic
def do_withdraw_research_consent(case: Case) -> dict[str, int]:
    """The seeker withdraws from research on their status page: they leave the pool, and every
    study deletes what it holds about them (interviews, recordings, transcripts, coded units
    and their invitations). Returns what research deleted."""
    if not case.research_consent:
        return {}
    link = case.research_id
    deleted = do_withdraw_from_research(link) if link else {}
    if link:
        leave_pool(link)
    else:
        Case.objects.filter(pk=case.pk).update(research_consent=False)
    case.refresh_from_db()
    record(SEEKER, AuditAction.SERVICE_RESEARCH_CONSENT_WITHDRAW, case, deleted=deleted)
    return deleted
