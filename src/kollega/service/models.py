"""The service's records: counsellors, requests (cases) and what happens in them.

Every free text, note, message and contact detail is an `EncryptedTextField`. A case and
everything hanging off it is deleted for real by retention or by the seeker; only an
anonymous `CaseStatistic` row stays.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField
from kollega.service import choices

# Limits on what a person may type, enforced by the forms and the field lengths.
MAX_TEXT = 4000
MAX_SHORT_TEXT = 300


class IllegalTransition(Exception):
    """Raised by `Case.set_status()` for a move the transition table does not allow."""


class Status(models.TextChoices):
    NEW = "new", _("Waiting for a counsellor")
    PROPOSED = "proposed", _("Proposed to a counsellor")
    DECLINED = "declined", _("Declined, back in the queue")
    ACCEPTED = "accepted", _("Accepted by a counsellor")
    IN_CONVERSATION = "in_conversation", _("In conversation")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled by the seeker")
    WITHDRAWN = "withdrawn", _("Withdrawn by the service")


_ENDINGS = {Status.CANCELLED, Status.WITHDRAWN}
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.PROPOSED} | _ENDINGS,
    # PROPOSED again is a move (reassignment) to another counsellor, from any state with one;
    # DECLINED from the working states is the counsellor handing the case back to the queue.
    Status.PROPOSED: {Status.ACCEPTED, Status.DECLINED, Status.NEW, Status.PROPOSED} | _ENDINGS,
    Status.DECLINED: {Status.PROPOSED} | _ENDINGS,
    Status.ACCEPTED: {
        Status.IN_CONVERSATION,
        Status.REFERRED,
        Status.CLOSED,
        Status.PROPOSED,
        Status.DECLINED,
    }
    | _ENDINGS,
    Status.IN_CONVERSATION: {Status.REFERRED, Status.CLOSED, Status.PROPOSED, Status.DECLINED}
    | _ENDINGS,
    Status.REFERRED: {Status.IN_CONVERSATION, Status.CLOSED, Status.PROPOSED, Status.DECLINED}
    | _ENDINGS,
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
    Status.WITHDRAWN: set(),
}
QUEUE_STATUSES = (Status.NEW, Status.DECLINED)
TERMINAL_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.WITHDRAWN)
OPEN_COUNSELLOR_STATUSES = (
    Status.PROPOSED,
    Status.ACCEPTED,
    Status.IN_CONVERSATION,
    Status.REFERRED,
)
ACTIVE_WORK_STATUSES = (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED)

# Reference codes avoid letters and digits that are easy to confuse on the phone.
_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
# A status link read aloud over the phone: lower case (as people type addresses), without
# 0/o, 1/l/i, 2/z, 5/s, 8/b and g/q; seven groups of four are about 127 bits.
_SPOKEN_ALPHABET = "acdefhjkmnprtuvwxy34679"
_SPOKEN_GROUPS = 7
_SPOKEN_TOKEN = re.compile(r"[A-Za-z0-9]{4}(?:-[A-Za-z0-9]{4})" + f"{{{_SPOKEN_GROUPS - 1}}}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"K-{body[:4]}-{body[4:]}"


def new_spoken_token() -> str:
    """A status-link token for reading aloud: groups of four unambiguous characters."""
    return "-".join(
        "".join(secrets.choice(_SPOKEN_ALPHABET) for _ in range(4)) for _ in range(_SPOKEN_GROUPS)
    )


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


def _lines(text: str) -> list[str]:
    return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


def taking_new_cases(today: date | None = None) -> models.Q:
    """Counsellor profiles neither paused nor away today, as a filter."""
    today = today or timezone.localdate()
    return models.Q(active=True) & (
        models.Q(away_until__isnull=True) | models.Q(away_until__lt=today)
    )


def open_loads() -> dict[int, int]:
    """Open cases per counsellor id, in one query over open cases only (the status index), so
    it costs the same however many closed cases the counsellors have behind them."""
    rows = (
        Case.objects.filter(status__in=OPEN_COUNSELLOR_STATUSES, counsellor__isnull=False)
        .values_list("counsellor_id")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    return dict(rows)


class CaseQuerySet(models.QuerySet["Case"]):
    def queue(self) -> CaseQuerySet:
        """Requests waiting for a counsellor: urgent first, then oldest."""
        return self.filter(status__in=QUEUE_STATUSES).order_by("-urgent", "created", "pk")

    def for_counsellor(self, user: Any) -> CaseQuerySet:
        return self.filter(counsellor__user=user)

    def by_token(self, token: str) -> Case | None:
        if not token or len(token) > 100:
            return None
        if _SPOKEN_TOKEN.fullmatch(token):
            # A link read aloud may come back typed in capitals.
            token = token.lower()
        return self.filter(token_hash=hash_token(token)).first()


class Case(models.Model):
    """One request for help, from intake until its data is deleted."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, editable=False
    )
    source = models.CharField(
        _("arrived by"), max_length=10, choices=choices.Source.choices, default=choices.Source.WEB
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    category = models.CharField(_("situation"), max_length=10, choices=choices.Category.choices)
    description = EncryptedTextField(_("in your own words"), blank=True)
    expectations = models.JSONField(_("expectations"), default=list, blank=True)
    wanted_offering = models.ForeignKey(
        "Offering",
        verbose_name=_("asked for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Preferences and conflicts.
    pref_gender = models.CharField(
        max_length=10, blank=True, choices=choices.GenderPreference.choices
    )
    pref_meeting = models.CharField(
        max_length=10, blank=True, choices=choices.MeetingPreference.choices
    )
    pref_region = models.CharField(max_length=20, blank=True, choices=choices.Region.choices)
    pref_language = models.CharField(max_length=5, blank=True, choices=choices.Language.choices)
    pref_specialty = models.CharField(
        max_length=10, blank=True, choices=choices.SpecialtyPreference.choices
    )
    avoid_employers = EncryptedTextField(blank=True)
    avoid_people = EncryptedTextField(blank=True)
    # Optional profile for statistics and research.
    gender = models.CharField(max_length=10, blank=True, choices=choices.Gender.choices)
    age_band = models.CharField(max_length=10, blank=True, choices=choices.AgeBand.choices)
    specialty = models.CharField(max_length=30, blank=True, choices=choices.Specialty.choices)
    position = models.CharField(max_length=20, blank=True, choices=choices.Position.choices)
    region = models.CharField(max_length=20, blank=True, choices=choices.Region.choices)
    # Contact.
    contact_method = models.CharField(
        max_length=10, choices=choices.ContactMethod.choices, default=choices.ContactMethod.NONE
    )
    contact_name = EncryptedTextField(blank=True)
    contact_email = EncryptedTextField(blank=True)
    contact_phone = EncryptedTextField(blank=True)
    # The site language the seeker used on the intake ("en", "zh-hans", ...; empty for a
    # request a coordinator recorded): e-mails and the service's messages are written in it.
    language = models.CharField(max_length=10, blank=True, editable=False)
    research_consent = models.BooleanField(default=False)
    research_consent_version = models.CharField(max_length=20, blank=True)
    research_consent_at = models.DateTimeField(null=True, blank=True)
    # The research pool knows this person only by this random id; it is all that links a
    # research participant to the case, so the participant can outlive the case.
    research_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Work.
    counsellor = models.ForeignKey(
        CounsellorProfile,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    excluded_counsellors = models.ManyToManyField(CounsellorProfile, blank=True, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_assigned_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When the counsellor last opened the case page: the seeker's later messages are unread.
    counsellor_read_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=20, blank=True, choices=choices.Outcome.choices)
    extra_conversations = models.PositiveSmallIntegerField(default=0)
    feedback_given = models.BooleanField(default=False)
    # Urgent requests: a coordinator acknowledges them; unacknowledged ones are escalated once.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Counts every change a case form makes (status, counsellor, conversations, appointments,
    # referrals, places): a form sent from a page older than the last change is refused.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [
            # The queue (status, urgent first, oldest first) and each counsellor's open cases.
            models.Index(fields=["status", "urgent", "created"], name="case_queue_idx"),
            models.Index(fields=["counsellor", "status"], name="case_counsellor_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def new_token(cls) -> str:
        return secrets.token_urlsafe(32)

    # State machine -----------------------------------------------------------------------
    def can_move_to(self, new: str) -> bool:
        return new in TRANSITIONS.get(self.status, set())

    def set_status(self, new: str, *, actor: Any, reason: str = "") -> StatusChange:
        """Move to `new`, saving the case and a `StatusChange` row; illegal moves raise.

        Callers are actions that hold a transaction and write the audit event.
        """
        if not self.can_move_to(new):
            raise IllegalTransition(f"{self.status} → {new}")
        old = self.status
        self.status = new
        self.revision += 1
        now = timezone.now()
        if new in TERMINAL_STATUSES:
            self.ended_at = now
        self.save()
        user = actor if getattr(actor, "is_authenticated", False) else None
        label = actor if isinstance(actor, str) else (user.get_username() if user else "")
        return StatusChange.objects.create(
            case=self, old=old, new=new, actor=user, actor_label=label, reason=reason, at=now
        )

    def state_token(self) -> str:
        """What a case form carries to show which state of the case its page showed."""
        return f"{self.status}.{self.revision}"

    def touch(self) -> None:
        """Count a change that is not a move in the state machine (see `revision`)."""
        self.revision += 1
        Case.objects.filter(pk=self.pk).update(revision=models.F("revision") + 1)

    def seeker_language(self) -> str:
        """The site language to write to the seeker in: the one they used on the intake, else
        the language they wished to speak when the site has it, else the site's default."""
        offered = {code for code, _name in settings.LANGUAGES}
        if self.language in offered:
            return self.language
        wished = {"zh": "zh-hans"}.get(self.pref_language, self.pref_language)
        return wished if wished in offered else settings.LANGUAGE_CODE

    # Questions the pages ask ---------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    @property
    def in_queue(self) -> bool:
        return self.status in QUEUE_STATUSES

    @property
    def conversation_limit(self) -> int:
        return int(settings.KOLLEGA_CONVERSATION_LIMIT) + self.extra_conversations

    def conversations_left(self) -> int:
        return max(0, self.conversation_limit - self.conversations.count())

    def waiting_days(self) -> int | None:
        if self.first_assigned_at is None:
            return None
        return (self.first_assigned_at - self.created).days

    def expectation_labels(self) -> list[str]:
        labels = dict(choices.Expectation.choices)
        return [str(labels.get(code, code)) for code in self.expectations]

    def retention_due(self) -> Any:
        if self.ended_at is None:
            return None
        return self.ended_at + timedelta(days=settings.KOLLEGA_RETENTION_DAYS)


class StatusChange(models.Model):
    """One move of a case through the state machine: who, when, from, to and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField(default=timezone.now)
    old = models.CharField(max_length=20, choices=Status.choices)
    new = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"

    def reason_display(self) -> str:
        """The reason as people read it: a decline's reason code ("conflict") as its label in
        the active language; a reason someone wrote, as written."""
        if self.new == Status.DECLINED and self.reason in choices.DeclineReason.values:
            return str(choices.DeclineReason(self.reason).label)
        return str(self.reason)


class Message(models.Model):
    """A message between the seeker and their counsellor; coordinators never read these."""

    class Sender(models.TextChoices):
        SEEKER = "seeker", _("You")
        COUNSELLOR = "counsellor", _("Counsellor")
        COORDINATOR = "coordinator", _("Coordinator")
        # Written by the service itself, e.g. what closing a case changed for the seeker.
        SERVICE = "service", _("The service")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=12, choices=Sender.choices)
    body = EncryptedTextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.sender} {self.created:%Y-%m-%d}"


class Conversation(models.Model):
    """A conversation the counsellor held with the seeker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conversations")
    held_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=10, choices=choices.Mode.choices)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    note = EncryptedTextField(_("short note"), blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.mode}"


class Appointment(models.Model):
    """A planned meeting; its calendar file carries only time and place or link."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    starts = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=60)
    mode = models.CharField(_("mode"), max_length=10, choices=choices.Mode.choices)
    where = EncryptedTextField(_("place or video link"), blank=True)

    class Meta:
        ordering = ["starts", "pk"]

    def __str__(self) -> str:
        return f"{self.starts:%Y-%m-%d %H:%M} {self.mode}"

    @property
    def ends(self) -> Any:
        return self.starts + timedelta(minutes=self.minutes)

    @property
    def link(self) -> str:
        """`where` when it is a web address (a video link), else empty: safe as an href."""
        where = (self.where or "").strip()
        return where if _WEB_ADDRESS.fullmatch(where) else ""


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("referred to"), max_length=20, choices=choices.ReferralKind.choices)
    consent = models.BooleanField(_("the seeker agreed"))
    offering = models.ForeignKey(
        "Offering", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where from the referral directory; deleting the entry keeps the referral and its kind.
    place = models.ForeignKey(
        "ReferralPlace",
        verbose_name=_("where"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    note = EncryptedTextField(_("short note"), blank=True)
    # What the seeker reads on their status page; the note above stays with the counsellor.
    for_seeker = EncryptedTextField(_("for the seeker"), blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.kind


def _in_language(norwegian: str, english: str, chinese: str) -> str:
    """The text in the active language: the English or Chinese one when given, else Norwegian."""
    language = (get_language() or "").lower()
    if language.startswith("en") and english.strip():
        return english
    if language.startswith("zh") and chinese.strip():
        return chinese
    return norwegian


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
        return _in_language(self.description, self.description_en, self.description_zh)

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


class Feedback(models.Model):
    """Anonymous feedback after closing. The comment is deleted together with its case."""

    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    month = models.DateField()
    helpfulness = models.PositiveSmallIntegerField()
    would_recommend = models.BooleanField(null=True)
    comment = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-month", "-pk"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.helpfulness}"


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


# --- Concerns raised by someone else ---------------------------------------------------------


class ConcernStatus(models.TextChoices):
    NEW = "new", _("Waiting for a counsellor")
    PROPOSED = "proposed", _("Proposed to a counsellor")
    TAKEN = "taken", _("Taken up by a counsellor")
    DONE = "done", _("Concluded")
    WITHDRAWN = "withdrawn", _("Withdrawn by the service")


CONCERN_TRANSITIONS: dict[str, set[str]] = {
    ConcernStatus.NEW: {ConcernStatus.PROPOSED, ConcernStatus.WITHDRAWN},
    # PROPOSED again is a move to another counsellor; NEW is a decline or a hand-back.
    ConcernStatus.PROPOSED: {
        ConcernStatus.TAKEN,
        ConcernStatus.NEW,
        ConcernStatus.PROPOSED,
        ConcernStatus.WITHDRAWN,
    },
    ConcernStatus.TAKEN: {
        ConcernStatus.DONE,
        ConcernStatus.NEW,
        ConcernStatus.PROPOSED,
        ConcernStatus.WITHDRAWN,
    },
    ConcernStatus.DONE: set(),
    ConcernStatus.WITHDRAWN: set(),
}
CONCERN_ENDED = (ConcernStatus.DONE, ConcernStatus.WITHDRAWN)
CONCERN_OPEN_FOR_COUNSELLOR = (ConcernStatus.PROPOSED, ConcernStatus.TAKEN)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def by_token(self, token: str) -> Concern | None:
        if not token or len(token) > 100:
            return None
        return self.filter(token_hash=hash_token(token)).first()


class Concern(models.Model):
    """A worry about a doctor, raised by a relative, friend or colleague.

    Routed to a counsellor who decides whether and how to reach out. The sender follows it
    by a status link that shows only its progress, never what the doctor said. Nothing here
    is ever linked to a case: if the doctor later asks for help, their case knows nothing of
    the concern or its sender. Every text is encrypted and deleted by retention.
    """

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

    def can_move_to(self, new: str) -> bool:
        return new in CONCERN_TRANSITIONS.get(self.status, set())

    def set_status(self, new: str, *, actor: Any, reason: str = "") -> ConcernChange:
        """Move to `new`, saving the concern and a `ConcernChange` row; illegal moves raise."""
        if not self.can_move_to(new):
            raise IllegalTransition(f"{self.status} → {new}")
        old = self.status
        self.status = new
        self.revision += 1
        now = timezone.now()
        if new in CONCERN_ENDED:
            self.ended_at = now
        self.save()
        user = actor if getattr(actor, "is_authenticated", False) else None
        label = actor if isinstance(actor, str) else (user.get_username() if user else "")
        return ConcernChange.objects.create(
            concern=self, old=old, new=new, actor=user, actor_label=label, reason=reason, at=now
        )

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


class ConcernChange(models.Model):
    """One move of a concern through its state machine: who, when, from, to and why."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    old = models.CharField(max_length=20, choices=ConcernStatus.choices)
    new = models.CharField(max_length=20, choices=ConcernStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


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
