"""The forms on a case, for the counsellor who holds it and for coordinators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.adapters import Option
from kollega.service.forms.base import CaseForm, StyledForm, radio_field, text_field
from kollega.service.models import CounsellorProfile, Offering, ReferralPlace


class AssignForm(CaseForm):
    counsellor = forms.ModelChoiceField(
        label=_("Counsellor"),
        queryset=CounsellorProfile.objects.none(),
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        empty_label=None,
    )
    override_reason = text_field(
        _("Why not the first proposal?"),
        help_text=_("Kept in the case history. The seeker never sees it."),
        required=True,
    )

    def __init__(self, *args: Any, candidates: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reason is required wherever the form asks for it ("Choose someone else"); the
        # one-click button for the first proposal sends no reason, and needs none.
        if self.is_bound and "override_reason" not in self.data:
            self.fields["override_reason"].required = False
        self.candidates = candidates
        field = self.fields["counsellor"]
        field.queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.profile.pk for c in candidates]
        )
        if candidates:
            self.initial.setdefault("counsellor", candidates[0].profile.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("counsellor")
        first = self.candidates[0].profile.pk if self.candidates else None
        reason = (data.get("override_reason") or "").strip()
        if chosen and chosen.pk != first and not reason:
            self.add_error(
                "override_reason", _("Say why you chose someone other than the first proposal.")
            )
        return data


class DeclineForm(CaseForm):
    reason = radio_field(_("Why do you decline?"), choices.DeclineReason.choices)


class HandBackForm(CaseForm):
    reason = radio_field(_("Why do you hand the case back?"), choices.DeclineReason.choices)


class ConversationForm(CaseForm):
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "ds-input"})
    )
    mode = radio_field(_("Mode"), choices.Mode.choices)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=5,
        max_value=480,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    note = text_field(
        _("Short note"),
        long=True,
        help_text=_("Optional, encrypted, deleted with the case. No medical record."),
    )

    def __init__(self, *args: Any, first_day: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The day the request arrived: no conversation in the case can be older.
        self.first_day = first_day

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("A conversation cannot be logged before it has happened.")
            )
        if self.first_day is not None and held_on < self.first_day:
            raise forms.ValidationError(
                _("The request arrived on %(date)s; a conversation in it cannot be older.")
                % {"date": date_format(self.first_day, "DATE_FORMAT")}
            )
        return held_on


class AppointmentForm(CaseForm):
    starts = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=5,
        max_value=480,
        initial=60,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    mode = radio_field(_("Mode"), choices.Mode.choices)
    where = text_field(_("Place or video link"))

    def clean_starts(self) -> Any:
        starts = self.cleaned_data["starts"]
        if starts < timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return starts


class GrantForm(StyledForm):
    extra = forms.IntegerField(
        label=_("Extra conversations"),
        min_value=1,
        max_value=5,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    reason = text_field(_("Reason"), required=True)


class WithdrawForm(CaseForm):
    reason = text_field(
        _("Reason"),
        required=True,
        help_text=_("For example a duplicate request. No health details."),
    )


class ReferralForm(CaseForm):
    place = forms.ChoiceField(
        label=_("From the referral directory"),
        required=False,
        help_text=_(
            "The seeker sees its name, phone, web address and description on their status "
            "page. Leave empty and choose a kind below for a place not in the directory."
        ),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    kind = radio_field(_("Referred to"), choices.ReferralKind.choices, required=False)
    offering = forms.ModelChoiceField(
        label=_("Counselling day or course"),
        queryset=Offering.objects.none(),
        required=False,
        empty_label=_("None"),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    for_seeker = text_field(
        _("For the seeker: where to, and how to get in touch"),
        long=True,
        help_text=_(
            "Shown on the seeker's status page: for example the service's name, address or "
            "phone number, and how to book. The short note below is for you only."
        ),
    )
    consent = forms.BooleanField(label=_("The seeker agreed to this referral"), required=True)
    note = text_field(_("Short note"), long=True)

    def __init__(self, *args: Any, region: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(starts__gt=timezone.now())  # type: ignore[attr-defined]
        self.fields["place"].choices = directory_choices(region)  # type: ignore[attr-defined]

    def clean_place(self) -> ReferralPlace | None:
        chosen = self.cleaned_data.get("place")
        if not chosen:
            return None
        place = ReferralPlace.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if place is None:
            raise forms.ValidationError(_("That entry is no longer in the directory."))
        return place

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("kind") and not data.get("place") and "place" not in self.errors:
            self.add_error("kind", _("Choose an entry from the directory or a kind."))
        return data


def directory_choices(region: str) -> list[Any]:
    """The directory as grouped choices: the case's county (and the whole country) first, then
    every other county, so the nearest help is at the top and all of it is still there."""
    places = list(ReferralPlace.objects.all())
    near = [p for p in places if p.region in {region, ""}] if region else []
    rest = [p for p in places if p not in near]

    def options(items: list[ReferralPlace]) -> list[tuple[str, str]]:
        return [
            (str(p.pk), f"{p.name}, {p.get_kind_display()} ({p.region_label()})") for p in items
        ]

    grouped: list[Any] = [("", _("None"))]
    if near:
        label = _("In %(county)s and nationwide") % {"county": choices.Region(region).label}
        grouped.append((label, options(near)))
    if rest:
        grouped.append((_("All counties") if not near else _("Other counties"), options(rest)))
    return grouped


KEEP_PLACES = "keep"


GIVE_UP_PLACES = "give_up"


class CloseForm(CaseForm):
    outcome = radio_field(_("Outcome"), choices.Outcome.choices)
    places = radio_field(
        _("The seeker's places on counselling days and courses"),
        [
            (KEEP_PLACES, _("Keep them: the seeker still comes (places and waiting lists)")),
            (GIVE_UP_PLACES, _("Give them up: the next on each waiting list moves up")),
        ],
    )

    def __init__(self, *args: Any, has_places: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_places:
            self.initial.setdefault("places", KEEP_PLACES)
        else:
            del self.fields["places"]

    def action_arguments(self) -> dict[str, Any]:
        """The cleaned data as `do_close_case` keyword arguments."""
        return {
            "outcome": self.cleaned_data["outcome"],
            "keep_places": self.cleaned_data.get("places", KEEP_PLACES) == KEEP_PLACES,
        }


class EnrolForm(StyledForm):
    offering = forms.ModelChoiceField(
        label=_("Counselling day or course"),
        queryset=Offering.objects.none(),
        empty_label=_("Choose a day or course"),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(starts__gt=timezone.now())  # type: ignore[attr-defined]


class ReassignForm(CaseForm):
    counsellor = forms.ModelChoiceField(
        label=_("New counsellor"),
        queryset=CounsellorProfile.objects.none(),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    reason = text_field(
        _("Why move the case?"),
        required=True,
        help_text=_(
            "For example the counsellor is ill. The seeker is told the case moved, not why."
        ),
    )

    def __init__(self, *args: Any, candidates: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counsellor"]
        field.queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.profile.pk for c in candidates]
        )
        field.choices = [("", _("Choose a counsellor"))] + [  # type: ignore[attr-defined]
            (c.profile.pk, f"{n}. {c.profile} · {c.profile.get_region_display()}")
            for n, c in enumerate(candidates, start=1)
        ]


class CoordinatorMessageForm(StyledForm):
    body = text_field(
        _("Message to the seeker"),
        long=True,
        required=True,
        help_text=_("Shown on the seeker's status page, signed “Coordinator”."),
    )
