"""E-mails to a staff member about changes to their own account.

They say only that something changed and where to look: no roles, no study titles, nothing
about seekers. The queue holds the person's id and the kind; the worker looks the address up
when it sends, so no address waits in the queue.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

# The module, not the task: the tasks module imports this one in turn.
from kollega.accounts import tasks
from kollega.accounts.models import User

ROLES_CHANGED = "roles"
STUDIES_CHANGED = "studies"
SIGN_IN_RESET = "reset"
KINDS = (ROLES_CHANGED, STUDIES_CHANGED, SIGN_IN_RESET)


class NoticeNotSent(Exception):
    """Sending failed; the message names the notice only, never an address."""


def tell_staff(user: User, kind: str) -> None:
    """Queue an e-mail to `user` about `kind`, once the change is committed."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind: {kind}")
    if not user.email:
        return
    user_id = user.pk
    transaction.on_commit(lambda: tasks.send_staff_notice.enqueue(kind=kind, user_id=user_id))


def _compose(kind: str) -> tuple[str, str]:
    sign_in = settings.SITE_URL + reverse("accounts:login")
    if kind == SIGN_IN_RESET:
        return _("Your sign-in to Kollega was reset"), _(
            "An administrator reset your sign-in: your password and authenticator code no "
            "longer work. To sign in again, ask to be enrolled anew. If you did not expect "
            "this, tell the person responsible for the service."
        )
    if kind == STUDIES_CHANGED:
        subject = _("Your studies in Kollega changed")
    else:
        subject = _("Your roles in Kollega changed")
    body = _(
        "An administrator changed what you have access to. Sign in to see it: %(url)s\n\n"
        "If you did not expect this, tell the person responsible for the service."
    ) % {"url": sign_in}
    return subject, body


def deliver(kind: str, user_id: int) -> int:
    """Send one notice; returns how many e-mails went (0 if the person or address is gone)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or kind not in KINDS:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _compose(kind)
    try:
        return send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False
        )
    except Exception as error:
        raise NoticeNotSent(
            f"{kind} notice for staff {user_id} not sent ({type(error).__name__})"
        ) from None
