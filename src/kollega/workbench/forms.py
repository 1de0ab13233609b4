"""The workbench's forms: one per post, reading and checking what the pages send.

The pages write their own HTML (the fields keep the names below); these forms only read a
post. Lengths come from the models: a ``CharField``'s ``max_length``, and for encrypted text
(which has no column limit) ``MAX_THEME``/``MAX_TEXT`` in ``models.py``. A form that is not
valid changes nothing: the view shows ``first_error(form)`` as it shows an action's refusal.
Ids of records the view looks up itself (a subgroup, a condensate) are read leniently, as
0 when they are not numbers, so that an unknown one answers 404 as before.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from kollega.research.access import studies_for_user
from kollega.research.models import Interview, Study
from kollega.workbench.models import (
    COLOURS,
    MAX_TEXT,
    MAX_THEME,
    Analysis,
    Category,
    CodeGroup,
    Subgroup,
)

UNKNOWN_UNIT = _("Unknown meaning unit.")
UNKNOWN_GROUP = _("Unknown code group.")


def max_length(model: type[Model], field: str) -> int:
    """The column limit of ``model.field`` (a ``CharField``)."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    assert isinstance(limit, int)  # noqa: S101 - only asked of fields that have one
    return limit


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form, for an alert or a refusal."""
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return ""


class OptionalIdField(forms.Field):
    """A record's id: ``None`` when the post has none, 0 (which matches no record, nor any
    version) when it is not a number."""

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return 0


class FlagField(forms.Field):
    """A button's or checkbox's ``value="1"``: True only for exactly that."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool:
        return bool(value == "1")


class IdListField(forms.Field):
    """Ticked ids (``<input type=checkbox name=... value=id>``): a list of ints.

    Anything that is not a number is refused with ``error_messages["invalid"]``.
    """

    widget = forms.SelectMultiple
    default_error_messages = {"invalid": UNKNOWN_UNIT}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class _InAnalysis(forms.Form):
    """A form whose choices are records of one analysis (given as ``analysis=``)."""

    def __init__(self, *args: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.analysis = analysis
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = self.choices()

    def choices(self) -> QuerySet[Any]:
        """The records its choice fields offer: the analysis's code groups."""
        return self.analysis.code_groups.all()


def _group_field(
    *, required: bool, message: Any = UNKNOWN_GROUP
) -> forms.ModelChoiceField[CodeGroup]:
    return forms.ModelChoiceField(
        queryset=CodeGroup.objects.none(),
        required=required,
        error_messages={"required": message, "invalid_choice": message},
    )


# --- Analyses ------------------------------------------------------------------------------


class AnalysisForm(forms.Form):
    """A new analysis of one of the researcher's studies (``studies=``)."""

    study = forms.ModelChoiceField(
        queryset=Study.objects.none(),
        error_messages={
            "required": _("Choose one of your studies."),
            "invalid_choice": _("Choose one of your studies."),
        },
    )
    name = forms.CharField(
        max_length=max_length(Analysis, "name"),
        error_messages={"required": _("Give the analysis a name.")},
    )

    def __init__(self, *args: Any, studies: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies  # type: ignore[attr-defined]

    def messages(self) -> list[str]:
        return [str(e) for errors in self.errors.values() for e in errors]


class TranscriptAddForm(forms.Form):
    """One of the study's interviews (``interviews=``) to add to the analysis."""

    interview = forms.ModelChoiceField(
        queryset=Interview.objects.none(),
        error_messages={
            "required": _("Choose one of the study's interviews."),
            "invalid_choice": _("Choose one of the study's interviews."),
        },
    )

    def __init__(self, *args: Any, interviews: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interview"].queryset = interviews  # type: ignore[attr-defined]


class UnitPlaceForm(forms.Form):
    """Place a unit an edit left behind (or, with ``delete``, delete it)."""

    delete = forms.BooleanField(required=False)


class CaseLinkForm(forms.Form):
    """Link an imported case to a recruited participant of the study (``confirm`` required)."""

    case = forms.IntegerField(error_messages={"required": _("Choose an imported case.")})
    participant = forms.IntegerField(
        error_messages={"required": _("Choose the recruited participant.")}
    )
    confirm = forms.BooleanField(
        error_messages={"required": _("Confirm that the case is this participant.")}
    )


# --- Step 1: themes ------------------------------------------------------------------------


class ThemeForm(forms.Form):
    label = forms.CharField(max_length=MAX_THEME, required=False, strip=False)
    description = forms.CharField(max_length=MAX_TEXT, required=False, strip=False)


class ThemeEditForm(ThemeForm):
    version = OptionalIdField(required=False)


class DecideForm(forms.Form):
    """Accept (``accept=1``) or reject a suggestion."""

    accept = FlagField()


# --- Step 2: meaning units and code groups -------------------------------------------------


class UnitCreateForm(_InAnalysis):
    start = forms.IntegerField(
        error_messages={
            "required": _("Select some words of the transcript first."),
            "invalid": _("Select some words of the transcript first."),
        }
    )
    end = forms.IntegerField(
        error_messages={
            "required": _("Select some words of the transcript first."),
            "invalid": _("Select some words of the transcript first."),
        }
    )
    group = _group_field(required=False)


class UnitCodeForm(_InAnalysis):
    """Sort ``unit`` into ``group``; no group takes it out of its group.

    ``t`` is the transcript version on the page (to answer when no unit is chosen); the page's
    script sends ``shown``, the unit the coder sees chosen, which must be ``unit``.
    """

    unit = OptionalIdField(required=False)
    group = _group_field(required=False)
    t = OptionalIdField(required=False)
    shown = OptionalIdField(required=False)


class UnitAlsoForm(_InAnalysis):
    """Sort ``unit`` into one more code group, or take it out of one (``remove``)."""

    unit = OptionalIdField(required=False)
    group = _group_field(required=True, message=_("Choose the further code group for this unit."))
    remove = FlagField()


class CodeGroupAddForm(_InAnalysis):
    name = forms.CharField(max_length=max_length(CodeGroup, "name"), required=False, strip=False)
    description = forms.CharField(max_length=MAX_TEXT, required=False, strip=False)
    parent = _group_field(required=False)
    heading = FlagField()
    # The transcript to go back to; none (or another) goes back to the analysis.
    t = OptionalIdField(required=False)


class CodeGroupEditForm(forms.Form):
    name = forms.CharField(max_length=max_length(CodeGroup, "name"), required=False, strip=False)
    description = forms.CharField(max_length=MAX_TEXT, required=False, strip=False)
    codable = FlagField()
    version = OptionalIdField(required=False)


class GroupMoveForm(_InAnalysis):
    """Move a group under ``parent`` (none: the top level)."""

    parent = _group_field(required=False)
    version = OptionalIdField(required=False)


class GroupMergeForm(_InAnalysis):
    """Merge the page's group into ``into``; ``confirm`` after the confirmation page."""

    into = _group_field(required=True, message=_("Choose the code group to merge into."))
    version = OptionalIdField(required=False)
    confirm = FlagField()


class GroupDeleteForm(forms.Form):
    version = OptionalIdField(required=False)
    confirm = FlagField()


class GroupReorderForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "up"), ("down", "down")],
        error_messages={"required": UNKNOWN_GROUP, "invalid_choice": UNKNOWN_GROUP},
    )
    version = OptionalIdField(required=False)


class GroupColourForm(forms.Form):
    colour = forms.TypedChoiceField(
        coerce=int,
        choices=[(str(n), str(n)) for n in range(1, len(COLOURS) + 1)],
        error_messages={
            "required": _("Choose one of the colours offered."),
            "invalid_choice": _("Choose one of the colours offered."),
        },
    )
    version = OptionalIdField(required=False)


class UndoForm(forms.Form):
    # The coding page's transcript version to answer with; none: the code book.
    t = OptionalIdField(required=False)


class SuggestionDecisionForm(DecideForm):
    """A signed offer (``token``) accepted or rejected."""

    token = forms.CharField(required=False, strip=False)


class SettleForm(_InAnalysis):
    """How the coders settled one difference of a round: the agreed code group (none: the
    passage is not a meaning unit) and whose boundary (a coder's pk, or "union")."""

    difference = forms.IntegerField(
        min_value=1, error_messages={"required": _("Choose a difference to settle.")}
    )
    group = _group_field(required=False)
    boundary = forms.CharField(
        max_length=20,
        error_messages={"required": _("Choose whose boundary you agreed on.")},
    )


# --- Step 3: condensation ------------------------------------------------------------------


class TokenForm(forms.Form):
    """An assistant's signed proposal, accepted as it was offered."""

    token = forms.CharField(required=False, strip=False)


class SubgroupAddForm(forms.Form):
    name = forms.CharField(max_length=max_length(Subgroup, "name"), required=False)
    units = IdListField()


class SubgroupForm(forms.Form):
    """A post about one subgroup of the page's code group (``subgroup``)."""

    subgroup = OptionalIdField(required=False)


class SubgroupEditForm(SubgroupForm):
    name = forms.CharField(max_length=max_length(Subgroup, "name"), required=False)
    units = IdListField()
    version = OptionalIdField(required=False)


class CondensateForm(SubgroupForm):
    condensate = OptionalIdField(required=False)
    text = forms.CharField(required=False, strip=False)
    units = IdListField()
    version = OptionalIdField(required=False)
    draft_token = forms.CharField(required=False, strip=False)


class CondensateDeleteForm(SubgroupForm):
    condensate = OptionalIdField(required=False)


class QuoteChoiceForm(SubgroupForm):
    """A golden quote: a ranked candidate (``token``) or ``words`` of one ``unit``."""

    token = forms.CharField(required=False, strip=False)
    unit = OptionalIdField(required=False)
    words = forms.CharField(required=False, strip=False)


class QuoteRemoveForm(SubgroupForm):
    quote = OptionalIdField(required=False)


# --- Step 4: synthesis ---------------------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=max_length(Category, "name"), required=False)
    description = forms.CharField(required=False, strip=False)
    groups = IdListField(error_messages={"invalid": UNKNOWN_GROUP})


class CategoryEditForm(CategoryForm):
    category = OptionalIdField(required=False)
    version = OptionalIdField(required=False)


class CategoryDeleteForm(forms.Form):
    category = OptionalIdField(required=False)


class TypologyForm(forms.Form):
    """Ticked cells of the participants-by-categories table, each ``participant-category``."""

    cell = forms.Field(widget=forms.SelectMultiple, required=False)
    # The typology's stamp when the form was drawn (a stale save is refused).
    drawn = forms.CharField(required=False, max_length=64)

    def clean_cell(self) -> set[tuple[int, int]]:
        cells = set()
        for value in self.cleaned_data["cell"] or []:
            person, _sep, column = str(value).partition("-")
            if not (person.isdigit() and column.isdigit()):
                raise forms.ValidationError(_("Unknown participant or category."))
            cells.add((int(person), int(column)))
        return cells


class AnalyticTextForm(forms.Form):
    """An analytic text about ``target`` (``code_group-<id>`` or ``category-<id>``)."""

    target = forms.CharField(required=False)
    analytic = OptionalIdField(required=False)
    text = forms.CharField(required=False, strip=False)
    condensates = IdListField()
    quotes = IdListField()
    version = OptionalIdField(required=False)


class MemoForm(forms.Form):
    """A memo's text; ``target`` (when adding) names its subject, ``version`` (when editing)
    the version the page showed. The action checks the target against the analysis."""

    target = forms.CharField(required=False, max_length=40)
    text = forms.CharField(required=False, strip=False, max_length=MAX_TEXT)
    version = OptionalIdField(required=False)


# --- Results: REFI-QDA imports ---------------------------------------------------------


class QdpxImportForm(forms.Form):
    study = forms.ModelChoiceField(queryset=Study.objects.none(), label=_("Study"))
    name = forms.CharField(
        label=_("Name of the new analysis"),
        max_length=max_length(Analysis, "name"),
        required=False,
        help_text=_("Empty: the project's name in the file."),
    )
    file = forms.FileField(
        label=_("REFI-QDA project (.qdpx)"),
        help_text=_("Exported from Kollega, NVivo, ATLAS.ti, MAXQDA or QualCoder."),
    )
    deidentified = forms.BooleanField(
        label=_("The transcripts in this file are de-identified."),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies_for_user(user)  # type: ignore[attr-defined]


class QdcImportForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA codebook (.qdc)"))
