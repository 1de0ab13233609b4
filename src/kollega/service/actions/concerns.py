"""Concerns raised by someone else about a doctor: raised, proposed, taken up or declined,
concluded or withdrawn, and deleted after their retention period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kollega.core.audit import CONCERN_SENDER as SENDER
from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import choices, notifications
from kollega.service.actions.base import SYSTEM
from kollega.service.adapters import match_concern
from kollega.service.models import (
    CONCERN_ENDED,
    Case,
    Concern,
    ConcernStatistic,
    ConcernStatus,
    CounsellorProfile,
    hash_token,
    new_reference,
)


@dataclass(frozen=True)
class Raised:
    concern: Concern
    token: str


def _unique_concern_reference() -> str:
    while True:
        # "B" for bekymring: a concern's reference never looks like a case's.
        reference = "B" + new_reference()[1:]
        if not Concern.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def do_raise_concern(*, language: str = "", **fields: Any) -> Raised:
    """Store a concern from the public form and propose it to the best counsellor of the
    doctor's county at once (conflicts respected); without one it waits for a coordinator.

    Only the token's hash is stored; the audit row holds no text.
    """
    token = Case.new_token()
    concern = Concern.objects.create(
        reference=_unique_concern_reference(),
        token_hash=hash_token(token),
        language=language,
        **fields,
    )
    record(SENDER, AuditAction.SERVICE_CONCERN_RAISE, concern, region=concern.region)
    _propose_concern(concern, actor=SYSTEM)
    return Raised(concern, token)


def _propose_concern(concern: Concern, *, actor: Actor) -> CounsellorProfile | None:
    best = match_concern(concern).proposals[:1]
    if not best:
        return None
    _give_concern(actor, concern, best[0].profile, reason="")
    return best[0].profile


def _give_concern(
    actor: Actor, concern: Concern, counsellor: CounsellorProfile, reason: str
) -> None:
    concern.counsellor = counsellor
    concern.assigned_at = timezone.now()
    concern.set_status(ConcernStatus.PROPOSED, actor=actor, reason=reason)
    counsellor.last_assigned_at = concern.assigned_at
    counsellor.save(update_fields=["last_assigned_at"])
    record(actor, AuditAction.SERVICE_CONCERN_ASSIGN, concern, counsellor=counsellor.pk)
    notifications.tell_counsellor_concern(counsellor)


@transaction.atomic
def do_assign_concern(actor: Actor, concern: Concern, counsellor: CounsellorProfile) -> None:
    """A coordinator proposes the concern to `counsellor`, or moves it there from another."""
    if concern.counsellor_id == counsellor.pk and concern.status != ConcernStatus.NEW:
        raise ActionRefused("state")
    _give_concern(actor, concern, counsellor, reason="")


@transaction.atomic
def do_take_up_concern(actor: Actor, concern: Concern) -> None:
    concern.set_status(ConcernStatus.TAKEN, actor=actor)
    record(actor, AuditAction.SERVICE_CONCERN_TAKE_UP, concern)


@transaction.atomic
def do_decline_concern(actor: Actor, concern: Concern, *, reason: str) -> None:
    """The counsellor hands the concern back (a conflict, no room): it is never proposed to
    them again, and goes on to the next best counsellor when there is one."""
    declined = concern.counsellor
    if declined is not None:
        concern.excluded_counsellors.add(declined)
    concern.counsellor = None
    concern.set_status(ConcernStatus.NEW, actor=actor, reason=reason)
    record(actor, AuditAction.SERVICE_CONCERN_DECLINE, concern, reason=reason)
    _propose_concern(concern, actor=SYSTEM)


@transaction.atomic
def do_conclude_concern(actor: Actor, concern: Concern, *, outcome: str, note: str = "") -> None:
    """The counsellor records what came of it. The sender is never told the outcome."""
    if outcome not in choices.ConcernOutcome.values:
        raise ActionRefused("state")
    concern.outcome = outcome
    concern.note = note
    concern.set_status(ConcernStatus.DONE, actor=actor)
    record(actor, AuditAction.SERVICE_CONCERN_CONCLUDE, concern, outcome=outcome)


@transaction.atomic
def do_withdraw_concern(actor: Actor, concern: Concern, *, reason: str) -> None:
    """A coordinator closes a concern (a duplicate, nothing to act on)."""
    concern.set_status(ConcernStatus.WITHDRAWN, actor=actor, reason=reason)
    record(actor, AuditAction.SERVICE_CONCERN_WITHDRAW, concern)


@transaction.atomic
def do_delete_concern_data(concern: Concern, *, deleted_by: str) -> ConcernStatistic:
    """Delete the concern, its texts and history, keeping one anonymous count."""
    stat = ConcernStatistic.objects.create(
        month=timezone.localtime(concern.created).date().replace(day=1),
        region=concern.region,
        relation=concern.relation,
        final_status=concern.status,
        outcome=concern.outcome,
    )
    concern_id = concern.pk
    concern.delete()
    record(
        SYSTEM,
        AuditAction.SERVICE_CONCERN_DELETE_DATA,
        object_type="service.concern",
        object_id=concern_id,
        deleted_by=deleted_by,
    )
    return stat


def run_concern_retention(now: datetime | None = None) -> int:
    """Delete every ended concern whose retention period (the cases') has passed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KOLLEGA_RETENTION_DAYS)
    count = 0
    for concern in Concern.objects.filter(status__in=CONCERN_ENDED, ended_at__lt=cutoff):
        do_delete_concern_data(concern, deleted_by="retention")
        count += 1
    return count
