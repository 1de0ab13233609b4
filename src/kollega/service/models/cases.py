"""A request for help (a case) and what happens in it: its history of states, messages,
conversations, appointments, referrals and the seeker's feedback.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField
from kollega.service import choices
from kollega.service.models.base import SPOKEN_TOKEN, WEB_ADDRESS, hash_token
from kollega.service.models.counsellors import CounsellorProfile
from kollega.service.models.states import (
    OPEN_COUNSELLOR_STATUSES,
    QUEUE_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    StateChange,
    StateMachine,
    Status,
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
        if SPOKEN_TOKEN.fullmatch(token):
            # A link read aloud may come back typed in capitals.
            token = token.lower()
        return self.filter(token_hash=hash_token(token)).first()


class Case(StateMachine):
    """One request for help, from intake until its data is deleted."""

    transitions = TRANSITIONS
    ending = TERMINAL_STATUSES
    history = "status_changes"

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
    def is_closed(self) -> bool:
        """Closed by its counsellor (not cancelled or withdrawn): the seeker may give feedback."""
        return self.status == Status.CLOSED

    @property
    def reached_by_phone(self) -> bool:
        return self.contact_method == choices.ContactMethod.PHONE

    @property
    def reached_by_email(self) -> bool:
        return self.contact_method == choices.ContactMethod.EMAIL

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


class StatusChange(StateChange):
    """One move of a case through the state machine: who, when, from, to and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    old = models.CharField(max_length=20, choices=Status.choices)
    new = models.CharField(max_length=20, choices=Status.choices)

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

    def author(self, *, to_seeker: bool) -> str:
        """Who wrote it, as the seeker (`to_seeker`) or the counsellor reads the thread."""
        if self.sender == self.Sender.COORDINATOR:
            return str(_("Coordinator"))
        if self.sender == self.Sender.SERVICE:
            return str(_("The service"))
        if self.sender == self.Sender.SEEKER:
            return str(_("You") if to_seeker else _("The seeker"))
        return str(_("Your counsellor") if to_seeker else _("You"))


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
        return where if WEB_ADDRESS.fullmatch(where) else ""


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
