from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from kollega.reports.stats import Period

FIRST_YEAR = 2020


def _years() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class PeriodForm(forms.Form):
    """A calendar year, or one month of it; nothing else.

    Statistics for any range of months could be subtracted from each other (October to December
    minus November to December is October) and give back a count hidden in both: only calendar
    months and years are offered, and their hidden counts are chosen together
    (`kollega.reports.stats.build`). A request with the old from/to months is refused.
    """

    year = forms.TypedChoiceField(
        label=_("Year"), choices=_years, coerce=int, required=False,
        widget=forms.Select(attrs={"class": "ds-input"}),
    )  # fmt: skip
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", _("The whole year")), *[(str(n), name) for n, name in MONTHS.items()]],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "ds-input"}),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self._ranged = bool(data) and any(name in data for name in ("start", "end"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self._ranged:
            raise forms.ValidationError(
                _("Statistics are given for a calendar month or a whole year only.")
            )
        return data

    def period(self, default: Period | None = None) -> Period:
        """The chosen month or year; `default` (this year) when none is chosen."""
        default = default or Period.year(timezone.localdate().year)
        if not self.is_bound or not self.is_valid():
            return default
        year = self.cleaned_data.get("year")
        month = self.cleaned_data.get("month")
        if not year and not month:
            return default
        year = year or default.start.year
        return Period.month(year, month) if month else Period.year(year)
