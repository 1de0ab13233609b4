from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from kollega.core.errors import ActionRefused
from kollega.peers.actions import SettlementPeriod, check_dates
from kollega.peers.models import Channel, Listing, PeriodKind
from kollega.service import choices
from kollega.service.forms import StyledForm, directory_choices
from kollega.service.models import ReferralPlace

TEXT = {"class": "ds-input"}


class CountyFilterForm(forms.Form):
    county = forms.ChoiceField(
        label=_("County"),
        required=False,
        choices=[("", _("All counties")), *choices.Region.choices],
        widget=forms.Select(attrs=TEXT),
    )


class ListingForm(forms.ModelForm[Listing]):
    class Meta:
        model = Listing
        fields = [
            "listed", "hidden", "name", "workplace", "phone", "email", "show_languages", "text",
        ]  # fmt: skip
        widgets = {
            "listed": forms.CheckboxInput(attrs=TEXT),
            "hidden": forms.CheckboxInput(attrs=TEXT),
            "show_languages": forms.CheckboxInput(attrs=TEXT),
            "name": forms.TextInput(attrs={**TEXT, "autocomplete": "name"}),
            "workplace": forms.TextInput(attrs=TEXT),
            "phone": forms.TextInput(attrs={**TEXT, "inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
            "text": forms.Textarea(attrs={**TEXT, "rows": 3}),
        }
        help_texts = {
            "name": _("Leave a field empty to keep it off the list."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("listed") and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a phone number or an e-mail address to be listed."))
        return data


def _choice(label: Any, vocabulary: Any, *, required: bool = False) -> forms.ChoiceField:
    blank = [] if required else [("", _("Not given"))]
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[*blank, *vocabulary],
        widget=forms.Select(attrs=TEXT),
    )


class RegistrationForm(StyledForm):
    """Only what settlement and statistics need: dates and closed codes, never a name."""

    first = forms.DateField(
        label=_("Date of the first conversation"),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    second = forms.DateField(
        label=_("Date of the second conversation"),
        required=False,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    third = forms.DateField(
        label=_("Date of the third conversation"),
        required=False,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    channel = _choice(_("How the contact came"), Channel.choices, required=True)
    category = _choice(_("What it was about"), choices.Category.choices, required=True)
    age_band = _choice(_("Age"), choices.AgeBand.choices)
    gender = _choice(_("Gender"), choices.Gender.choices)
    county = _choice(_("The colleague's county"), choices.Region.choices)
    specialty = _choice(_("Specialty"), choices.Specialty.choices)
    # Choices from the directory at each form's making: an entry removed since is not valid.
    place = forms.TypedChoiceField(
        label=_("Referred to, from the referral directory"),
        coerce=lambda pk: ReferralPlace.objects.get(pk=int(pk)),
        empty_value=None,
        required=False,
        help_text=_(
            "Its kind is counted in the statistics; the place itself is kept only with this "
            "registration. Leave empty and choose a kind below for a place not in the directory."
        ),
        widget=forms.Select(attrs=TEXT),
    )
    referral = forms.ChoiceField(
        label=_("Referred to"),
        required=False,
        choices=[("", _("Not referred")), *choices.ReferralKind.choices],
        widget=forms.Select(attrs=TEXT),
    )
    DATE_FIELDS = ("first", "second", "third")

    def __init__(self, *args: Any, region: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The counsellor's county and the nationwide entries first, then every other county.
        place = cast(forms.ChoiceField, self.fields["place"])
        place.choices = directory_choices(region)
        # As many dates as the service's limit allows: fewer than three, or more.
        limit = settings.KOLLEGA_CONVERSATION_LIMIT
        for name in self.DATE_FIELDS[limit:]:
            del self.fields[name]
        for number in range(len(self.DATE_FIELDS) + 1, limit + 1):
            self.fields[f"date_{number}"] = forms.DateField(
                label=_("Date of conversation %(number)d") % {"number": number},
                required=False,
                widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
            )
        ordered = [*self.date_names(), *(n for n in self.fields if n not in self.date_names())]
        self.fields = {name: self.fields[name] for name in ordered}
        today = timezone.localdate().isoformat()
        for name in self.date_names():
            self.fields[name].widget.attrs["max"] = today

    @classmethod
    def date_names(cls) -> list[str]:
        limit = settings.KOLLEGA_CONVERSATION_LIMIT
        extra = [f"date_{number}" for number in range(len(cls.DATE_FIELDS) + 1, limit + 1)]
        return [*cls.DATE_FIELDS[:limit], *extra]

    @classmethod
    def initial_for(cls, registration: Any) -> dict[str, Any]:
        found = {name: getattr(registration, name) for name in cls.fields_saved()}
        found["place"] = str(registration.place_id or "")
        for name, day in zip(cls.date_names(), registration.conversation_dates(), strict=False):
            found[name] = day
        return found

    @staticmethod
    def fields_saved() -> tuple[str, ...]:
        return ("channel", "category", "age_band", "gender", "county", "specialty", "referral")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days = [data[name] for name in self.date_names() if data.get(name)]
        if days:
            try:
                data["dates"] = check_dates(days)
            except ActionRefused as refused:
                self.add_error(None, str(refused))
        return data

    def values(self) -> dict[str, Any]:
        """The action's keyword arguments: the codes and the directory entry, if any."""
        return {
            **{name: self.cleaned_data[name] for name in self.fields_saved()},
            "place": self.cleaned_data.get("place"),
        }


def _years() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(year, str(year)) for year in range(this, this - 6, -1)]


class SettlementPeriodForm(forms.Form):
    """A calendar month or quarter: the periods the funder is billed for."""

    year = forms.TypedChoiceField(
        label=_("Year"), choices=_years, coerce=int, widget=forms.Select(attrs=TEXT)
    )
    period = forms.ChoiceField(label=_("Period"), widget=forms.Select(attrs=TEXT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["period"])
        field.choices = [
            *[(f"month-{n}", MONTHS[n]) for n in range(1, 13)],
            *[(f"quarter-{n}", _("Quarter %(number)d") % {"number": n}) for n in range(1, 5)],
        ]

    def chosen(self) -> SettlementPeriod:
        kind, number = self.cleaned_data["period"].split("-")
        return SettlementPeriod.of(
            PeriodKind.MONTH if kind == "month" else PeriodKind.QUARTER,
            self.cleaned_data["year"],
            int(number),
        )


def last_month() -> dict[str, Any]:
    today = timezone.localdate().replace(day=1)
    previous = date.fromordinal(today.toordinal() - 1)
    return {"year": previous.year, "period": f"month-{previous.month}"}
