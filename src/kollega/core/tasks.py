"""Background tasks shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(recipients: list[str], subject: str, body: str) -> int:
    """Send a plain-text e-mail in the background; returns the number of messages sent.

    Callers must keep personal free text and health details out of `subject` and `body`.
    """
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
