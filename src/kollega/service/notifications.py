"""E-mails the service sends. They never carry free text, health details or the category:
only that something happened and where to look.

The queue holds ids only (`send_notice(kind, case_id, counsellor_id)`): the worker looks the
addresses up, decrypting the seeker's, when it sends. A notice for a case deleted in the
meantime sends nothing, and deleting a case removes its notices still in the queue.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.core.roles import COORDINATOR
from kollega.service.choices import ContactMethod
from kollega.service.models import Case, CounsellorProfile
from kollega.service.tasks import send_notice

URGENT = "urgent"
PROPOSED = "proposed"
MESSAGE = "message"
SEEKER_NEWS = "seeker_news"
ENDED = "ended"
# To a counsellor no longer on the case: a coordinator moved it, or the seeker deleted it.
MOVED = "moved"
DELETED = "deleted"
# To a counsellor: a concern about a colleague is proposed to them. It names no concern.
CONCERN = "concern"
KINDS = (URGENT, PROPOSED, MESSAGE, SEEKER_NEWS, ENDED, MOVED, DELETED, CONCERN)
COUNSELLOR_KINDS = (PROPOSED, MESSAGE, ENDED)


class NoticeNotSent(Exception):
    """Sending failed; the message names the notice only, never an address."""


def _queue(kind: str, case: Case | None, counsellor: CounsellorProfile | None = None) -> None:
    case_id = case.pk if case is not None else None
    counsellor_id = counsellor.pk if counsellor is not None else None
    transaction.on_commit(
        lambda: send_notice.enqueue(kind=kind, case_id=case_id, counsellor_id=counsellor_id)
    )


def coordinator_addresses() -> list[str]:
    configured = list(settings.KOLLEGA_COORDINATOR_EMAILS)
    staff = get_user_model().objects.filter(groups__name=COORDINATOR, is_active=True)
    return sorted(
        set(configured) | {email for email in staff.values_list("email", flat=True) if email}
    )


def alert_coordinators_urgent(case: Case) -> None:
    _queue(URGENT, case)


def tell_counsellor(counsellor: CounsellorProfile, case: Case, what: str) -> None:
    """`what` is "proposed", "message" or "ended" (the seeker cancelled, or the service
    withdrew the case)."""
    if counsellor.user.email:
        _queue(what if what in COUNSELLOR_KINDS else MESSAGE, case, counsellor)


def tell_counsellor_moved(counsellor: CounsellorProfile, case: Case) -> None:
    """A coordinator has moved the case from `counsellor` to another."""
    if counsellor.user.email:
        _queue(MOVED, case, counsellor)


def tell_counsellor_deleted(counsellor: CounsellorProfile) -> None:
    """The seeker of a case `counsellor` had has deleted it. The notice carries no case id
    (the case is gone, and deleting it drops its queued notices), so the e-mail names none."""
    if counsellor.user.email:
        _queue(DELETED, None, counsellor)


def tell_counsellor_concern(counsellor: CounsellorProfile) -> None:
    """A concern raised by someone else is proposed to `counsellor`."""
    if counsellor.user.email:
        _queue(CONCERN, None, counsellor)


def tell_seeker(case: Case) -> None:
    """Only for seekers who gave an e-mail address; the link itself is never stored."""
    if case.contact_method == ContactMethod.EMAIL and case.contact_email:
        _queue(SEEKER_NEWS, case)


def _compose(
    kind: str, case: Case, counsellor: CounsellorProfile | None
) -> tuple[list[str], str, str]:
    reference = {"reference": case.reference}
    if kind == URGENT:
        subject = _("Urgent request %(reference)s") % reference
        body = _(
            "An urgent request has arrived. Open the queue now: %(url)s\n"
            "The request itself is only shown after you sign in."
        ) % {"url": settings.SITE_URL + reverse("service:queue")}
        return coordinator_addresses(), subject, body
    if kind == MOVED:
        # Only while the case is really no longer theirs.
        if counsellor is None or case.counsellor_id == counsellor.pk or not counsellor.user.email:
            return [], "", ""
        subject = _("Case %(reference)s has been moved to another counsellor") % reference
        body = _(
            "A coordinator has moved the case to another counsellor. Conversations you had "
            "planned in it are cancelled, and the seeker is told. Your cases: %(url)s"
        ) % {"url": settings.SITE_URL + reverse("service:my_cases")}
        return [counsellor.user.email], subject, body
    if kind in COUNSELLOR_KINDS:
        # A counsellor no longer on the case is not told about it.
        if counsellor is None or case.counsellor_id != counsellor.pk or not counsellor.user.email:
            return [], "", ""
        if kind == PROPOSED:
            subject = _("A new case has been proposed to you")
        elif kind == ENDED:
            subject = (
                _("Case %(reference)s has ended; any conversations still planned are cancelled")
                % reference
            )
        else:
            subject = _("A new message in case %(reference)s") % reference
        body = _("Sign in to read it: %(url)s") % {
            "url": settings.SITE_URL + reverse("service:case", args=[case.pk])
        }
        return [counsellor.user.email], subject, body
    if case.contact_method != ContactMethod.EMAIL or not case.contact_email:
        return [], "", ""
    subject = _("News about your request %(reference)s") % reference
    body = _(
        "There is news about your request. Open the status link you saved when you "
        "sent it to read it."
    )
    return [case.contact_email], subject, body


def deliver(kind: str, case_id: int | None, counsellor_id: int | None = None) -> int:
    """Send one queued notice; returns the number of e-mails sent (0 if the case is gone).

    Raises NoticeNotSent when the mail server refuses, without the addresses the server's own
    error would name, so that no address reaches the task's stored error.
    """
    if kind not in KINDS:
        raise NoticeNotSent(f"unknown notice kind {kind!r}")
    counsellor = (
        CounsellorProfile.objects.select_related("user").filter(pk=counsellor_id).first()
        if counsellor_id is not None
        else None
    )
    if kind == DELETED:
        with translation.override(settings.LANGUAGE_CODE):
            recipients, subject, body = _compose_deleted(counsellor)
        return _send(kind, case_id, recipients, subject, body)
    if kind == CONCERN:
        with translation.override(settings.LANGUAGE_CODE):
            recipients, subject, body = _compose_concern(counsellor)
        return _send(kind, case_id, recipients, subject, body)
    case = Case.objects.select_related("counsellor__user").filter(pk=case_id or 0).first()
    if case is None:
        return 0
    # The seeker reads in the language they used on the intake; staff in the site's.
    language = case.seeker_language() if kind == SEEKER_NEWS else settings.LANGUAGE_CODE
    with translation.override(language):
        recipients, subject, body = _compose(kind, case, counsellor)
    return _send(kind, case_id, recipients, subject, body)


def _compose_deleted(counsellor: CounsellorProfile | None) -> tuple[list[str], str, str]:
    if counsellor is None or not counsellor.user.email:
        return [], "", ""
    subject = _("A seeker has deleted their request")
    body = _(
        "A seeker whose case you had has deleted their request and all its data. It is no "
        "longer on your list, and conversations planned in it are cancelled. Your cases: %(url)s"
    ) % {"url": settings.SITE_URL + reverse("service:my_cases")}
    return [counsellor.user.email], subject, body


def _compose_concern(counsellor: CounsellorProfile | None) -> tuple[list[str], str, str]:
    if counsellor is None or not counsellor.user.email:
        return [], "", ""
    subject = _("A concern about a colleague has been proposed to you")
    body = _(
        "Someone worried about a doctor has written to the service, and the concern is "
        "proposed to you. Sign in to read it and decide: %(url)s"
    ) % {"url": settings.SITE_URL + reverse("service:my_cases")}
    return [counsellor.user.email], subject, body


def _send(kind: str, case_id: int | None, recipients: list[str], subject: str, body: str) -> int:
    if not recipients:
        return 0
    try:
        return send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False
        )
    except Exception as error:
        raise NoticeNotSent(
            f"{kind} notice for case {case_id} not sent ({type(error).__name__})"
        ) from None


def escalate_urgent(count: int) -> int:
    """Tell the coordinators that urgent requests wait unacknowledged: how many, nothing else.

    Runs inside the worker's own `escalate_urgent` task (which takes no arguments), so the
    addresses are looked up here and never stored in the task queue.
    """
    recipients = coordinator_addresses()
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Urgent requests are waiting without acknowledgement")
        body = _(
            "%(count)s urgent request(s) have not been acknowledged within %(minutes)s minutes. "
            "Sign in and open the queue: %(url)s"
        ) % {
            "count": count,
            "minutes": settings.KOLLEGA_URGENT_ESCALATION_MINUTES,
            "url": settings.SITE_URL + reverse("service:queue"),
        }
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
