"""The collegial support scheme (støttekollegaordningen) beside the intake.

A counsellor's public listing, the contacts they register that came outside Kollega, and the
settlements a county leader approves. Registrations keep no personal data: dates of the
conversations and closed codes only, so that settlement and statistics need nothing else.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.phone import tel_uri
from kollega.service import choices
from kollega.service.models import CounsellorProfile, ReferralPlace

MAX_LISTING_TEXT = 300


class Channel(models.TextChoices):
    """How a contact came to the counsellor, outside Kollega's own request."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    CONCERN = "concern", _("A relative or colleague was concerned")
    OUTREACH = "outreach", _("I reached out to the colleague")


class Listing(models.Model):
    """What a counsellor shows on the public list, and the version a county leader approved.

    The counsellor edits the draft fields; approval copies them into `published`, which is
    all the public page reads (one query, no joins, no per-row work). A change waits for
    approval while the approved version stays up; withdrawing or hiding takes effect at once.
    """

    profile = models.OneToOneField(
        CounsellorProfile, on_delete=models.CASCADE, related_name="listing"
    )
    listed = models.BooleanField(_("show me on the public list"), default=False)
    hidden = models.BooleanField(
        _("hide me for now"),
        default=False,
        help_text=_("You are also hidden automatically while you are away."),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    workplace = models.CharField(_("workplace"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    show_languages = models.BooleanField(_("show the languages I speak"), default=True)
    text = models.CharField(_("a short text about me"), max_length=MAX_LISTING_TEXT, blank=True)
    # The approved version: {"name", "workplace", "phone", "tel", "email", "languages", "text"}.
    published = models.JSONField(null=True, blank=True, editable=False)
    # The counsellor's county when approved: the public list's filter, indexed.
    county = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    changed_since_approval = models.BooleanField(default=False, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("public listing")
        verbose_name_plural = _("public listings")

    def __str__(self) -> str:
        return str(self.profile)

    @property
    def awaits_approval(self) -> bool:
        return self.listed and (self.published is None or self.changed_since_approval)

    def draft(self) -> dict[str, Any]:
        """The counsellor's current choices, as `published` would hold them."""
        return {
            "name": self.name.strip(),
            "workplace": self.workplace.strip(),
            "phone": self.phone.strip(),
            "tel": tel_uri(self.phone) if self.phone.strip() else "",
            "email": self.email.strip(),
            "languages": list(self.profile.languages) if self.show_languages else [],
            "text": self.text.strip(),
        }


class Registration(models.Model):
    """A contact that came outside Kollega, registered by its counsellor for settlement and
    statistics: no name, no contact details, no free text.

    `scheme_county` is the counsellor's county when registered: its leader settles it and sees
    it in the county's statistics. Editable by the counsellor until `settlement` is set.
    """

    counsellor = models.ForeignKey(
        CounsellorProfile, on_delete=models.PROTECT, related_name="registrations"
    )
    scheme_county = models.CharField(max_length=20, choices=choices.Region.choices, db_index=True)
    channel = models.CharField(_("how the contact came"), max_length=20, choices=Channel.choices)
    category = models.CharField(
        _("what it was about"), max_length=20, choices=choices.Category.choices
    )
    age_band = models.CharField(
        _("age"), max_length=20, choices=choices.AgeBand.choices, blank=True
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=choices.Gender.choices, blank=True
    )
    county = models.CharField(
        _("the colleague's county"), max_length=20, choices=choices.Region.choices, blank=True
    )
    specialty = models.CharField(
        _("specialty"), max_length=30, choices=choices.Specialty.choices, blank=True
    )
    referral = models.CharField(
        _("referred to"), max_length=20, choices=choices.ReferralKind.choices, blank=True
    )
    # Where from the referral directory; `referral` holds its kind, which statistics count and
    # which stays when the entry is deleted from the directory.
    place = models.ForeignKey(
        ReferralPlace,
        verbose_name=_("where"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The conversations' dates, sorted; 1 to KOLLEGA_CONVERSATION_LIMIT of them.
    dates = models.JSONField(_("dates of the conversations"), default=list)
    first_on = models.DateField(editable=False)
    last_on = models.DateField(editable=False)
    settlement = models.ForeignKey(
        "Settlement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        editable=False,
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-first_on", "-pk"]
        verbose_name = _("registered contact")
        verbose_name_plural = _("registered contacts")
        indexes = [models.Index(fields=["counsellor", "last_on"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.first_on:%Y-%m-%d}"

    @property
    def conversations(self) -> int:
        return len(self.dates)

    @property
    def settled(self) -> bool:
        return self.settlement_id is not None

    def conversation_dates(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.dates]

    def set_dates(self, days: list[date]) -> None:
        ordered = sorted(days)
        self.dates = [day.isoformat() for day in ordered]
        self.first_on, self.last_on = ordered[0], ordered[-1]


class RegistrationStatistic(models.Model):
    """What remains of a registration after retention: its codes and how many conversations,
    without the counsellor, the dates or the directory entry. Counted in the statistics as the
    registration was, in the month of its first conversation."""

    month = models.DateField()
    scheme_county = models.CharField(max_length=20, choices=choices.Region.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    category = models.CharField(max_length=20, choices=choices.Category.choices)
    age_band = models.CharField(max_length=20, choices=choices.AgeBand.choices, blank=True)
    gender = models.CharField(max_length=10, choices=choices.Gender.choices, blank=True)
    county = models.CharField(max_length=20, choices=choices.Region.choices, blank=True)
    specialty = models.CharField(max_length=30, choices=choices.Specialty.choices, blank=True)
    referral = models.CharField(max_length=20, choices=choices.ReferralKind.choices, blank=True)
    conversations = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-month", "-pk"]
        indexes = [models.Index(fields=["scheme_county", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Settlement(models.Model):
    """One counsellor's conversations for one month or quarter, approved by a county leader.

    Covers every registration of the counsellor not settled before whose conversations were
    all held by the period's end (so one registered late is paid in the next settlement).
    The rate is copied when approved; the amount never changes after.
    """

    counsellor = models.ForeignKey(
        CounsellorProfile, on_delete=models.PROTECT, related_name="settlements"
    )
    county = models.CharField(max_length=20, choices=choices.Region.choices, db_index=True)
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()  # the period's last day
    contacts = models.PositiveIntegerField()
    conversations = models.PositiveIntegerField()
    rate = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    approved_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(
                fields=["counsellor", "kind", "start"], name="settlement_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.counsellor} {self.period_label()}"

    def period_label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @staticmethod
    def amount_for(conversations: int, rate: Decimal) -> Decimal:
        return (rate * conversations).quantize(Decimal("0.01"))
