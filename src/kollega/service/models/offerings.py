"""Where a seeker may be sent: the referral directory, and the service's own counselling days
and courses with their places and waiting lists.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.models.base import MAX_SHORT_TEXT, in_language
from kollega.service.models.cases import Case


class ReferralPlace(models.Model):
    """An entry in the referral directory: where counsellors refer to, by county and kind.

    Kept by coordinators (every county) and county leaders (their own counties). An entry
    without a county serves the whole country.
    """

    region = models.CharField(
        _("county"),
        max_length=20,
        blank=True,
        choices=choices.Region.choices,
        help_text=_("Leave empty for a service open to doctors from every county."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.ReferralKind.choices)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    web = models.URLField(_("web address"), max_length=300, blank=True)
    description = models.TextField(
        _("short description"),
        max_length=MAX_SHORT_TEXT * 2,
        blank=True,
        help_text=_("In Norwegian: what they offer doctors and how to book."),
    )
    description_en = models.TextField(
        _("description in English"), max_length=MAX_SHORT_TEXT * 2, blank=True
    )
    description_zh = models.TextField(
        _("description in Chinese"), max_length=MAX_SHORT_TEXT * 2, blank=True
    )

    class Meta:
        ordering = ["region", "kind", "name", "pk"]
        verbose_name = _("referral directory entry")
        verbose_name_plural = _("referral directory")

    def __str__(self) -> str:
        return f"{self.name} ({self.region_label()})"

    def region_label(self) -> str:
        return str(self.get_region_display()) if self.region else str(_("All counties"))

    def seeker_description(self) -> str:
        """The description in the active language, falling back to the Norwegian one."""
        return in_language(self.description, self.description_en, self.description_zh)

    @property
    def phone_link(self) -> str:
        """The phone number as a tel: address (digits and a leading +), or empty."""
        digits = re.sub(r"[^\d+]", "", self.phone or "")
        return f"tel:{digits}" if digits else ""


class Offering(models.Model):
    """A counselling day or a group course (the resource-centre model) with a waiting list."""

    kind = models.CharField(_("kind"), max_length=10, choices=choices.OfferingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    # The title is Norwegian; seekers reading in English or Chinese see a translation beside it.
    title_en = models.CharField(
        _("title in English"),
        max_length=120,
        blank=True,
        help_text=_("Optional. Shown beside the Norwegian title to seekers who read in English."),
    )
    title_zh = models.CharField(
        _("title in Chinese"),
        max_length=120,
        blank=True,
        help_text=_("Optional. Shown beside the Norwegian title to seekers who read in Chinese."),
    )
    place = models.CharField(_("place"), max_length=200)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    open_for_requests = models.BooleanField(_("seekers may ask for it"), default=True)

    class Meta:
        ordering = ["starts", "pk"]
        verbose_name = _("counselling day or course")
        verbose_name_plural = _("counselling days and courses")

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts):%d.%m.%Y})"

    def title_translation(self) -> str:
        """The title in the active language, when that is not Norwegian and one is given."""
        language = (get_language() or "").lower()
        if language.startswith("en"):
            translation = self.title_en
        elif language.startswith("zh"):
            translation = self.title_zh
        else:
            return ""
        translation = translation.strip()
        return "" if translation == self.title else translation

    def seeker_title(self) -> str:
        """The Norwegian title with its translation in English and Chinese, else the title alone."""
        translation = self.title_translation()
        return f"{self.title} ({translation})" if translation else self.title

    def places_taken(self) -> int:
        return self.enrolments.filter(status=choices.EnrolmentStatus.PLACED).count()

    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken())

    def waiting(self) -> models.QuerySet[Enrolment]:
        return self.enrolments.filter(status=choices.EnrolmentStatus.WAITING).order_by(
            "created", "pk"
        )


class Enrolment(models.Model):
    """A case's place (or place in the waiting list) on an offering."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="enrolments")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=choices.EnrolmentStatus.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "case"], name="one_enrolment_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.offering_id}/{self.case_id} {self.status}"

    @property
    def is_placed(self) -> bool:
        """Has a place (rather than a place on the waiting list)."""
        return self.status == choices.EnrolmentStatus.PLACED


def with_positions(enrolments: list[Enrolment]) -> list[Enrolment]:
    """Set `position` (place in its offering's waiting list, or None) on each, in one query."""
    waiting = (
        Enrolment.objects.filter(
            offering_id__in={e.offering_id for e in enrolments},
            status=choices.EnrolmentStatus.WAITING,
        )
        .annotate(
            position=models.Window(
                RowNumber(),
                partition_by=[models.F("offering_id")],
                order_by=[models.F("created").asc(), models.F("pk").asc()],
            )
        )
        .values_list("pk", "position")
    )
    positions = dict(waiting) if enrolments else {}
    for enrolment in enrolments:
        enrolment.position = positions.get(enrolment.pk)  # type: ignore[attr-defined]
    return enrolments
