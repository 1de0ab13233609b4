"""Every change to the service's records: one transaction and one audit event each.

Views, commands and tasks call these; nothing else saves a case. Audit details hold codes
and identifiers only, never what a person typed.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.taskqueue import drop_queued
from kollega.service import choices, notifications, waiting
from kollega.service.models import (
    CONCERN_ENDED,
    OPEN_COUNSELLOR_STATUSES,
    TERMINAL_STATUSES,
    Appointment,
    Case,
    CaseStatistic,
    Concern,
    ConcernStatistic,
    ConcernStatus,
    Conversation,
    CounsellorProfile,
    Enrolment,
    Feedback,
    Message,
    Offering,
    Referral,
    ReferralPlace,
    ServiceSettings,
    Status,
    hash_token,
    new_reference,
    new_spoken_token,
)

SEEKER = "seeker"
SYSTEM = "system"
RESEARCH_CONSENT_VERSION = "2025-1"


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
    *, actor: Any = SEEKER, research_consent: bool = False, spoken: bool = False, **fields: Any
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
        "service.request.submit",
        case,
        urgent=case.urgent,
        category=case.category,
        source=case.source,
    )
    if case.urgent:
        notifications.alert_coordinators_urgent(case)
    _auto_assign_soon()
    return Submitted(case, token)


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
    actor: Any, case: Case, counsellor: CounsellorProfile, *, override_reason: str = ""
) -> None:
    """Propose `case` to `counsellor`; `override_reason` is set when not the first proposal."""
    _give_to(case, counsellor)
    case.first_assigned_at = case.first_assigned_at or case.assigned_at
    case.set_status(Status.PROPOSED, actor=actor, reason=override_reason)
    record(
        actor,
        "service.case.assign",
        case,
        counsellor=counsellor.pk,
        override=bool(override_reason),
    )
    notifications.tell_counsellor(counsellor, case, "proposed")


@transaction.atomic
def do_accept_case(actor: Any, case: Case) -> None:
    """The counsellor takes the case; its first acceptance counts as the seeker's first contact."""
    if case.accepted_at is None:
        case.accepted_at = timezone.now()
        waiting.count_first_contact(case, case.accepted_at)
    case.set_status(Status.ACCEPTED, actor=actor)
    record(actor, "service.case.accept", case)
    notifications.tell_seeker(case)


@transaction.atomic
def do_decline_case(actor: Any, case: Case, *, reason: str) -> list[Appointment]:
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
        _write_to_seeker(
            case,
            gettext_noop("The counsellor your request was proposed to cannot take it."),
            cancelled,
            gettext_noop("Your request is back in the queue; we are finding another counsellor."),
        )
    record(actor, "service.case.decline", case, reason=reason, cancelled=len(cancelled))
    _auto_assign_soon()
    return cancelled


@transaction.atomic
def do_hand_back_case(actor: Any, case: Case, *, reason: str) -> list[Appointment]:
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
    _write_to_seeker(
        case,
        gettext_noop("Your counsellor cannot continue with your request and has handed it back."),
        cancelled,
        gettext_noop("Your request is back in the queue; we are finding another counsellor."),
    )
    record(
        actor,
        "service.case.hand_back",
        case,
        reason=reason,
        counsellor=getattr(old, "pk", None),
        cancelled=len(cancelled),
    )
    notifications.tell_seeker(case)
    _auto_assign_soon()
    return cancelled


def _back_to_queue(case: Case, *, actor: Any, reason: str) -> list[Appointment]:
    """Take the case from its counsellor (never to be proposed to them again) and put it in
    the queue; cancels and returns the conversations still planned."""
    counsellor = case.counsellor
    if counsellor is not None:
        case.excluded_counsellors.add(counsellor)
    cancelled = _cancel_planned(case)
    case.counsellor = None
    case.assigned_at = None
    case.set_status(Status.DECLINED, actor=actor, reason=reason)
    return cancelled


def _cancel_planned(case: Case) -> list[Appointment]:
    """Delete the case's appointments still to come; returns them (for the seeker's message)."""
    cancelled = planned_after(case)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    return cancelled


def _write_to_seeker(
    case: Case, first: str, cancelled: list[Appointment], last: str = ""
) -> Message:
    """A message from the service on the seeker's status page, in their language: ``first``
    and ``last`` (marked with `gettext_noop`) around a line per cancelled conversation."""
    with translation.override(case.seeker_language()):
        lines = [str(_(first))]
        lines += [
            _("The conversation planned for %(when)s is cancelled.")
            % {"when": _when(appointment.starts)}
            for appointment in cancelled
        ]
        if last:
            lines.append(str(_(last)))
    return Message.objects.create(case=case, sender=Message.Sender.SERVICE, body="\n".join(lines))


@transaction.atomic
def do_send_message(actor: Any, case: Case, *, body: str) -> Message:
    """A message from the seeker (actor "seeker") or from the case's counsellor."""
    if not case.is_open:
        raise ActionRefused("closed")
    sender = Message.Sender.SEEKER if actor == SEEKER else Message.Sender.COUNSELLOR
    message = Message.objects.create(case=case, sender=sender, body=body)
    record(actor, "service.message.send", case, sender=sender)
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
    actor: Any, case: Case, *, held_on: date, mode: str, minutes: int, note: str = ""
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
    record(actor, "service.conversation.log", case, mode=mode, minutes=minutes)
    return conversation


@transaction.atomic
def do_plan_appointment(
    actor: Any, case: Case, *, starts: datetime, minutes: int, mode: str, where: str = ""
) -> Appointment:
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    appointment = Appointment.objects.create(
        case=case, starts=starts, minutes=minutes, mode=mode, where=where
    )
    case.touch()
    record(actor, "service.appointment.plan", case, mode=mode)
    notifications.tell_seeker(case)
    return appointment


@transaction.atomic
def do_cancel_appointment(actor: Any, case: Case, appointment: Appointment) -> None:
    """The counsellor cancels one conversation still to come; the seeker reads so on their
    status page (and gets an e-mail, if they gave an address)."""
    if case.status not in (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED):
        raise ActionRefused("state")
    if appointment.case_id != case.pk or appointment.starts < timezone.now():
        raise ActionRefused("state")
    appointment.delete()
    _write_to_seeker(
        case, gettext_noop("Your counsellor has cancelled a planned conversation."), [appointment]
    )
    case.touch()
    record(actor, "service.appointment.cancel", case)
    notifications.tell_seeker(case)


@transaction.atomic
def do_grant_conversations(actor: Any, case: Case, *, extra: int, reason: str) -> None:
    """The coordinator lets a case go past the usual conversation limit."""
    case.extra_conversations += extra
    case.save(update_fields=["extra_conversations"])
    record(actor, "service.case.grant_conversations", case, extra=extra)


@transaction.atomic
def do_record_referral(
    actor: Any,
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
        _enrol(case, offering)
    record(
        actor,
        "service.referral.record",
        case,
        kind=kind,
        offering=getattr(offering, "pk", None),
        place=getattr(place, "pk", None),
    )
    return referral


@dataclass(frozen=True)
class Closed:
    """What closing a case changed besides its status, for the counsellor's confirmation."""

    cancelled: list[Appointment]
    kept: list[Enrolment]
    released: list[Enrolment]


def planned_after(case: Case, now: datetime | None = None) -> list[Appointment]:
    """The case's appointments that have not started yet, soonest first."""
    return list(case.appointments.filter(starts__gte=now or timezone.now()).order_by("starts"))


@transaction.atomic
def do_close_case(actor: Any, case: Case, *, outcome: str, keep_places: bool = True) -> Closed:
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
        _leave_offerings(case)
    kept, released = (enrolments, []) if keep_places else ([], enrolments)
    closed = Closed(cancelled=cancelled, kept=kept, released=released)
    if cancelled or enrolments:
        _write_ending(case, closed, gettext_noop("Your counsellor has closed your request."))
    record(
        actor,
        "service.case.close",
        case,
        outcome=outcome,
        cancelled=len(cancelled),
        kept_places=len(kept),
        released_places=len(released),
    )
    _auto_assign_soon()
    notifications.tell_seeker(case)
    return closed


def seeker_language(case: Case) -> str:
    """The site language to write to the seeker in (see `Case.seeker_language`)."""
    return case.seeker_language()


def _write_ending(case: Case, closed: Closed, first: str) -> None:
    Message.objects.create(
        case=case, sender=Message.Sender.SERVICE, body=_ending_message(case, closed, first)
    )


def _ending_message(case: Case, closed: Closed, first: str) -> str:
    """The service's message to the seeker about their case's end (``first``, marked with
    `gettext_noop`, says which): cancelled appointments and what happens to their places.
    Stored text, so it is written in the seeker's language."""
    with translation.override(seeker_language(case)):
        lines = [str(_(first))]
        for appointment in closed.cancelled:
            lines.append(
                _("The conversation planned for %(when)s is cancelled.")
                % {"when": _when(appointment.starts)}
            )
        placed = choices.EnrolmentStatus.PLACED
        for enrolment in closed.kept:
            text = (
                _("You keep your place on %(offering)s, %(when)s.")
                if enrolment.status == placed
                else _("You stay on the waiting list for %(offering)s, %(when)s.")
            )
            lines.append(text % _offering_words(enrolment))
        for enrolment in closed.released:
            text = (
                _("Your place on %(offering)s, %(when)s, is given up.")
                if enrolment.status == placed
                else _("You are no longer on the waiting list for %(offering)s, %(when)s.")
            )
            lines.append(text % _offering_words(enrolment))
        lines.append(_("If you need help again later, you are welcome to send a new request."))
        return "\n".join(lines)


def _offering_words(enrolment: Enrolment) -> dict[str, str]:
    offering = enrolment.offering
    return {"offering": offering.seeker_title(), "when": _when(offering.starts)}


def _when(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


@transaction.atomic
def do_mark_case_read(actor: Any, case: Case) -> None:
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
    _leave_offerings(case)
    record(SEEKER, "service.request.cancel", case, cancelled=len(cancelled))
    _tell_counsellor_ended(case)
    _auto_assign_soon()
    return cancelled


@transaction.atomic
def do_withdraw_case(actor: Any, case: Case, *, reason: str) -> Closed:
    """The service withdraws a request (a duplicate, or nobody could reach the seeker).

    As when a case is closed, conversations still to come are cancelled, but the places are
    given up; when that touched the seeker, a message from the service on their status page
    says so. The counsellor, if any, is told by e-mail.
    """
    cancelled = planned_after(case)
    released = list(case.enrolments.select_related("offering"))
    case.set_status(Status.WITHDRAWN, actor=actor, reason=reason)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    _leave_offerings(case)
    closed = Closed(cancelled=cancelled, kept=[], released=released)
    if cancelled or released:
        _write_ending(case, closed, gettext_noop("The service has withdrawn your request."))
        notifications.tell_seeker(case)
    record(
        actor,
        "service.case.withdraw",
        case,
        cancelled=len(cancelled),
        released_places=len(released),
    )
    _tell_counsellor_ended(case)
    _auto_assign_soon()
    return closed


def _tell_counsellor_ended(case: Case) -> None:
    if case.counsellor is not None:
        notifications.tell_counsellor(case.counsellor, case, notifications.ENDED)


def _enrol(case: Case, offering: Offering) -> Enrolment:
    # Lock the offering row so that two enrolments cannot take the last place together.
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    existing = Enrolment.objects.filter(case=case, offering=offering).first()
    if existing is not None:
        return existing
    status = (
        choices.EnrolmentStatus.PLACED
        if offering.places_left() > 0
        else choices.EnrolmentStatus.WAITING
    )
    return Enrolment.objects.create(case=case, offering=offering, status=status)


@transaction.atomic
def do_enrol_case(actor: Any, case: Case, offering: Offering) -> Enrolment:
    """Give the case a place on the offering, or a place in its waiting list."""
    if not case.is_open:
        raise ActionRefused("state")
    enrolment = _enrol(case, offering)
    case.touch()
    record(actor, "service.offering.enrol", case, offering=offering.pk, status=enrolment.status)
    notifications.tell_seeker(case)
    return enrolment


@transaction.atomic
def do_remove_enrolment(actor: Any, enrolment: Enrolment) -> None:
    """A coordinator takes the seeker's place (or waiting-list entry) away; the waiting list
    moves up, and a message from the service tells the seeker, in their language."""
    case, offering = enrolment.case, enrolment.offering
    with translation.override(case.seeker_language()):
        text = (
            _("The service has removed your place on %(offering)s, %(when)s.")
            if enrolment.status == choices.EnrolmentStatus.PLACED
            else _("The service has taken you off the waiting list for %(offering)s, %(when)s.")
        ) % _offering_words(enrolment)
    enrolment.delete()
    _promote_waiting(offering)
    Message.objects.create(case=case, sender=Message.Sender.SERVICE, body=text)
    case.touch()
    record(actor, "service.offering.remove", case, offering=offering.pk)
    notifications.tell_seeker(case)


def _leave_offerings(case: Case) -> None:
    offerings = [e.offering for e in case.enrolments.select_related("offering")]
    case.enrolments.all().delete()
    for offering in offerings:
        _promote_waiting(offering)


def _promote_waiting(offering: Offering) -> None:
    """Fill freed places from the waiting list, first come first served."""
    for enrolment in offering.waiting()[: offering.places_left()]:
        enrolment.status = choices.EnrolmentStatus.PLACED
        enrolment.save(update_fields=["status"])
        record(SYSTEM, "service.offering.promote", enrolment.case, offering=offering.pk)


@transaction.atomic
def do_save_offering(actor: Any, offering: Offering) -> Offering:
    created = offering.pk is None
    offering.save()
    _promote_waiting(offering)
    record(actor, "service.offering.create" if created else "service.offering.change", offering)
    return offering


@transaction.atomic
def do_save_referral_place(actor: Any, place: ReferralPlace) -> ReferralPlace:
    created = place.pk is None
    place.save()
    record(actor, "service.directory.create" if created else "service.directory.change", place)
    return place


@transaction.atomic
def do_delete_referral_place(actor: Any, place: ReferralPlace) -> None:
    """Remove an entry; past referrals to it keep their kind (the link is set to null)."""
    record(actor, "service.directory.delete", place, kind=place.kind, region=place.region)
    place.delete()


@transaction.atomic
def do_save_counsellor_profile(actor: Any, profile: CounsellorProfile) -> CounsellorProfile:
    created = profile.pk is None
    profile.save()
    record(actor, "service.counsellor.create" if created else "service.counsellor.change", profile)
    _auto_assign_soon()
    return profile


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
    record(SEEKER, "service.feedback.submit", feedback)
    return feedback


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
    from kollega.service.tasks import send_notice

    drop_queued(send_notice, case_id=case_id)
    for offering in offerings:
        _promote_waiting(offering)
    actor = SEEKER if deleted_by == SEEKER else SYSTEM
    record(
        actor,
        "service.case.delete_data",
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


# --- The coordinator's day: auto-assignment, reassignment, urgent requests --------------


def _auto_assign_soon() -> None:
    """When auto-assignment is on, run it once the surrounding transaction has committed.

    Called where a request arrives or a place frees up (a decline, an end, a capacity change).
    """
    if ServiceSettings.current().auto_assign:
        transaction.on_commit(do_auto_assign)


@transaction.atomic
def do_auto_assign(actor: Any = SYSTEM, *, quiet: bool = False) -> int:
    """Assign the whole queue at once with the batch matcher; returns how many were assigned.

    ``quiet``: write no audit row when nothing was assigned (the scheduler's regular pass).
    """
    from kollega.service.matching import batch_for

    waiting = list(Case.objects.queue().select_for_update())
    pairs, _unmatched = batch_for(waiting)
    for case, profile in pairs:
        do_assign_counsellor(actor, case, profile)
    if pairs or not quiet:
        record(actor, "service.queue.auto_assign", assigned=len(pairs), waiting=len(waiting))
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
    actor: Any, case: Case, counsellor: CounsellorProfile, *, reason: str
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
    cancelled = _cancel_planned(case)
    _give_to(case, counsellor)
    case.set_status(Status.PROPOSED, actor=actor, reason=reason)
    if cancelled:
        _write_to_seeker(
            case,
            gettext_noop("Your request has moved to another counsellor."),
            cancelled,
            gettext_noop("Your new counsellor will contact you to plan a new time."),
        )
    record(
        actor,
        "service.case.reassign",
        case,
        old=old.pk,
        counsellor=counsellor.pk,
        cancelled=len(cancelled),
    )
    notifications.tell_counsellor(counsellor, case, "proposed")
    notifications.tell_counsellor_moved(old, case)
    notifications.tell_seeker(case)
    _auto_assign_soon()
    return cancelled


@transaction.atomic
def do_acknowledge_urgent(actor: Any, case: Case) -> None:
    """A coordinator has seen an urgent request; it is no longer escalated."""
    if not case.urgent or case.acknowledged_at is not None:
        raise ActionRefused("state")
    case.acknowledged_at = timezone.now()
    case.acknowledged_by = actor
    case.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record(actor, "service.case.acknowledge", case)


@transaction.atomic
def do_write_to_seeker(actor: Any, case: Case, *, body: str) -> Message:
    """A coordinator writes to the seeker; it shows in the thread on the status page."""
    if not case.is_open:
        raise ActionRefused("closed")
    message = Message.objects.create(case=case, sender=Message.Sender.COORDINATOR, body=body)
    record(actor, "service.message.coordinator", case)
    notifications.tell_seeker(case)
    return message


@transaction.atomic
def do_save_service_settings(actor: Any, service: ServiceSettings) -> ServiceSettings:
    service.pk = 1
    service.save()
    record(
        actor,
        "service.settings.change",
        auto_assign=service.auto_assign,
        seeker_choice=service.seeker_choice,
    )
    _auto_assign_soon()
    return service


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
        record(SYSTEM, "service.urgent.escalate", count=claimed)
    return claimed


# --- Concerns raised by someone else ----------------------------------------------------------

SENDER = "concern sender"


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
    record(SENDER, "service.concern.raise", concern, region=concern.region)
    _propose_concern(concern, actor=SYSTEM)
    return Raised(concern, token)


def _propose_concern(concern: Concern, *, actor: Any) -> CounsellorProfile | None:
    from kollega.service.matching import match_concern

    best = match_concern(concern).proposals[:1]
    if not best:
        return None
    _give_concern(actor, concern, best[0].profile, reason="")
    return best[0].profile


def _give_concern(actor: Any, concern: Concern, counsellor: CounsellorProfile, reason: str) -> None:
    concern.counsellor = counsellor
    concern.assigned_at = timezone.now()
    concern.set_status(ConcernStatus.PROPOSED, actor=actor, reason=reason)
    counsellor.last_assigned_at = concern.assigned_at
    counsellor.save(update_fields=["last_assigned_at"])
    record(actor, "service.concern.assign", concern, counsellor=counsellor.pk)
    notifications.tell_counsellor_concern(counsellor)


@transaction.atomic
def do_assign_concern(actor: Any, concern: Concern, counsellor: CounsellorProfile) -> None:
    """A coordinator proposes the concern to `counsellor`, or moves it there from another."""
    if concern.counsellor_id == counsellor.pk and concern.status != ConcernStatus.NEW:
        raise ActionRefused("state")
    _give_concern(actor, concern, counsellor, reason="")


@transaction.atomic
def do_take_up_concern(actor: Any, concern: Concern) -> None:
    concern.set_status(ConcernStatus.TAKEN, actor=actor)
    record(actor, "service.concern.take_up", concern)


@transaction.atomic
def do_decline_concern(actor: Any, concern: Concern, *, reason: str) -> None:
    """The counsellor hands the concern back (a conflict, no room): it is never proposed to
    them again, and goes on to the next best counsellor when there is one."""
    declined = concern.counsellor
    if declined is not None:
        concern.excluded_counsellors.add(declined)
    concern.counsellor = None
    concern.set_status(ConcernStatus.NEW, actor=actor, reason=reason)
    record(actor, "service.concern.decline", concern, reason=reason)
    _propose_concern(concern, actor=SYSTEM)


@transaction.atomic
def do_conclude_concern(actor: Any, concern: Concern, *, outcome: str, note: str = "") -> None:
    """The counsellor records what came of it. The sender is never told the outcome."""
    if outcome not in choices.ConcernOutcome.values:
        raise ActionRefused("state")
    concern.outcome = outcome
    concern.note = note
    concern.set_status(ConcernStatus.DONE, actor=actor)
    record(actor, "service.concern.conclude", concern, outcome=outcome)


@transaction.atomic
def do_withdraw_concern(actor: Any, concern: Concern, *, reason: str) -> None:
    """A coordinator closes a concern (a duplicate, nothing to act on)."""
    concern.set_status(ConcernStatus.WITHDRAWN, actor=actor, reason=reason)
    record(actor, "service.concern.withdraw", concern)


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
        "service.concern.delete_data",
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
