"""The forms that keep the service's registers: referral places, offerings, counsellor
profiles and the service's settings.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.roles import COUNSELLOR
from kollega.service import choices
from kollega.service.models import CounsellorProfile, Offering, ReferralPlace, ServiceSettings


class ReferralPlaceForm(forms.ModelForm[ReferralPlace]):
    class Meta:
        model = ReferralPlace
        fields = [
            "region",
            "kind",
            "name",
            "phone",
            "web",
            "description",
            "description_en",
            "description_zh",
        ]
        field_classes = {"web": partial(forms.URLField, assume_scheme="https")}
        widgets = {
            "region": forms.Select(attrs={"class": "ds-input"}),
            "kind": forms.RadioSelect(attrs={"class": "ds-input"}),
            "name": forms.TextInput(attrs={"class": "ds-input"}),
            "phone": forms.TextInput(attrs={"class": "ds-input", "inputmode": "tel"}),
            "web": forms.URLInput(attrs={"class": "ds-input"}),
            "description": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
            "description_en": forms.Textarea(attrs={"class": "ds-input", "rows": 3, "lang": "en"}),
            "description_zh": forms.Textarea(
                attrs={"class": "ds-input", "rows": 3, "lang": "zh-Hans"}
            ),
        }

    def __init__(self, *args: Any, counties: set[str] | None = None, **kwargs: Any) -> None:
        """`counties`: the only counties the editor may choose (a county leader's); None for
        a coordinator, who may choose any county or the whole country."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices.ReferralKind.choices  # type: ignore[attr-defined]
        region_choices = [("", _("All counties")), *choices.Region.choices]
        if counties is not None:
            region_choices = [(c, label) for c, label in region_choices if c in counties]
            self.fields["region"].required = True
        self.fields["region"].choices = region_choices  # type: ignore[attr-defined]


class OfferingForm(forms.ModelForm[Offering]):
    class Meta:
        model = Offering
        fields = [
            "kind",
            "title",
            "title_en",
            "title_zh",
            "place",
            "starts",
            "ends",
            "capacity",
            "open_for_requests",
        ]
        widgets = {
            "kind": forms.RadioSelect(attrs={"class": "ds-input"}),
            "title": forms.TextInput(attrs={"class": "ds-input"}),
            "title_en": forms.TextInput(attrs={"class": "ds-input", "lang": "en"}),
            "title_zh": forms.TextInput(attrs={"class": "ds-input", "lang": "zh-Hans"}),
            "place": forms.TextInput(attrs={"class": "ds-input"}),
            "starts": forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
            "ends": forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
            "capacity": forms.NumberInput(attrs={"class": "ds-input", "min": 1}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons need no empty "---------" choice: nothing is ticked until one is chosen.
        self.fields["kind"].choices = choices.OfferingKind.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must come after the start."))
        if data.get("capacity") == 0:
            self.add_error("capacity", _("An offering needs at least one place."))
        return data


class CounsellorProfileForm(forms.ModelForm[CounsellorProfile]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=choices.Language.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds-input"}),
    )

    class Meta:
        model = CounsellorProfile
        fields = [
            "gender",
            "region",
            "languages",
            "specialty",
            "employer",
            "capacity",
            "active",
            "away_until",
            "remote",
            "conflict_employers",
            "conflict_people",
        ]
        widgets = {
            "away_until": forms.DateInput(attrs={"type": "date", "class": "ds-input"}),
            "gender": forms.Select(attrs={"class": "ds-input"}),
            "region": forms.Select(attrs={"class": "ds-input"}),
            "specialty": forms.Select(attrs={"class": "ds-input"}),
            "employer": forms.TextInput(
                attrs={"class": "ds-input", "list": "organisation-names", "autocomplete": "off"}
            ),
            "capacity": forms.NumberInput(attrs={"class": "ds-input", "min": 0, "max": 20}),
            "conflict_employers": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
            "conflict_people": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
        }

    # The empty choice of a required list, in words instead of "---------".
    EMPTY_LABELS: dict[str, Any] = {
        "gender": _("Choose gender"),
        "region": _("Choose region"),
        "specialty": _("Choose specialty"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.EMPTY_LABELS.items():
            field = self.fields.get(name)
            if field is not None:
                field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]  # type: ignore[attr-defined]

    def clean_away_until(self) -> Any:
        away = self.cleaned_data.get("away_until")
        if away is None or away == self.instance.away_until:
            return away
        today = timezone.localdate()
        if away < today:
            raise forms.ValidationError(
                _("Choose today or a later day as the last day away, or leave it empty.")
            )
        if (away - today).days > 366:
            raise forms.ValidationError(
                _("An absence can be set at most a year ahead. For longer, pause instead.")
            )
        return away

    def clean_capacity(self) -> int:
        capacity = int(self.cleaned_data["capacity"])
        if capacity > 20:
            raise forms.ValidationError(_("Twenty open cases is the most one counsellor may take."))
        return capacity


class AvailabilityForm(CounsellorProfileForm):
    """What a counsellor may change about themselves."""

    class Meta(CounsellorProfileForm.Meta):
        fields = [
            "languages",
            "capacity",
            "active",
            "away_until",
            "remote",
            "conflict_employers",
            "conflict_people",
        ]


class NewCounsellorForm(CounsellorProfileForm):
    """A coordinator gives an existing counsellor account a profile."""

    class Meta(CounsellorProfileForm.Meta):
        fields = ["user", *CounsellorProfileForm.Meta.fields]
        widgets = {
            **CounsellorProfileForm.Meta.widgets,
            "user": forms.Select(attrs={"class": "ds-input"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            groups__name=COUNSELLOR, counsellor_profile__isnull=True
        )
        field.empty_label = _("Choose a counsellor account")  # type: ignore[attr-defined]


class ServiceSettingsForm(forms.ModelForm[ServiceSettings]):
    class Meta:
        model = ServiceSettings
        fields = ["auto_assign", "seeker_choice"]
        widgets = {
            "auto_assign": forms.CheckboxInput(attrs={"class": "ds-input"}),
            "seeker_choice": forms.CheckboxInput(attrs={"class": "ds-input"}),
        }
