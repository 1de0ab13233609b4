"""Deleting a case's personal data, at the seeker's wish or when its retention period has
passed, keeping only an anonymous statistics row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.taskqueue import drop_queued
from kollega.service import notifications
from kollega.service.actions.base import SEEKER, SYSTEM
from kollega.service.actions.offerings import promote_waiting
from kollega.service.models import (
    OPEN_COUNSELLOR_STATUSES,
    TERMINAL_STATUSES,
    Case,
    CaseStatistic,
    Feedback,
)
from kollega.service.tasks import send_notice


@transaction.atomic
def do_delete_case_data(case: Case, *, deleted_by: str) -> CaseStatistic:
    """Delete the case and everything personal hanging off it, keeping one anonymous row.

    `deleted_by` is "seeker" (delete my data now) or "retention". Messages, notes,
    conversations, appointments, referrals, enrolments, status history and feedback comments
    go with it, and so do its e-mail notices still waiting in the queue; feedback scores stay,
    unlinked. A counsellor the case was still with is told by an e-mail that names no case.
    """
    # A random key, not the next one: keys in insertion order would line the anonymous rows up
    # with the audit trail's times (who deleted when), and so with the cases they came from.
    # Below 2**52, so exact in JSON and JavaScript.
    key = secrets.randbelow(2**52 - 2**32) + 2**32
    while CaseStatistic.objects.filter(pk=key).exists():
        key = secrets.randbelow(2**52 - 2**32) + 2**32
    if case.counsellor is not None and case.status in OPEN_COUNSELLOR_STATUSES:
        notifications.tell_counsellor_deleted(case.counsellor)
    stat = CaseStatistic.objects.create(
        pk=key,
        month=timezone.localtime(case.created).date().replace(day=1),
        category=case.category,
        source=case.source,
        urgent=case.urgent,
        expectations=list(case.expectations),
        region=case.region,
        gender=case.gender,
        age_band=case.age_band,
        specialty=case.specialty,
        position=case.position,
        final_status=case.status,
        outcome=case.outcome,
        conversations=case.conversations.count(),
        referrals=sorted(set(case.referrals.values_list("kind", flat=True))),
        waiting_days=case.waiting_days(),
        deleted_by=deleted_by,
    )
    Feedback.objects.filter(case=case).update(comment="", case=None)
    offerings = [e.offering for e in case.enrolments.select_related("offering")]
    case_id = case.pk
    case.delete()
    # Notices still queued for the case go with it (they hold its id, nothing more).
    drop_queued(send_notice, case_id=case_id)
    for offering in offerings:
        promote_waiting(offering)
    actor: Actor = SEEKER if deleted_by == SEEKER else SYSTEM
    record(
        actor,
        AuditAction.SERVICE_CASE_DELETE_DATA,
        object_type="service.case",
        object_id=case_id,
        deleted_by=deleted_by,
    )  # nothing here names the statistics row: it must not lead back to this case
    return stat


def run_retention(now: datetime | None = None) -> int:
    """Delete every ended case whose retention period has passed; returns how many.

    Each case is deleted in its own transaction so one failure does not keep the rest.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KOLLEGA_RETENTION_DAYS)
    due = Case.objects.filter(status__in=TERMINAL_STATUSES, ended_at__lt=cutoff)
    count = 0
    for case in due.iterator():
        do_delete_case_data(case, deleted_by="retention")
        count += 1
    return count
