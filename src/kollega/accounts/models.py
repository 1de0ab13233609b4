from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member: counsellor, coordinator, researcher, county leader or administrator.

    Help-seekers never get accounts. `session_epoch` is part of the session hash, so raising
    it signs the person out of every browser at once.
    """

    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)
    # For the county leader role: the counties (region codes) whose scheme this person leads.
    counties = models.JSONField(_("counties led"), default=list, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "kollega.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()
