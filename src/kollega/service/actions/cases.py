"""A request's life: sent, accepted or declined, handed back, cancelled, withdrawn, closed,
and the seeker's feedback at the end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import notifications, waiting
from kollega.service.actions.assignment import auto_assign_soon
from kollega.service.actions.base import (
    RESEARCH_CONSENT_VERSION,
    SEEKER,
    Closed,
    cancel_planned,
    planned_after,
    tell_counsellor_ended,
    write_ending,
    write_to_seeker,
)
from kollega.service.actions.offerings import leave_offerings
from kollega.service.models import (
    Appointment,
    Case,
    Feedback,
    Status,
    hash_token,
    new_reference,
    new_spoken_token,
)


@dataclass(frozen=True)
class Submitted:
    case: Case
    token: str


def _unique_reference() -> str:
    while True:
        reference = new_reference()
        if not Case.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def do_submit_request(
    *, actor: Actor = SEEKER, research_consent: bool = False, spoken: bool = False, **fields: Any
) -> Submitted:
    """Create a request from the intake (or from a coordinator taking a phone call).

    Returns the case and its status-link token; only the token's hash is stored. `spoken`
    makes a token to read aloud (`new_spoken_token`). An urgent request alerts the
    coordinators by e-mail once the transaction commits.
    """
    token = new_spoken_token() if spoken else Case.new_token()
    offering = fields.pop("wanted_offering", None)
    case = Case(reference=_unique_reference(), token_hash=hash_token(token), **fields)
    case.wanted_offering = offering
    if research_consent:
        case.research_consent = True
        case.research_consent_version = RESEARCH_CONSENT_VERSION
        case.research_consent_at = timezone.now()
        case.research_id = uuid.uuid4()
    case.save()
    record(
        actor,
        AuditAction.SERVICE_REQUEST_SUBMIT,
        case,
        urgent=case.urgent,
        category=case.category,
        source=case.source,
    )
    if case.urgent:
        notifications.alert_coordinators_urgent(case)
    auto_assign_soon()
    return Submitted(case, token)


@transaction.atomic
def do_accept_case(actor: Actor, case: Case) -> None:
    """The counsellor takes the case; its first acceptance counts as the seeker's first contact."""
    if case.accepted_at is None:
        case.accepted_at = timezone.now()
        waiting.count_first_contact(case, case.accepted_at)
    case.set_status(Status.ACCEPTED, actor=actor)
    record(actor, AuditAction.SERVICE_CASE_ACCEPT, case)
    notifications.tell_seeker(case)


@transaction.atomic
def do_decline_case(actor: Actor, case: Case, *, reason: str) -> list[Appointment]:
    """The counsellor declines: the case goes back to the queue and never to them again.

    Conversations still planned in it are cancelled (nobody would hold them). When that
    touched the seeker, or they have had a counsellor before (and were told the request moved
    on), a message from the service on their status page says it is back in the queue.
    Returns the cancelled appointments.
    """
    if case.status != Status.PROPOSED:
        raise ActionRefused("state")
    cancelled = _back_to_queue(case, actor=actor, reason=reason)
    if cancelled or case.accepted_at is not None:
        write_to_seeker(
            case,
            gettext_noop("The counsellor your request was proposed to cannot take it."),
            cancelled,
            gettext_noop("Your request is back in the queue; we are finding another counsellor."),
        )
    record(actor, AuditAction.SERVICE_CASE_DECLINE, case, reason=reason, cancelled=len(cancelled))
    auto_assign_soon()
    return cancelled


@transaction.atomic
def do_hand_back_case(actor: Actor, case: Case, *, reason: str) -> list[Appointment]:
    """The counsellor gives back a case they accepted (for example, they have recognised the
    seeker): it returns to the queue and is never proposed to them again.

    Their conversations still planned are cancelled, and a message from the service tells
    the seeker, in their language, that the request is back in the queue and what is
    cancelled. Returns the cancelled appointments.
    """
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    old = case.counsellor
    cancelled = _back_to_queue(case, actor=actor, reason=reason)
    write_to_seeker(
        case,
        gettext_noop("Your counsellor cannot continue with your request and has handed it back."),
        cancelled,
        gettext_noop("Your request is back in the queue; we are finding another counsellor."),
    )
    record(
        actor,
        AuditAction.SERVICE_CASE_HAND_BACK,
        case,
        reason=reason,
        counsellor=getattr(old, "pk", None),
        cancelled=len(cancelled),
    )
    notifications.tell_seeker(case)
    auto_assign_soon()
    return cancelled


def _back_to_queue(case: Case, *, actor: Actor, reason: str) -> list[Appointment]:
    """Take the case from its counsellor (never to be proposed to them again) and put it in
    the queue; cancels and returns the conversations still planned."""
    counsellor = case.counsellor
    if counsellor is not None:
        case.excluded_counsellors.add(counsellor)
    cancelled = cancel_planned(case)
    case.counsellor = None
    case.assigned_at = None
    case.set_status(Status.DECLINED, actor=actor, reason=reason)
    return cancelled


@transaction.atomic
def do_close_case(actor: Actor, case: Case, *, outcome: str, keep_places: bool = True) -> Closed:
    """Close the case with an outcome.

    Appointments still to come are cancelled (deleted: nobody will hold them). The seeker's
    places and waiting-list entries on counselling days and courses are kept unless
    `keep_places` is false, when they are given up and the waiting lists move up. When
    anything of this touched the seeker, a message from the service on their status page says
    what changed.
    """
    cancelled = planned_after(case)
    enrolments = list(case.enrolments.select_related("offering"))
    case.outcome = outcome
    case.set_status(Status.CLOSED, actor=actor, reason=outcome)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    if not keep_places:
        leave_offerings(case)
    kept, released = (enrolments, []) if keep_places else ([], enrolments)
    closed = Closed(cancelled=cancelled, kept=kept, released=released)
    if cancelled or enrolments:
        write_ending(case, closed, gettext_noop("Your counsellor has closed your request."))
    record(
        actor,
        AuditAction.SERVICE_CASE_CLOSE,
        case,
        outcome=outcome,
        cancelled=len(cancelled),
        kept_places=len(kept),
        released_places=len(released),
    )
    auto_assign_soon()
    notifications.tell_seeker(case)
    return closed


@transaction.atomic
def do_mark_case_read(actor: Actor, case: Case) -> None:
    """The case's counsellor has opened the case page: the seeker's messages so far are read.

    No audit row of its own: the page view that calls this is audited."""
    case.counsellor_read_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(counsellor_read_at=case.counsellor_read_at)


@transaction.atomic
def do_cancel_request(case: Case) -> list[Appointment]:
    """The seeker cancels from their status page.

    Conversations still to come are cancelled and places given up; the counsellor, if the
    case had one, is told by e-mail that it has ended. Returns the cancelled appointments.
    """
    cancelled = planned_after(case)
    case.set_status(Status.CANCELLED, actor=SEEKER)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    leave_offerings(case)
    record(SEEKER, AuditAction.SERVICE_REQUEST_CANCEL, case, cancelled=len(cancelled))
    tell_counsellor_ended(case)
    auto_assign_soon()
    return cancelled


@transaction.atomic
def do_withdraw_case(actor: Actor, case: Case, *, reason: str) -> Closed:
    """The service withdraws a request (a duplicate, or nobody could reach the seeker).

    As when a case is closed, conversations still to come are cancelled, but the places are
    given up; when that touched the seeker, a message from the service on their status page
    says so. The counsellor, if any, is told by e-mail.
    """
    cancelled = planned_after(case)
    released = list(case.enrolments.select_related("offering"))
    case.set_status(Status.WITHDRAWN, actor=actor, reason=reason)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    leave_offerings(case)
    closed = Closed(cancelled=cancelled, kept=[], released=released)
    if cancelled or released:
        write_ending(case, closed, gettext_noop("The service has withdrawn your request."))
        notifications.tell_seeker(case)
    record(
        actor,
        AuditAction.SERVICE_CASE_WITHDRAW,
        case,
        cancelled=len(cancelled),
        released_places=len(released),
    )
    tell_counsellor_ended(case)
    auto_assign_soon()
    return closed


@transaction.atomic
def do_submit_feedback(
    case: Case, *, helpfulness: int, would_recommend: bool | None, comment: str = ""
) -> Feedback:
    """Anonymous feedback once per closed case; its comment goes when the case goes."""
    if case.status != Status.CLOSED or case.feedback_given:
        raise ActionRefused("state")
    today = timezone.localdate()
    feedback = Feedback.objects.create(
        case=case,
        month=today.replace(day=1),
        helpfulness=helpfulness,
        would_recommend=would_recommend,
        comment=comment,
    )
    case.feedback_given = True
    case.save(update_fields=["feedback_given"])
    record(SEEKER, AuditAction.SERVICE_FEEDBACK_SUBMIT, feedback)
    return feedback
