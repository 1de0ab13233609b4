"""Forms of the research pages. Each refuses bad input with a message and keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kollega.accounts.models import User
from kollega.core.roles import RESEARCHER
from kollega.research.actions.transcripts import TurnEdit
from kollega.research.models import (
    MAX_PSEUDONYM,
    MAX_TITLE,
    Dimension,
    FindingDecision,
    InterviewKind,
    Language,
)

MAX_AIMS = 5000
MAX_TURN_TEXT = 20_000
INPUT = {"class": "ds-input"}


class StudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, widget=forms.TextInput(INPUT))
    aims = forms.CharField(
        label=_("Aims"),
        required=False,
        max_length=MAX_AIMS,
        widget=forms.Textarea({"rows": 4, **INPUT}),
    )
    language = forms.ChoiceField(
        label=_("Usual interview language"),
        choices=Language.choices,
        widget=forms.Select(INPUT),
        help_text=_("New interviews start with this language; each interview can differ."),
    )


class _ResearchersField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's multiple choice refuses an unknown id, but hands one beyond the database's
    integers to SQLite's ``IN``, which raises OverflowError: refuse it as unknown first."""

    def clean(self, value: Any) -> Any:
        for pk in value or ():
            try:
                beyond = not -(2**63) <= int(pk) < 2**63
            except (TypeError, ValueError):
                continue  # Django's own check refuses these with its message
            if beyond:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class StudyEditForm(StudyForm):
    researchers = _ResearchersField(
        label=_("Researchers on this study"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only researchers named here see the study and its interviews."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["researchers"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            groups__name=RESEARCHER, is_active=True
        ).order_by("username")
        self.fields["researchers"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.username
        )


_PSEUDONYM = re.compile(r"^[\w-]+$")


class ParticipantForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=MAX_PSEUDONYM,
        widget=forms.TextInput(INPUT),
        help_text=_(
            "A code such as P07: never a name, initials or anything that points to the person."
        ),
    )

    def clean_pseudonym(self) -> str:
        value = str(self.cleaned_data["pseudonym"]).strip()
        if not _PSEUDONYM.match(value):
            raise forms.ValidationError(_("Use letters, digits and hyphens only, without spaces."))
        return value


class InterviewForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Interview"), choices=InterviewKind.choices, widget=forms.Select(INPUT)
    )
    scheduled_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput({"type": "date", **INPUT}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    language = forms.ChoiceField(
        label=_("Language spoken"),
        choices=Language.choices,
        widget=forms.Select(INPUT),
        help_text=_("Transcription is told the language; it is not guessed."),
    )
    wave: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Wave"),
        queryset=None,
        required=False,
        empty_label=_("No wave"),
        widget=forms.Select(INPUT),
        help_text=_("A wave's interview must fall inside the participant's window."),
    )

    def __init__(self, *args: Any, participant: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant
        waves = participant.study.waves.all() if participant is not None else None
        if waves is None or not waves.exists():
            del self.fields["wave"]
        else:
            self.fields["wave"].queryset = waves  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """A wave's interview is dated inside the participant's window, and not in a wave
        they were excluded from."""
        data = super().clean() or {}
        wave, on = data.get("wave"), data.get("scheduled_on")
        contact = getattr(self.participant, "contact_date", None)
        if wave is None:
            return data
        if self.participant.exclusions.filter(wave=wave).exists():
            self.add_error("wave", _("This participant is excluded from that wave."))
        elif on is not None and contact is not None:
            opens, closes = wave.opens(contact), wave.closes(contact)
            if not opens <= on <= closes:
                self.add_error(
                    "scheduled_on",
                    _("%(wave)s's window for this participant is %(opens)s to %(closes)s.")
                    % {
                        "wave": wave.name,
                        "opens": opens.isoformat(),
                        "closes": closes.isoformat(),
                    },
                )
        return data


class RecordingForm(forms.Form):
    audio = forms.FileField(
        # Not "Recording": that is the section's heading just above.
        label=_("Audio file"),
        widget=forms.ClearableFileInput({"accept": "audio/*,.wav,.mp3,.m4a,.ogg,.flac", **INPUT}),
        help_text=_(
            "WAV, MP3, M4A, OGG or FLAC. A two-channel recording with one microphone per person "
            "gives the most reliable speaker turns. The file is encrypted before it is stored."
        ),
        error_messages={
            "required": _("Choose a recording to upload."),
            "empty": _("The file is empty."),
        },
    )


class TranscriptImportForm(forms.Form):
    transcript_file = forms.FileField(
        label=_("Transcript file"),
        widget=forms.ClearableFileInput({"accept": ".txt,.docx,.vtt,.srt", **INPUT}),
        help_text=_(
            "Plain text (UTF-8) or Word with one paragraph per turn, such as "
            "“Intervjuer: …” and “P01: …”; or .vtt/.srt subtitles with times."
        ),
        error_messages={
            "required": _("Choose a transcript file to import."),
            "empty": _("The file is empty."),
        },
    )
    replace = forms.BooleanField(
        label=_("Replace the current transcript and the corrections made to it"),
        required=False,
    )


class DeleteRecordingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete the recording"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete all of this participant's research data"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class TranscribeForm(forms.Form):
    replace = forms.BooleanField(
        label=_("Replace the current transcript and the corrections made to it"),
        required=False,
    )


def parse_turns(data: Any, count: int, speakers: list[str]) -> tuple[list[TurnEdit], list[str]]:
    """Read the editor's ``speaker-N`` / ``text-N`` fields; returns (turns, errors)."""
    turns: list[TurnEdit] = []
    errors: list[str] = []
    for i in range(count):
        speaker = str(data.get(f"speaker-{i}", "")).strip()
        text = str(data.get(f"text-{i}", ""))
        if speaker not in speakers:
            errors.append(str(_("Turn %(n)d: choose a speaker from the list.") % {"n": i + 1}))
        if len(text) > MAX_TURN_TEXT:
            errors.append(
                str(
                    _("Turn %(n)d is longer than %(limit)d characters; split it.")
                    % {"n": i + 1, "limit": MAX_TURN_TEXT}
                )
            )
        turns.append({"speaker": speaker, "text": text})
    return turns, errors


DECISIONS = FindingDecision.values


# --- Protocol and recruitment --------------------------------------------------------------

MAX_CONSENT = 20_000
MAX_PROMPTS = 5000
# Windows reach at most this many days after the contact (a follow-up after several years).
MAX_WINDOW_DAY = 3650
STANDARD_WAVES = [
    (_("First interview"), 0, 10),
    (_("Follow-up after a year"), 335, 395),
]


class StudyNewForm(StudyForm):
    standard_waves = forms.BooleanField(
        label=_(
            "Add the usual two waves: a first interview within 10 days of the service contact, "
            "and a follow-up after one year ± 30 days"
        ),
        required=False,
        initial=True,
    )


class ProtocolForm(forms.Form):
    research_questions = forms.CharField(
        label=_("Research questions"),
        required=False,
        max_length=MAX_AIMS,
        widget=forms.Textarea({"rows": 4, **INPUT}),
    )
    ethics_reference = forms.CharField(
        label=_("Ethics approval reference"),
        required=False,
        max_length=100,
        widget=forms.TextInput(INPUT),
        help_text=_("For example the ethics committee's case number."),
    )
    target_sample = forms.IntegerField(
        label=_("Target sample size"),
        required=False,
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(INPUT),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Vary the sample on"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Answers from the intake's optional profile; the sampler covers each value."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimensions"].choices = Dimension.choices  # type: ignore[attr-defined]


class ConsentVersionForm(forms.Form):
    version = forms.CharField(
        label=_("Version"),
        max_length=20,
        widget=forms.TextInput(INPUT),
        help_text=_("Recorded on each participant who agrees to this text, e.g. 1.0."),
    )
    text = forms.CharField(
        label=_("Consent text"),
        max_length=MAX_CONSENT,
        widget=forms.Textarea({"rows": 6, **INPUT}),
        help_text=_("The seeker reads this on their status page before saying yes."),
    )


class GuideTopicForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=MAX_TITLE, widget=forms.TextInput(INPUT))
    prompts = forms.CharField(
        label=_("Prompts"),
        required=False,
        max_length=MAX_PROMPTS,
        widget=forms.Textarea({"rows": 3, **INPUT}),
        help_text=_("One question or prompt per line."),
    )


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(INPUT))
    opens_day = forms.IntegerField(
        label=_("Window opens, days after the service contact"),
        min_value=0,
        max_value=MAX_WINDOW_DAY,
        widget=forms.NumberInput(INPUT),
    )
    closes_day = forms.IntegerField(
        label=_("Window closes, days after the service contact"),
        min_value=0,
        max_value=MAX_WINDOW_DAY,
        widget=forms.NumberInput(INPUT),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_day"), data.get("closes_day")
        if opens is not None and closes is not None and closes < opens:
            self.add_error("closes_day", _("A window must close on or after the day it opens."))
        return data


class SampleSizeForm(forms.Form):
    size = forms.IntegerField(
        label=_("How many to invite"),
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(INPUT),
    )


# The kinds a researcher can give a missed identifier, as the review page names them.
MISSED_KINDS = [
    ("person", _("Name")),
    ("place", _("Place")),
    ("employer", _("Employer or health trust")),
    ("date", _("Date")),
    ("age", _("Age")),
    ("phone", _("Phone number")),
    ("email", _("E-mail address")),
    ("national_id", _("National identity number")),
    ("address", _("Address")),
]
MAX_MISSED_CHARS = 200


class MissedIdentifierForm(forms.Form):
    missed_text = forms.CharField(
        label=_("Words the rules missed"),
        max_length=MAX_MISSED_CHARS,
        help_text=_(
            "Type them as they stand in the transcript, or select them in the transcript below. "
            "Every place they occur is marked to be replaced."
        ),
        widget=forms.TextInput(INPUT),
        error_messages={"required": _("Type or select the words to replace.")},
    )
    missed_kind = forms.ChoiceField(
        label=_("What they are"), choices=MISSED_KINDS, widget=forms.Select(INPUT)
    )

    def clean_missed_text(self) -> str:
        text = " ".join(str(self.cleaned_data["missed_text"]).split())
        if not text:
            raise forms.ValidationError(_("Type or select the words to replace."))
        return text
