"""The work on a case: messages, conversations logged and planned, extra conversations granted,
and referrals.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import notifications
from kollega.service.actions.base import SEEKER, write_to_seeker
from kollega.service.actions.offerings import enrol
from kollega.service.models import (
    Appointment,
    Case,
    Conversation,
    Message,
    Offering,
    Referral,
    ReferralPlace,
    Status,
)


@transaction.atomic
def do_send_message(actor: Actor, case: Case, *, body: str) -> Message:
    """A message from the seeker (actor "seeker") or from the case's counsellor."""
    if not case.is_open:
        raise ActionRefused("closed")
    sender = Message.Sender.SEEKER if actor == SEEKER else Message.Sender.COUNSELLOR
    message = Message.objects.create(case=case, sender=sender, body=body)
    record(actor, AuditAction.SERVICE_MESSAGE_SEND, case, sender=sender)
    if sender == Message.Sender.SEEKER:
        if case.counsellor is not None:
            notifications.tell_counsellor(case.counsellor, case, "message")
    else:
        notifications.tell_seeker(case)
    return message


def conversation_dates(case: Case) -> tuple[date, date]:
    """The first and last day a conversation in the case can have been held: from the day the
    request arrived until today. The form refuses other dates (demo and imported histories
    log theirs through the action directly)."""
    return timezone.localtime(case.created).date(), timezone.localdate()


@transaction.atomic
def do_log_conversation(
    actor: Actor, case: Case, *, held_on: date, mode: str, minutes: int, note: str = ""
) -> Conversation:
    """Record a held conversation; refused past the case's conversation limit."""
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    if case.conversations_left() <= 0:
        raise ActionRefused("limit")
    conversation = Conversation.objects.create(
        case=case, held_on=held_on, mode=mode, minutes=minutes, note=note
    )
    if case.status == Status.ACCEPTED:
        case.set_status(Status.IN_CONVERSATION, actor=actor)
    else:
        case.touch()
    record(actor, AuditAction.SERVICE_CONVERSATION_LOG, case, mode=mode, minutes=minutes)
    return conversation


@transaction.atomic
def do_plan_appointment(
    actor: Actor, case: Case, *, starts: datetime, minutes: int, mode: str, where: str = ""
) -> Appointment:
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    appointment = Appointment.objects.create(
        case=case, starts=starts, minutes=minutes, mode=mode, where=where
    )
    case.touch()
    record(actor, AuditAction.SERVICE_APPOINTMENT_PLAN, case, mode=mode)
    notifications.tell_seeker(case)
    return appointment


@transaction.atomic
def do_cancel_appointment(actor: Actor, case: Case, appointment: Appointment) -> None:
    """The counsellor cancels one conversation still to come; the seeker reads so on their
    status page (and gets an e-mail, if they gave an address)."""
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    if appointment.case_id != case.pk or appointment.starts < timezone.now():
        raise ActionRefused("state")
    appointment.delete()
    write_to_seeker(
        case, gettext_noop("Your counsellor has cancelled a planned conversation."), [appointment]
    )
    case.touch()
    record(actor, AuditAction.SERVICE_APPOINTMENT_CANCEL, case)
    notifications.tell_seeker(case)


@transaction.atomic
def do_grant_conversations(actor: Actor, case: Case, *, extra: int, reason: str) -> None:
    """The coordinator lets a case go past the usual conversation limit."""
    case.extra_conversations += extra
    case.save(update_fields=["extra_conversations"])
    record(actor, AuditAction.SERVICE_CASE_GRANT_CONVERSATIONS, case, extra=extra)


@transaction.atomic
def do_record_referral(
    actor: Actor,
    case: Case,
    *,
    kind: str,
    consent: bool,
    offering: Offering | None = None,
    place: ReferralPlace | None = None,
    note: str = "",
    for_seeker: str = "",
) -> Referral:
    """Record a referral the seeker agreed to; a referral to an offering also enrols them.

    `for_seeker` is shown on the seeker's status page; `note` only to the counsellor.
    """
    if not consent:
        raise ActionRefused("consent")
    # A directory entry says what kind of help it is; statistics count the referral by it.
    kind = place.kind if place is not None else kind
    referral = Referral.objects.create(
        case=case,
        kind=kind,
        consent=True,
        offering=offering,
        place=place,
        note=note,
        for_seeker=for_seeker,
    )
    if case.status != Status.REFERRED:
        case.set_status(Status.REFERRED, actor=actor, reason=kind)
    else:
        case.touch()
    if offering is not None:
        enrol(case, offering)
    record(
        actor,
        AuditAction.SERVICE_REFERRAL_RECORD,
        case,
        kind=kind,
        offering=getattr(offering, "pk", None),
        place=getattr(place, "pk", None),
    )
    return referral


@transaction.atomic
def do_write_to_seeker(actor: Actor, case: Case, *, body: str) -> Message:
    """A coordinator writes to the seeker; it shows in the thread on the status page."""
    if not case.is_open:
        raise ActionRefused("closed")
    message = Message.objects.create(case=case, sender=Message.Sender.COORDINATOR, body=body)
    record(actor, AuditAction.SERVICE_MESSAGE_COORDINATOR, case)
    notifications.tell_seeker(case)
    return message
