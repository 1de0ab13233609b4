"""The STC workbench's records: one analysis per study, through Malterud's four steps.

For whoever builds on these (steps 3-4, results, imports):

- ``Analysis`` belongs to a ``research.Study``; its researchers are the study's researchers
  (no separate membership). ``access.get_analysis_for_user`` is the one permission rule.
- ``AnalysisTranscript`` is one *version* of a de-identified research transcript inside an
  analysis: ``text`` (encrypted snapshot, the string all offsets point into) and ``turns_json``
  (encrypted ``[{"speaker", "start", "end"}]`` as offsets into ``text``). It hangs on the
  ``research.Interview`` (CASCADE), so withdrawing the participant deletes it and everything
  pointing into it. ``current`` marks the latest version of each interview in the analysis;
  older versions stay only while units still point at them (the researcher fixes those).
- Step 1: ``Theme`` per researcher (``owner``), ``shared`` once they share it; ``state`` is
  ``own`` for themes a person wrote, ``suggested``/``accepted``/``rejected`` for ones an
  assistant proposed (``model`` and ``model_settings`` record which). ``ThemeSuggestionRun`` is the
  background job with its progress (``CodeSuggestionRun`` the same for step 2's suggested
  code groups, per coder and transcript version).
- Step 2: ``CodeGroup`` (``parent`` for hierarchy, ``codable`` False for a heading only).
  ``MeaningUnit`` is a span ``[start, end)`` in one transcript version, owned by a ``coder``;
  never a copy of the text (``unit.text`` slices the version). ``Coding`` puts a unit in a
  code group (one per unit; ``origin`` hand or suggestion, ``model``/``model_settings`` when
  suggested, ``decided_by``/``decided_at``). ``SuggestionDecision`` records each suggested
  code group a person accepted or rejected (rank, confidence, model). ``CodingComparison``
  marks that coders asked to compare: only then do they see each other's units.
  ``CodingRound`` keeps each comparison as computed (figures, coders, units compared) and
  ``RoundDifference`` each difference and how it was settled. Closing a round makes one
  agreed unit per passage (``MeaningUnit.agreed_in``) and retires the coders' originals
  (``retired_in``): read ``MeaningUnit.objects.in_analysis()`` in steps 3-4 and the results.
- Step 3: ``Subgroup`` (within a code group; ``units`` M2M), ``Condensate`` (encrypted
  first-person ``text``, ``units`` it rests on, ``extractive`` draft flag, ``model`` when
  drafted by an assistant), ``GoldenQuote`` (span in a transcript version, per subgroup).
- Step 4: ``Category`` (gathers code groups), ``AnalyticText`` (encrypted ``text`` about one
  code group *or* one category; ``condensates`` and ``quotes`` it cites).
- Every editable text has ``version`` (an int): a save names the version it was opened on and
  is refused when the row has moved on (see ``actions.save_versioned``).
- ``sources_withdrawn`` on condensates and analytic texts is set when a participant's
  withdrawal removed units or quotes they cited (``signals.py``); the researcher reviews and
  clears it.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.fields import EncryptedTextField

MAX_NAME = 200
MAX_MODEL = 200
# Encrypted text has no column limit; the forms hold a theme and a description to these.
MAX_THEME = 500
MAX_TEXT = 5000

# The code groups' palette: each colour has at least 4.5:1 contrast with white text on it and
# with black text on its light tint (see workbench.css, ``[data-colour="n"]``). The names are
# the text alternative shown beside the colour.
COLOURS = [
    _("blue"),
    _("green"),
    _("purple"),
    _("orange"),
    _("teal"),
    _("red"),
    _("brown"),
    _("grey"),
]
# The same colours as RGB, for REFI-QDA files (keep in step with workbench.css).
COLOUR_HEX = [
    "#1D4ED8",
    "#15803D",
    "#7E22CE",
    "#C2410C",
    "#0F766E",
    "#B91C1C",
    "#92400E",
    "#4B5563",
]


def nearest_colour(rgb: str | None) -> int | None:
    """The palette colour (1-based) closest to ``#RRGGBB``; None for anything else."""
    text = (rgb or "").strip().lstrip("#")
    if len(text) != 6:
        return None
    try:
        want = [int(text[i : i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return None
    distances = [
        sum((int(h[1 + 2 * i : 3 + 2 * i], 16) - want[i]) ** 2 for i in range(3))
        for h in COLOUR_HEX
    ]
    return distances.index(min(distances)) + 1


class Analysis(models.Model):
    study = models.ForeignKey("research.Study", on_delete=models.CASCADE, related_name="analyses")
    name = models.CharField(_("name"), max_length=MAX_NAME)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")

    def __str__(self) -> str:
        return self.name


class AnalysisTranscript(models.Model):
    """One version of a de-identified transcript, frozen for the analysis."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="transcripts")
    interview = models.ForeignKey(
        "research.Interview", on_delete=models.CASCADE, related_name="analysis_transcripts"
    )
    number = models.PositiveIntegerField(default=1)  # this snapshot's version in the analysis
    source_version = models.PositiveIntegerField()  # research.Transcript.version it copies
    text = EncryptedTextField()
    turns_json = EncryptedTextField(default="[]")
    current = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["interview__participant__pseudonym", "interview_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "interview", "number"], name="unique_transcript_version"
            ),
            models.UniqueConstraint(
                fields=["analysis", "interview"],
                condition=Q(current=True),
                name="one_current_transcript_version",
            ),
        ]

    def __str__(self) -> str:
        return f"interview {self.interview_id} v{self.number} in analysis {self.analysis_id}"

    @property
    def turns(self) -> list[dict[str, Any]]:
        """``[{"speaker", "start", "end"}]``: offsets into ``text``."""
        value = json.loads(self.turns_json or "[]")
        assert isinstance(value, list)  # noqa: S101 - written only by the actions
        return value


class ThemeState(models.TextChoices):
    OWN = "own", _("Written by a researcher")
    SUGGESTED = "suggested", _("Suggested, to decide")
    ACCEPTED = "accepted", _("Suggested and accepted")
    REJECTED = "rejected", _("Suggested and rejected")


class Theme(models.Model):
    """Step 1: a preliminary theme from the total impression."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="themes")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    label = EncryptedTextField(_("theme"))
    description = EncryptedTextField(_("notes"), blank=True)
    shared = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ThemeState.choices, default=ThemeState.OWN)
    model = models.CharField(max_length=MAX_MODEL, blank=True)
    model_settings = models.JSONField(default=dict, blank=True)
    # Typical sentences an assistant gave for a suggested theme: [{"transcript", "start", "end"}].
    typical_json = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"theme {self.pk}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Working")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ThemeSuggestionRun(models.Model):
    """One background run of theme suggestion; the worker writes its progress here."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="theme_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    fraction = models.FloatField(default=0.0)
    error = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"theme suggestion {self.pk}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


class CodeSuggestionRun(models.Model):
    """One background run of "Suggest code groups" for one coder's uncoded units in one
    transcript version; the worker writes its progress, then its result, here.

    ``result_json`` holds ids and numbers only, never a unit's text: ``{"ranked": {unit id:
    {"ranking": [[code group id, confidence]], "confident", "reason", "advice"}}, "model",
    "settings"}`` (reasons and advice name code groups, as the page shows them).
    """

    transcript = models.ForeignKey(
        AnalysisTranscript, on_delete=models.CASCADE, related_name="suggestion_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    fraction = models.FloatField(default=0.0)
    error = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    result_json = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"code suggestion {self.pk}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


class CodeGroup(models.Model):
    """Step 2: a code group; ``parent`` makes the code book hierarchical."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="code_groups")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=MAX_NAME)
    description = EncryptedTextField(_("description"), blank=True)
    codable = models.BooleanField(_("units can be sorted into it"), default=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="code_groups"
    )
    position = models.PositiveIntegerField(default=0)
    # One of ``COLOURS`` (1-based): shown as a stripe/border beside the text, never alone.
    colour = models.PositiveSmallIntegerField(_("colour"), default=1)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class TranscriptSpan(models.Model):
    """``transcript.text[start:end]``: offsets into one transcript version, never a copy."""

    transcript: Any
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        abstract = True

    @property
    def text(self) -> str:
        return str(self.transcript.text)[self.start : self.end]


class MeaningUnitQuerySet(models.QuerySet["MeaningUnit"]):
    def in_analysis(self) -> MeaningUnitQuerySet:
        """The units steps 3-4 and the results read: not a coder's original that a closed
        round of comparison replaced by one agreed unit (those stay for the audit trail)."""
        return self.filter(retired_in__isnull=True)

    def in_groups(self, groups: Any) -> MeaningUnitQuerySet:
        """The units sorted into any of ``groups`` (pks or groups), as first group or as a
        further one (``AlsoCoded``); each unit once."""
        further = AlsoCoded.objects.filter(code_group__in=groups).values("unit_id")
        return self.filter(Q(coding__code_group__in=groups) | Q(pk__in=further))

    def group_rows(self, *fields: str) -> list[tuple[Any, ...]]:
        """``fields`` plus a code group's pk, one row per unit and group it is sorted into:
        its first group (``coding``) and each further one (``also_coded``)."""
        first = self.filter(coding__isnull=False).values_list(*fields, "coding__code_group_id")
        further = self.filter(also_coded__isnull=False).values_list(
            *fields, "also_coded__code_group_id"
        )
        return [*first, *further]

    def on_page_of(self, coder: Any) -> MeaningUnitQuerySet:
        """The units a coder works on in step 2: their own, and the units agreed in a closed
        round (those belong to every coder of the transcript, who have compared it)."""
        return self.in_analysis().filter(Q(coder_id=coder.pk) | Q(agreed_in__isnull=False))


class MeaningUnit(TranscriptSpan):
    """Step 2: ``transcript.text[start:end]``, marked by one coder.

    ``retired_in``: the round whose closing replaced this coder's original by one agreed
    unit; it stays for the audit trail, out of steps 3-4 (use ``objects.in_analysis()``).
    ``agreed_in``: the round that made this unit the coders' agreed one.
    """

    transcript = models.ForeignKey(
        AnalysisTranscript, on_delete=models.CASCADE, related_name="units"
    )
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    # A round goes only with its interview (withdrawal, a deleted study or analysis), which
    # takes these units along; but an edit may have carried them to a newer version, deleted
    # after the round's own version, one version per transaction (core.batchdelete). So no
    # database constraint and no cascade: for that moment the id points at nothing, and a
    # retired unit stays out of the analysis, until its own version goes.
    retired_in = models.ForeignKey(
        "CodingRound",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="retired_units",
    )
    agreed_in = models.ForeignKey(
        "CodingRound",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="agreed_units",
    )

    objects = MeaningUnitQuerySet.as_manager()

    class Meta:
        ordering = ["transcript_id", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="unit_not_empty"),
        ]

    def __str__(self) -> str:
        return f"unit {self.pk} at {self.start}-{self.end}"


class CodingOrigin(models.TextChoices):
    HAND = "hand", _("By hand")
    SUGGESTION = "suggestion", _("Accepted suggestion")


class Coding(models.Model):
    """A meaning unit sorted into a code group (one group per unit)."""

    unit = models.OneToOneField(MeaningUnit, on_delete=models.CASCADE, related_name="coding")
    code_group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(
        max_length=10, choices=CodingOrigin.choices, default=CodingOrigin.HAND
    )
    model = models.CharField(max_length=MAX_MODEL, blank=True)
    model_settings = models.JSONField(default=dict, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"unit {self.unit_id} in group {self.code_group_id}"


class AlsoCoded(models.Model):
    """A further code group a meaning unit is sorted into, besides its first (``unit.coding``).

    The first group is the one agreement, suggestions and settling use; these only add the
    unit to more groups' readings (step 3, retrieval, the matrix, the export). A unit is never
    "also" in its first group, nor twice in one group.
    """

    unit = models.ForeignKey(MeaningUnit, on_delete=models.CASCADE, related_name="also_coded")
    code_group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="also_coded")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code_group"], name="unique_also_coded"),
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} also in group {self.code_group_id}"


class SuggestionDecision(models.Model):
    """A person accepting or rejecting one suggested code group for one unit."""

    unit = models.ForeignKey(MeaningUnit, on_delete=models.CASCADE, related_name="decisions")
    code_group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="+")
    accepted = models.BooleanField()
    rank = models.PositiveSmallIntegerField()
    confidence = models.FloatField()
    model = models.CharField(max_length=MAX_MODEL)
    model_settings = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        verdict = "accepted" if self.accepted else "rejected"
        return f"suggestion {self.code_group_id} for unit {self.unit_id} {verdict}"


class CodingComparison(models.Model):
    """Coders asked to compare one transcript: from then on they see each other's units."""

    transcript = models.ForeignKey(
        AnalysisTranscript, on_delete=models.CASCADE, related_name="comparisons"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"comparison of transcript {self.transcript_id}"


class CodingRound(models.Model):
    """One comparison of the coders of one transcript, kept as it was computed.

    Opened by "Compare", closed when the coders have settled (``closed_at``). ``figures``
    holds the agreement computed when it opened (``kappa``, ``alpha``, ``percent``,
    ``cu_alpha``, ``level``, ``per_group``: {code group pk: the same}; None where
    undefined) and never changes; ``coders`` the coders' user pks and ``unit_ids`` the units
    compared (ids and offsets only, no copy of the text). ``number`` counts the rounds of
    one interview in the analysis, across transcript versions.
    """

    transcript = models.ForeignKey(
        AnalysisTranscript, on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveIntegerField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    coders = models.JSONField(default=list)
    unit_ids = models.JSONField(default=list)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript"],
                condition=Q(closed_at__isnull=True),
                name="one_open_round_per_transcript",
            ),
        ]

    def __str__(self) -> str:
        return f"round {self.number} of transcript {self.transcript_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class DifferenceKind(models.TextChoices):
    ONLY_SOME = "only_some", _("Only one coder coded this passage")
    GROUPS = "groups", _("The same passage in different code groups")
    BOUNDARIES = "boundaries", _("The coders cut this passage differently")


class RoundDifference(models.Model):
    """One place where the coders of a round differed, and how they settled it.

    ``codes`` maps coder pk → code group pk (None: not coded there), ``spans`` coder pk →
    ``[[start, end], ...]`` and ``units`` coder pk → unit pks, all as compared. Settled:
    ``settled_group`` (None with ``dropped``: not a meaning unit), the agreed boundary
    ``settled_start``/``settled_end`` and which one was chosen (``boundary``: a coder's pk
    as text, or "union"), ``settled_by``/``settled_at``.
    """

    round = models.ForeignKey(CodingRound, on_delete=models.CASCADE, related_name="differences")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=DifferenceKind.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    codes = models.JSONField(default=dict)
    spans = models.JSONField(default=dict)
    units = models.JSONField(default=dict)
    settled_group = models.ForeignKey(
        CodeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dropped = models.BooleanField(default=False)
    settled_start = models.PositiveIntegerField(null=True, blank=True)
    settled_end = models.PositiveIntegerField(null=True, blank=True)
    boundary = models.CharField(max_length=20, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="unique_difference_place"),
        ]

    def __str__(self) -> str:
        return f"difference {self.position} of round {self.round_id}"

    @property
    def settled(self) -> bool:
        return self.settled_at is not None

    @property
    def several_coded(self) -> bool:
        return sum(1 for spans in self.spans.values() if spans) > 1


class Subgroup(models.Model):
    """Step 3: a subgroup of one code group's meaning units."""

    code_group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="subgroups")
    name = models.CharField(_("name"), max_length=MAX_NAME)
    units = models.ManyToManyField(MeaningUnit, related_name="subgroups", blank=True)
    model = models.CharField(max_length=MAX_MODEL, blank=True)  # set when suggested
    model_settings = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Condensate(models.Model):
    """Step 3: a first-person 'artificial quotation' condensing the subgroup's units."""

    subgroup = models.ForeignKey(Subgroup, on_delete=models.CASCADE, related_name="condensates")
    text = EncryptedTextField(_("condensate"))
    units = models.ManyToManyField(MeaningUnit, related_name="condensates", blank=True)
    extractive = models.BooleanField(default=False)
    model = models.CharField(max_length=MAX_MODEL, blank=True)  # set when drafted
    model_settings = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sources_withdrawn = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One condensate per subgroup: two researchers saving a new one cannot both add.
            models.UniqueConstraint(fields=["subgroup"], name="one_condensate_per_subgroup"),
        ]

    def __str__(self) -> str:
        return f"condensate {self.pk}"


class GoldenQuote(TranscriptSpan):
    """Step 3: the quote illustrating a subgroup: a span of one transcript version."""

    subgroup = models.ForeignKey(Subgroup, on_delete=models.CASCADE, related_name="quotes")
    transcript = models.ForeignKey(
        AnalysisTranscript, on_delete=models.CASCADE, related_name="quotes"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    model = models.CharField(max_length=MAX_MODEL, blank=True)  # set when picked from ranking
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="quote_not_empty"),
        ]

    def __str__(self) -> str:
        return f"quote {self.pk} at {self.start}-{self.end}"


class Category(models.Model):
    """Step 4: a category of the result, gathering code groups."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=MAX_NAME)
    description = EncryptedTextField(_("description"), blank=True)
    code_groups = models.ManyToManyField(CodeGroup, related_name="categories", blank=True)
    # The typology: which participants belong to this category.
    participants = models.ManyToManyField(
        "research.Participant", related_name="analysis_categories", blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class AnalyticText(models.Model):
    """Step 4: analytic text about one code group or one category, written by people."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="analytic_texts")
    code_group = models.ForeignKey(
        CodeGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="analytic_texts"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="analytic_texts"
    )
    text = EncryptedTextField(_("analytic text"), blank=True)
    condensates = models.ManyToManyField(Condensate, related_name="analytic_texts", blank=True)
    quotes = models.ManyToManyField(GoldenQuote, related_name="analytic_texts", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sources_withdrawn = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_group__isnull=False, category__isnull=True)
                | Q(code_group__isnull=True, category__isnull=False),
                name="analytic_text_one_target",
            ),
            # One analytic text per code group or category (two new saves cannot both add).
            models.UniqueConstraint(
                fields=["code_group"],
                condition=Q(code_group__isnull=False),
                name="one_analytic_text_per_code_group",
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(category__isnull=False),
                name="one_analytic_text_per_category",
            ),
        ]

    def __str__(self) -> str:
        return f"analytic text {self.pk}"


class Memo(models.Model):
    """A researcher's note on the analysis or one of its records."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = EncryptedTextField(_("memo"))
    # What it is about, as "code_group:12" etc.; empty for the analysis itself.
    target = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"memo {self.pk}"


class UndoKind(models.TextChoices):
    UNIT_DELETE = "unit_delete", _("delete a unit")
    UNIT_SORT = "unit_sort", _("sort a unit")
    GROUP_MERGE = "group_merge", _("merge code groups")
    GROUP_DELETE = "group_delete", _("delete a code group")
    GROUP_MOVE = "group_move", _("move a code group")


class UndoStep(models.Model):
    """One undoable action of one researcher in one analysis (the newest is undone first).

    ``payload`` is encrypted JSON holding ids, offsets and the code group's own fields needed
    to put things back — never transcript text.
    """

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=UndoKind.choices)
    payload = EncryptedTextField(default="{}")
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"undo {self.kind} {self.pk}"

    @property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.payload or "{}")
        assert isinstance(value, dict)  # noqa: S101 - written only by the actions
        return value
