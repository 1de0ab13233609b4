"""Concerns raised by someone else about a doctor, with their history and anonymous
statistics.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField
from kollega.service import choices
from kollega.service.models.base import hash_token
from kollega.service.models.counsellors import CounsellorProfile
from kollega.service.models.states import (
    CONCERN_ENDED,
    CONCERN_TRANSITIONS,
    ConcernStatus,
    StateChange,
    StateMachine,
)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def by_token(self, token: str) -> Concern | None:
        if not token or len(token) > 100:
            return None
        return self.filter(token_hash=hash_token(token)).first()


class Concern(StateMachine):
    """A worry about a doctor, raised by a relative, friend or colleague.

    Routed to a counsellor who decides whether and how to reach out. The sender follows it
    by a status link that shows only its progress, never what the doctor said. Nothing here
    is ever linked to a case: if the doctor later asks for help, their case knows nothing of
    the concern or its sender. Every text is encrypted and deleted by retention.
    """

    transitions = CONCERN_TRANSITIONS
    ending = CONCERN_ENDED
    history = "changes"

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConcernStatus.choices,
        default=ConcernStatus.NEW,
        editable=False,
    )
    relation = models.CharField(
        _("the sender is"), max_length=10, choices=choices.ConcernRelation.choices
    )
    region = models.CharField(
        _("the doctor's county"), max_length=20, choices=choices.Region.choices
    )
    doctor_name = EncryptedTextField(_("the doctor's name"))
    workplace = EncryptedTextField(_("the doctor's workplace"), blank=True)
    worry = EncryptedTextField(_("what worries the sender"))
    approach = EncryptedTextField(_("how the doctor might best be approached"), blank=True)
    sender_name = EncryptedTextField(_("the sender's name"), blank=True)
    sender_contact = EncryptedTextField(_("how to reach the sender"), blank=True)
    # The page language the sender wrote in.
    language = models.CharField(max_length=10, blank=True, editable=False)
    counsellor = models.ForeignKey(
        CounsellorProfile,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
    )
    excluded_counsellors = models.ManyToManyField(CounsellorProfile, blank=True, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, blank=True, choices=choices.ConcernOutcome.choices
    )
    # The counsellor's own note on how they went about it; never shown to the sender.
    note = EncryptedTextField(_("short note"), blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in CONCERN_ENDED

    def sender_progress(self) -> str:
        """What the sender reads: how far the concern has come, in words that say nothing of
        the outcome, so that nothing the doctor said or decided reaches the sender."""
        if self.status == ConcernStatus.TAKEN:
            return str(
                _(
                    "A counsellor has taken up your concern and is deciding whether and how to "
                    "reach out."
                )
            )
        if self.status == ConcernStatus.DONE:
            return str(
                _(
                    "A counsellor has taken care of your concern and done what they judged "
                    "best. Out of respect for the doctor we cannot say more."
                )
            )
        if self.status == ConcernStatus.WITHDRAWN:
            return str(_("The service has closed your concern."))
        return str(_("Your concern has arrived and is waiting for a counsellor."))


class ConcernChange(StateChange):
    """One move of a concern through its state machine: who, when, from, to and why."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="changes")
    old = models.CharField(max_length=20, choices=ConcernStatus.choices)
    new = models.CharField(max_length=20, choices=ConcernStatus.choices)


class ConcernStatistic(models.Model):
    """What remains of a concern after its data is deleted: counts only, no text."""

    month = models.DateField()
    region = models.CharField(max_length=20, blank=True, choices=choices.Region.choices)
    relation = models.CharField(max_length=10, choices=choices.ConcernRelation.choices)
    final_status = models.CharField(max_length=20, choices=ConcernStatus.choices)
    outcome = models.CharField(max_length=20, blank=True, choices=choices.ConcernOutcome.choices)

    class Meta:
        ordering = ["-month", "-pk"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.final_status}"
