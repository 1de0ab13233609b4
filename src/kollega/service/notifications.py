"""E-mails the service sends. They never carry free text, health details or the category:
only that something happened and where to look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.core.roles import COORDINATOR
from kollega.core.tasks import send_email

if TYPE_CHECKING:
    from kollega.service.models import Case, CounsellorProfile


def send_plain(recipients: list[str], subject: str, body: str) -> None:
    """Queue an e-mail once the surrounding transaction commits."""
    if recipients:
        transaction.on_commit(lambda: send_email.enqueue(recipients, subject, body))


def coordinator_addresses() -> list[str]:
    configured = list(settings.KOLLEGA_COORDINATOR_EMAILS)
    staff = get_user_model().objects.filter(groups__name=COORDINATOR, is_active=True)
    return sorted(
        set(configured) | {email for email in staff.values_list("email", flat=True) if email}
    )


def alert_coordinators_urgent(case: Case) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Urgent request %(reference)s") % {"reference": case.reference}
        body = _(
            "An urgent request has arrived. Open the queue now: %(url)s\n"
            "The request itself is only shown after you sign in."
        ) % {"url": settings.SITE_URL + reverse("service:queue")}
    send_plain(coordinator_addresses(), subject, body)


def tell_counsellor(counsellor: CounsellorProfile, case: Case, what: str) -> None:
    email = counsellor.user.email
    if not email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if what == "proposed":
            subject = _("A new case has been proposed to you")
        else:
            subject = _("A new message in case %(reference)s") % {"reference": case.reference}
        body = _("Sign in to read it: %(url)s") % {
            "url": settings.SITE_URL + reverse("service:case", args=[case.pk])
        }
    send_plain([email], subject, body)


def tell_seeker(case: Case) -> None:
    """Only for seekers who gave an e-mail address; the link itself is never stored."""
    from kollega.service.choices import ContactMethod

    if case.contact_method != ContactMethod.EMAIL or not case.contact_email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("News about your request %(reference)s") % {"reference": case.reference}
        body = _(
            "There is news about your request. Open the status link you saved when you "
            "sent it to read it."
        )
    send_plain([case.contact_email], subject, body)


def escalate_urgent(count: int) -> None:
    """Coordinators are told that urgent requests wait unacknowledged: how many, nothing else."""
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
    send_plain(coordinator_addresses(), subject, body)
