"""The service's settings and the anonymous rows that outlive the cases: statistics and the
tally of waiting times.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.models.states import Status


class CaseStatistic(models.Model):
    """What remains of a case after its personal data is deleted: no text, no identifiers."""

    month = models.DateField()
    category = models.CharField(max_length=10, choices=choices.Category.choices)
    source = models.CharField(max_length=10, choices=choices.Source.choices)
    urgent = models.BooleanField(default=False)
    expectations = models.JSONField(default=list)
    region = models.CharField(max_length=20, blank=True, choices=choices.Region.choices)
    gender = models.CharField(max_length=10, blank=True, choices=choices.Gender.choices)
    age_band = models.CharField(max_length=10, blank=True, choices=choices.AgeBand.choices)
    specialty = models.CharField(max_length=30, blank=True, choices=choices.Specialty.choices)
    position = models.CharField(max_length=20, blank=True, choices=choices.Position.choices)
    final_status = models.CharField(max_length=20, choices=Status.choices)
    outcome = models.CharField(max_length=20, blank=True, choices=choices.Outcome.choices)
    conversations = models.PositiveSmallIntegerField(default=0)
    referrals = models.JSONField(default=list)
    waiting_days = models.PositiveIntegerField(null=True, blank=True)
    deleted_by = models.CharField(max_length=10)  # "retention" or "seeker"

    class Meta:
        ordering = ["-month", "-pk"]
        indexes = [models.Index(fields=["month"], name="casestatistic_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category} {self.final_status}"


class ServiceSettings(models.Model):
    """How the service runs, changed by coordinators on the settings page. One row."""

    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=False,
        help_text=_(
            "Assign every waiting request to the best counsellor when it arrives and whenever "
            "a place frees up."
        ),
    )
    seeker_choice = models.BooleanField(
        _("seekers choose among the proposals"),
        default=False,
        help_text=_(
            "Show a waiting seeker the three best proposals on their status page (first name, "
            "region, specialty and gender only) and let them choose."
        ),
    )

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

    def __str__(self) -> str:
        return str(_("service settings"))

    @classmethod
    def current(cls) -> ServiceSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class WaitTally(models.Model):
    """How many requests first reached a counsellor on `day` after waiting `days` (rounded up).

    A small table kept current by the accept action (and rebuilt by `waiting.rebuild_tally()`),
    so that the expected waiting time costs the same whatever the history. It holds counts
    only and outlives the cases it counts.
    """

    day = models.DateField()
    urgent = models.BooleanField(default=False)
    days = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "urgent", "days"]
        constraints = [
            models.UniqueConstraint(fields=["day", "urgent", "days"], name="one_wait_tally_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.days}d x{self.count}"
