"""Peer counsellors: their profile, availability and declared conflicts."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField
from kollega.service import choices
from kollega.service.models.base import MAX_TEXT
from kollega.service.models.states import OPEN_COUNSELLOR_STATUSES


def _lines(text: str) -> list[str]:
    return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


class CounsellorProfile(models.Model):
    """A peer counsellor's working details, as used by matching and the coordinator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="counsellor_profile",
    )
    gender = models.CharField(_("gender"), max_length=10, choices=choices.Gender.choices)
    region = models.CharField(_("region"), max_length=20, choices=choices.Region.choices)
    languages = models.JSONField(_("languages"), default=list)
    specialty = models.CharField(_("specialty"), max_length=30, choices=choices.Specialty.choices)
    employer = models.CharField(
        _("employer or health trust"),
        max_length=120,
        help_text=_("Seekers from this employer are never matched with this counsellor."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=3, help_text=_("Open cases at most.")
    )
    active = models.BooleanField(
        _("taking new cases"), default=True, help_text=_("Untick to pause.")
    )
    away_until = models.DateField(
        _("away until"),
        null=True,
        blank=True,
        help_text=_(
            "The last day you are away (holiday, illness, leave). You get no new cases until "
            "then, and new cases again from the day after, without doing anything. Leave empty "
            "when you are not away."
        ),
    )
    remote = models.BooleanField(_("meets by video or phone"), default=True)
    conflict_employers = models.TextField(
        _("employers I must not counsel"),
        blank=True,
        max_length=MAX_TEXT,
        help_text=_("One per line, for example where you are a leader or supervisor."),
    )
    conflict_people = EncryptedTextField(
        _("people I must not counsel"),
        blank=True,
        max_length=MAX_TEXT,
        help_text=_("One name per line. Stored encrypted."),
    )
    # Kept by the assignment action so that matching needs no walk through the history.
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name = _("counsellor profile")
        verbose_name_plural = _("counsellor profiles")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def first_name(self) -> str:
        return self.user.first_name or self.user.get_username()

    def open_case_count(self) -> int:
        return self.cases.filter(status__in=OPEN_COUNSELLOR_STATUSES).count()

    def is_away(self, today: date | None = None) -> bool:
        """Away today: `away_until` is today or later (it is the last day away)."""
        today = today or timezone.localdate()
        return self.away_until is not None and self.away_until >= today

    def takes_new_cases(self, today: date | None = None) -> bool:
        """Neither paused nor away: matching may propose new cases."""
        return self.active and not self.is_away(today)

    def has_capacity(self) -> bool:
        return self.open_case_count() < self.capacity

    def conflict_employer_names(self) -> list[str]:
        return [*_lines(self.conflict_employers), self.employer.strip().lower()]

    def conflict_person_names(self) -> list[str]:
        return _lines(self.conflict_people)

    def language_labels(self) -> list[str]:
        labels = dict(choices.Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]


def taking_new_cases(today: date | None = None) -> models.Q:
    """Counsellor profiles neither paused nor away today, as a filter."""
    today = today or timezone.localdate()
    return models.Q(active=True) & (
        models.Q(away_until__isnull=True) | models.Q(away_until__lt=today)
    )
