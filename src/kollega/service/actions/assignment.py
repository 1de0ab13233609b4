"""Who gets a request: proposing it to a counsellor (by a coordinator, the seeker's choice or
the batch matcher), moving it to another, and the coordinator's alerts for urgent requests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kollega.accounts.models import User
from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import notifications
from kollega.service.actions.base import SEEKER, SYSTEM, cancel_planned, write_to_seeker
from kollega.service.adapters import batch_for
from kollega.service.models import (
    OPEN_COUNSELLOR_STATUSES,
    TERMINAL_STATUSES,
    Appointment,
    Case,
    CounsellorProfile,
    ServiceSettings,
    Status,
)


def _give_to(case: Case, counsellor: CounsellorProfile) -> None:
    """Point the case at the counsellor, stamping both (matching reads the counsellor's stamp)."""
    case.counsellor = counsellor
    case.assigned_at = timezone.now()
    # The new counsellor has read nothing yet.
    case.counsellor_read_at = None
    counsellor.last_assigned_at = case.assigned_at
    counsellor.save(update_fields=["last_assigned_at"])


@transaction.atomic
def do_assign_counsellor(
    actor: Actor, case: Case, counsellor: CounsellorProfile, *, override_reason: str = ""
) -> None:
    """Propose `case` to `counsellor`; `override_reason` is set when not the first proposal."""
    _give_to(case, counsellor)
    case.first_assigned_at = case.first_assigned_at or case.assigned_at
    case.set_status(Status.PROPOSED, actor=actor, reason=override_reason)
    record(
        actor,
        AuditAction.SERVICE_CASE_ASSIGN,
        case,
        counsellor=counsellor.pk,
        override=bool(override_reason),
    )
    notifications.tell_counsellor(counsellor, case, "proposed")


def auto_assign_soon() -> None:
    """When auto-assignment is on, run it once the surrounding transaction has committed.

    Called where a request arrives or a place frees up (a decline, an end, a capacity change).
    """
    if ServiceSettings.current().auto_assign:
        transaction.on_commit(do_auto_assign)


@transaction.atomic
def do_auto_assign(actor: Actor = SYSTEM, *, quiet: bool = False) -> int:
    """Assign the whole queue at once with the batch matcher; returns how many were assigned.

    ``quiet``: write no audit row when nothing was assigned (the scheduler's regular pass).
    """
    waiting = list(Case.objects.queue().select_for_update())
    pairs, _unmatched = batch_for(waiting)
    for case, profile in pairs:
        do_assign_counsellor(actor, case, profile)
    if pairs or not quiet:
        record(
            actor, AuditAction.SERVICE_QUEUE_AUTO_ASSIGN, assigned=len(pairs), waiting=len(waiting)
        )
    return len(pairs)


def assign_waiting() -> int:
    """The scheduler's regular pass: with auto-assignment on, assign what waits.

    Requests are otherwise assigned when one arrives or a place frees up; this pass also
    catches what no event announces, such as a counsellor's absence ending.
    """
    if not ServiceSettings.current().auto_assign or not Case.objects.queue().exists():
        return 0
    return do_auto_assign(quiet=True)


@transaction.atomic
def do_reassign_case(
    actor: Actor, case: Case, counsellor: CounsellorProfile, *, reason: str
) -> list[Appointment]:
    """Move a case proposed to or held by a counsellor to another; the old one never gets it
    again and is told by e-mail.

    The old counsellor's conversations still planned are cancelled, and a message from the
    service tells the seeker which. The seeker sees on their status page that their request
    has moved. Returns the cancelled appointments.
    """
    old = case.counsellor
    if old is None or old.pk == counsellor.pk or case.status not in OPEN_COUNSELLOR_STATUSES:
        raise ActionRefused("state")
    case.excluded_counsellors.add(old)
    # The old counsellor's appointments go with them: the new one plans their own.
    cancelled = cancel_planned(case)
    _give_to(case, counsellor)
    case.set_status(Status.PROPOSED, actor=actor, reason=reason)
    if cancelled:
        write_to_seeker(
            case,
            gettext_noop("Your request has moved to another counsellor."),
            cancelled,
            gettext_noop("Your new counsellor will contact you to plan a new time."),
        )
    record(
        actor,
        AuditAction.SERVICE_CASE_REASSIGN,
        case,
        old=old.pk,
        counsellor=counsellor.pk,
        cancelled=len(cancelled),
    )
    notifications.tell_counsellor(counsellor, case, "proposed")
    notifications.tell_counsellor_moved(old, case)
    notifications.tell_seeker(case)
    auto_assign_soon()
    return cancelled


@transaction.atomic
def do_acknowledge_urgent(actor: User, case: Case) -> None:
    """A coordinator has seen an urgent request; it is no longer escalated."""
    if not case.urgent or case.acknowledged_at is not None:
        raise ActionRefused("state")
    case.acknowledged_at = timezone.now()
    case.acknowledged_by = actor
    case.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record(actor, AuditAction.SERVICE_CASE_ACKNOWLEDGE, case)


@transaction.atomic
def do_choose_counsellor(case: Case, counsellor: CounsellorProfile) -> None:
    """The seeker chose among the proposals on their status page (when the setting is on)."""
    do_assign_counsellor(SEEKER, case, counsellor, override_reason="seeker_choice")


def escalate_urgent(now: datetime | None = None) -> int:
    """E-mail the coordinators about urgent requests nobody acknowledged in time; returns how
    many. Each request is escalated once (claimed by a conditional update). The e-mail names no
    request and carries nothing about anyone: only that one waits, and where to look."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.KOLLEGA_URGENT_ESCALATION_MINUTES)
    due = Case.objects.filter(
        urgent=True,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        created__lt=cutoff,
    ).exclude(status__in=TERMINAL_STATUSES)
    claimed = 0
    for pk in list(due.values_list("pk", flat=True)):
        claimed += Case.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now)
    if claimed:
        notifications.escalate_urgent(claimed)
        record(SYSTEM, AuditAction.SERVICE_URGENT_ESCALATE, count=claimed)
    return claimed
