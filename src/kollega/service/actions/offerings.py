"""Counselling days and courses: places, waiting lists and their moving up."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import choices, notifications
from kollega.service.actions.base import SYSTEM, offering_words
from kollega.service.models import Case, Enrolment, Message, Offering


def enrol(case: Case, offering: Offering) -> Enrolment:
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
def do_enrol_case(actor: Actor, case: Case, offering: Offering) -> Enrolment:
    """Give the case a place on the offering, or a place in its waiting list."""
    if not case.is_open:
        raise ActionRefused("state")
    enrolment = enrol(case, offering)
    case.touch()
    record(
        actor,
        AuditAction.SERVICE_OFFERING_ENROL,
        case,
        offering=offering.pk,
        status=enrolment.status,
    )
    notifications.tell_seeker(case)
    return enrolment


@transaction.atomic
def do_remove_enrolment(actor: Actor, enrolment: Enrolment) -> None:
    """A coordinator takes the seeker's place (or waiting-list entry) away; the waiting list
    moves up, and a message from the service tells the seeker, in their language."""
    case, offering = enrolment.case, enrolment.offering
    with translation.override(case.seeker_language()):
        text = (
            _("The service has removed your place on %(offering)s, %(when)s.")
            if enrolment.status == choices.EnrolmentStatus.PLACED
            else _("The service has taken you off the waiting list for %(offering)s, %(when)s.")
        ) % offering_words(enrolment)
    enrolment.delete()
    promote_waiting(offering)
    Message.objects.create(case=case, sender=Message.Sender.SERVICE, body=text)
    case.touch()
    record(actor, AuditAction.SERVICE_OFFERING_REMOVE, case, offering=offering.pk)
    notifications.tell_seeker(case)


def leave_offerings(case: Case) -> None:
    offerings = [e.offering for e in case.enrolments.select_related("offering")]
    case.enrolments.all().delete()
    for offering in offerings:
        promote_waiting(offering)


def promote_waiting(offering: Offering) -> None:
    """Fill freed places from the waiting list, first come first served."""
    for enrolment in offering.waiting()[: offering.places_left()]:
        enrolment.status = choices.EnrolmentStatus.PLACED
        enrolment.save(update_fields=["status"])
        record(SYSTEM, AuditAction.SERVICE_OFFERING_PROMOTE, enrolment.case, offering=offering.pk)


@transaction.atomic
def do_save_offering(actor: Actor, offering: Offering) -> Offering:
    created = offering.pk is None
    offering.save()
    promote_waiting(offering)
    record(
        actor,
        AuditAction.SERVICE_OFFERING_CREATE if created else AuditAction.SERVICE_OFFERING_CHANGE,
        offering,
    )
    return offering
