from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.reports.stats import Period

MONTH_FORMATS = ["%Y-%m"]


class PeriodForm(forms.Form):
    """From and to months (inclusive); the default period (the page's: the last twelve months)
    for a month left empty."""

    start = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month", "class": "ds-input"}, format="%Y-%m"),
    )
    end = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month", "class": "ds-input"}, format="%Y-%m"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last month must not be before the first."))
        return data

    def period(self, default: Period | None = None) -> Period:
        default = default or Period.last_twelve_months(timezone.localdate())
        if not self.is_bound or not self.is_valid():
            return default
        start: date = self.cleaned_data.get("start") or default.start
        end: date = self.cleaned_data.get("end") or default.end
        return Period(start.replace(day=1), end.replace(day=1))
