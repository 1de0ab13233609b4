"""Studies, participants, interviews, their recordings and transcripts.

Participants are known here only by a pseudonym. Recordings are stored encrypted in file
storage; transcript text and proposed identifiers are encrypted in the database. Deleting a
participant (withdrawal) deletes their interviews, recordings and transcripts, files included.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField
from kollega.speech.types import TurnDict

MAX_TITLE = 200
MAX_PSEUDONYM = 20


def clock(seconds: float | None) -> str:
    """Seconds as h:mm:ss (or m:ss under an hour); empty when unknown."""
    if seconds is None:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Language(models.TextChoices):
    NB = "nb", _("Norwegian (Bokmål)")
    NN = "nn", _("Norwegian (Nynorsk)")
    EN = "en", _("English")


class Study(models.Model):
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    aims = models.TextField(_("aims"), blank=True)
    language = models.CharField(
        _("interview language"), max_length=2, choices=Language.choices, default=Language.NB
    )
    researchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("researchers"), related_name="studies"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    # The protocol.
    research_questions = models.TextField(_("research questions"), blank=True)
    ethics_reference = models.CharField(_("ethics approval reference"), max_length=100, blank=True)
    target_sample = models.PositiveSmallIntegerField(_("target sample size"), null=True, blank=True)
    # Codes from Dimension: the profile answers the sample should vary on.
    dimensions = models.JSONField(_("variation dimensions"), default=list, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return self.title

    @property
    def current_consent(self) -> ConsentVersion | None:
        return self.consent_versions.order_by("-created", "-pk").first()

    def dimension_labels(self) -> list[str]:
        labels = dict(Dimension.choices)
        return [str(labels.get(d, d)) for d in self.dimensions]


class Dimension(models.TextChoices):
    """The optional profile answers a sample can vary on (all come from the intake)."""

    GENDER = "gender", _("Gender")
    AGE_BAND = "age_band", _("Age band")
    SPECIALTY = "specialty", _("Specialty")
    POSITION = "position", _("Position")
    REGION = "region", _("Region")
    CATEGORY = "category", _("Help-seeking situation")


class ConsentVersion(models.Model):
    """A version of the consent text a participant agrees to; the version is recorded on them."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_versions")
    version = models.CharField(_("version"), max_length=20)
    text = models.TextField(_("consent text"))
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="unique_consent_version")
        ]

    def __str__(self) -> str:
        return self.version


class GuideTopic(models.Model):
    """One topic of the interview guide, in order, with its prompts (one per line)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="guide_topics")
    position = models.PositiveSmallIntegerField(default=0)
    topic = models.CharField(_("topic"), max_length=MAX_TITLE)
    prompts = models.TextField(_("prompts"), blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.topic

    def prompt_lines(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]


class Wave(models.Model):
    """An interview wave: its window opens and closes so many days after the service contact."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField(_("wave"))
    name = models.CharField(_("name"), max_length=100)
    opens_day = models.IntegerField(_("opens, days after the contact"))
    closes_day = models.IntegerField(_("closes, days after the contact"))

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_wave")]

    def __str__(self) -> str:
        return self.name

    def opens(self, contact: date) -> date:
        return contact + timedelta(days=self.opens_day)

    def closes(self, contact: date) -> date:
        return contact + timedelta(days=self.closes_day)


class Participant(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(_("pseudonym"), max_length=MAX_PSEUDONYM)
    created = models.DateTimeField(default=timezone.now, editable=False)
    # Recruited through the service: the opaque link to the pool (no foreign key, so the
    # participant outlives the service's case), the contact date the waves count from, the
    # consent version agreed to and the optional profile (codes only).
    link = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    contact_date = models.DateField(_("service contact"), null=True, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    # A case of a project imported from a .qdpx: never part of the study's recruitment, with
    # the case variables the file gave it (name to value).
    imported = models.BooleanField(_("imported case"), default=False)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["study", "pseudonym"], name="unique_pseudonym")
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.pseudonym


class InterviewKind(models.TextChoices):
    FIRST = "first", _("First interview")
    FOLLOW_UP = "follow_up", _("Follow-up interview")


class Interview(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="interviews"
    )
    kind = models.CharField(
        _("interview"), max_length=10, choices=InterviewKind.choices, default=InterviewKind.FIRST
    )
    scheduled_on = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created = models.DateTimeField(default=timezone.now, editable=False)
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interviews",
    )

    class Meta:
        ordering = ["participant__pseudonym", "scheduled_on", "pk"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.participant.pseudonym} · {self.get_kind_display()}"

    @property
    def study(self) -> Study:
        return self.participant.study


class Recording(models.Model):
    """The interview's audio, encrypted with the data keys before it reaches file storage."""

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="recording")
    file = models.FileField(upload_to="research/recordings/", editable=False)
    size_bytes = models.PositiveBigIntegerField(editable=False)
    duration_s = models.FloatField(editable=False)
    channels = models.PositiveSmallIntegerField(editable=False)
    uploaded = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"recording of interview {self.interview_id}"

    @property
    def duration_text(self) -> str:
        """h:mm:ss or m:ss."""
        return clock(self.duration_s)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Transcribing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class BackgroundJob(models.Model):
    """What every background job of this app records: status, progress, why it failed."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    fraction = models.FloatField(default=0.0)
    # Why it failed, in words for the researcher; never transcript text.
    error = models.CharField(max_length=500, blank=True)
    # The background task's id, to find it in the worker's queue.
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created"]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


class TranscriptionJob(BackgroundJob):
    """One run of local transcription; the worker writes its progress here."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="transcription_jobs"
    )
    eta_s = models.FloatField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Last sign of life from the worker; a job silent for long is presumed dead.
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"transcription {self.pk} of interview {self.interview_id}: {self.status}"

    @property
    def eta_minutes(self) -> int | None:
        """Whole minutes left, rounded up; None until the worker can estimate."""
        if self.eta_s is None:
            return None
        return max(1, math.ceil(self.eta_s / 60))


class TranscriptSource(models.TextChoices):
    TRANSCRIBED = "transcribed", _("Transcribed here from the recording")
    IMPORTED = "imported", _("Imported from a file")


class TurnMethod(models.TextChoices):
    CHANNELS = "channels", _("by channel: one speaker per channel of the recording")
    PAUSES = "pauses", _("by voice and pauses: a suggestion to check")
    NONE = "none", _("not split: one speaker")
    FILE = "file", _("as given in the imported file")


class Transcript(models.Model):
    """The interview as speaker turns. ``turns`` is encrypted JSON: a list of
    ``{"speaker", "start", "end", "text"}`` (times in seconds, or null when unknown)."""

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="transcript")
    source = models.CharField(max_length=12, choices=TranscriptSource.choices)
    turn_method = models.CharField(max_length=10, choices=TurnMethod.choices)
    model = models.CharField(max_length=200, blank=True)
    settings_used = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices)
    turns_json = EncryptedTextField(default="[]")
    deidentified = models.DateTimeField(null=True, blank=True)
    proposals_made = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"transcript of interview {self.interview_id}"

    @property
    def turns(self) -> list[TurnDict]:
        value = json.loads(self.turns_json or "[]")
        assert isinstance(value, list)  # noqa: S101 - written only by set_turns
        return value

    def set_turns(self, turns: Sequence[TurnDict]) -> None:
        self.turns_json = json.dumps(turns, ensure_ascii=False)

    @property
    def text(self) -> str:
        """Turn texts joined by blank lines: the text that findings' offsets point into."""
        return TURN_SEPARATOR.join(turn["text"] for turn in self.turns)


TURN_SEPARATOR = "\n\n"


class ProposalJob(BackgroundJob):
    """One background run of the identifier rules over a transcript; the worker writes its
    progress here. Its proposals are stored only if the words did not change meanwhile."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="proposal_jobs"
    )
    # The transcript's version the rules ran on.
    version = models.PositiveIntegerField()

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"identifier proposals {self.pk} for transcript {self.transcript_id}: {self.status}"


class FindingDecision(models.TextChoices):
    PROPOSED = "proposed", _("To decide")
    ACCEPTED = "accepted", _("Replace")
    REJECTED = "rejected", _("Keep")


class Finding(models.Model):
    """A proposed identifier in a transcript, at offsets into ``Transcript.text``.

    Deleted once the approved ones are applied: what they point at is then gone.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=12)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = EncryptedTextField()
    confidence = models.FloatField()
    source = models.CharField(max_length=40, blank=True)
    decision = models.CharField(
        max_length=10, choices=FindingDecision.choices, default=FindingDecision.PROPOSED
    )

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        # Never the identifier itself: this string can reach logs.
        return f"{self.kind} at {self.start}-{self.end}"


# --- Recruitment ---------------------------------------------------------------------------


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


def pool_code(link: Any) -> str:
    """How researchers see a pool member before they consent: a code from the opaque link."""
    return "S-" + str(link).replace("-", "")[:8].upper()


class Invitation(models.Model):
    """An invitation sent through the service to a pool member, known here by opaque link only."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="invitations")
    link = models.UUIDField(editable=False)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    answered = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "link"], name="one_invitation_per_study")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.status}"

    @property
    def code(self) -> str:
        return pool_code(self.link)


class ExclusionReason(models.TextChoices):
    WINDOW_PASSED = "window_passed", _("Not interviewed within the window")


class Exclusion(models.Model):
    """A participant left out of one wave, with the reason (as the study design requires)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="exclusions"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.CharField(max_length=20, choices=ExclusionReason.choices)
    window_closed = models.DateField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "wave"], name="one_exclusion_per_wave")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} excluded from wave {self.wave_id}: {self.reason}"


class WindowNotice(models.Model):
    """That researchers were told a participant's window is about to close (sent once)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="window_notices"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    sent = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "wave"], name="one_notice_per_wave")
        ]

    def __str__(self) -> str:
        return f"notice {self.participant_id}/{self.wave_id}"
