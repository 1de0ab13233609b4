"""The service's side of research: the pool of consenting seekers and invitation e-mails.

The research app sees a pool member only as a `PoolMember`: an opaque id, the date of their
contact with the service and their optional profile as codes. Never a name, contact detail,
reference, free text or note. E-mails are queued with the case's id and the worker reads the
address itself, so no address travels through the task queue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from kollega.core.audit import SEEKER as SEEKER
from kollega.service.choices import ContactMethod
from kollega.service.models import Case

# The profile answers a researcher may see: codes from the intake's optional profile and the
# help-seeking situation. Nothing else of the case goes to research.
PROFILE_FIELDS = ("gender", "age_band", "specialty", "position", "region", "category")


@dataclass(frozen=True)
class PoolMember:
    link: uuid.UUID
    contact_date: date
    profile: dict[str, str] = field(default_factory=dict)


def _consenting() -> Any:
    return Case.objects.filter(research_consent=True, research_id__isnull=False)


def _member(row: dict[str, Any]) -> PoolMember:
    return PoolMember(
        link=row["research_id"],
        contact_date=timezone.localtime(row["created"]).date(),
        profile={name: row[name] or "" for name in PROFILE_FIELDS},
    )


def research_pool() -> list[PoolMember]:
    """Everyone whose case exists and who agreed at intake to be invited, oldest contact first."""
    rows = _consenting().order_by("created", "pk").values("research_id", "created", *PROFILE_FIELDS)
    return [_member(row) for row in rows]


def pool_member(link: uuid.UUID | str) -> PoolMember | None:
    row = _consenting().filter(research_id=link).values("research_id", "created", *PROFILE_FIELDS)
    first = row.first()
    return _member(first) if first else None


def notify_invited(link: uuid.UUID | str) -> bool:
    """Queue a content-free e-mail to the pool member if they gave an address; says whether.

    Only the case's id goes into the queue (after the transaction commits).
    """
    case_id = (
        _consenting()
        .filter(research_id=link, contact_method=ContactMethod.EMAIL)
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is None:
        return False
    transaction.on_commit(lambda: tell_seeker_invited.enqueue(case_id))
    return True


@task()
def tell_seeker_invited(case_id: int) -> int:
    """Tell the seeker, by e-mail, that an invitation waits on their status page.

    Reads and decrypts the address here, in the worker; sends nothing when the case is gone,
    has no e-mail address or no longer consents. Returns the number of e-mails sent.
    """
    case = Case.objects.filter(pk=case_id, research_consent=True).first()
    if case is None or case.contact_method != ContactMethod.EMAIL or not case.contact_email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("An invitation on your status page")
        body = _(
            "You have been invited to take part in research about the service. Open the status "
            "link you saved when you sent your request to read the invitation and answer it. "
            "Saying no makes no difference to the help you get."
        )
    return send_mail(
        subject, body, settings.DEFAULT_FROM_EMAIL, [case.contact_email], fail_silently=False
    )


def leave_pool(link: uuid.UUID | str) -> bool:
    """Take the case with this research id, if it still exists, out of the pool for good:
    its consent and id are cleared. Says whether there was such a case. Callers hold the
    transaction and write the audit event."""
    return bool(
        Case.objects.filter(research_id=link).update(
            research_consent=False,
            research_consent_version="",
            research_consent_at=None,
            research_id=None,
        )
    )
