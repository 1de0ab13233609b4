"""What the service's actions share: the actors that are not staff, the result of ending a
case, and the words the service writes to a seeker on the status page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kollega.core.audit import SEEKER as SEEKER
from kollega.core.audit import SYSTEM as SYSTEM
from kollega.service import choices, notifications
from kollega.service.models import Appointment, Case, Enrolment, Message

RESEARCH_CONSENT_VERSION = "2025-1"


def cancel_planned(case: Case) -> list[Appointment]:
    """Delete the case's appointments still to come; returns them (for the seeker's message)."""
    cancelled = planned_after(case)
    Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).delete()
    return cancelled


def write_to_seeker(
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


@dataclass(frozen=True)
class Closed:
    """What closing a case changed besides its status, for the counsellor's confirmation."""

    cancelled: list[Appointment]
    kept: list[Enrolment]
    released: list[Enrolment]


def planned_after(case: Case, now: datetime | None = None) -> list[Appointment]:
    """The case's appointments that have not started yet, soonest first."""
    return list(case.appointments.filter(starts__gte=now or timezone.now()).order_by("starts"))


def seeker_language(case: Case) -> str:
    """The site language to write to the seeker in (see `Case.seeker_language`)."""
    return case.seeker_language()


def write_ending(case: Case, closed: Closed, first: str) -> None:
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
            lines.append(text % offering_words(enrolment))
        for enrolment in closed.released:
            text = (
                _("Your place on %(offering)s, %(when)s, is given up.")
                if enrolment.status == placed
                else _("You are no longer on the waiting list for %(offering)s, %(when)s.")
            )
            lines.append(text % offering_words(enrolment))
        lines.append(_("If you need help again later, you are welcome to send a new request."))
        return "\n".join(lines)


def offering_words(enrolment: Enrolment) -> dict[str, str]:
    offering = enrolment.offering
    return {"offering": offering.seeker_title(), "when": _when(offering.starts)}


def _when(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


def tell_counsellor_ended(case: Case) -> None:
    if case.counsellor is not None:
        notifications.tell_counsellor(case.counsellor, case, notifications.ENDED)
