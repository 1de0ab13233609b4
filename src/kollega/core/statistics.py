"""The statistics tables every app publishes: periods, tables, cells and what must be hidden.

Periods are calendar months and calendar years only, never an arbitrary range: two
overlapping ranges subtracted would give back a count hidden in both. Every count from 1 to 4
is suppressed (shown as "<5"), and as many more counts as it takes so that none can be worked
out from the rest of the year's figures by subtraction (shown as ":"; see
`kollega.core.protect`). A table with a hidden cell shows no total.

The service's statistics (`kollega.reports.stats`) and a county's registered contacts
(`kollega.peers.stats`) are built from these, so both hide alike; this module sits below both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from kollega.core.protect import Protection, protect

SMALL = 5
SUPPRESSED = "<5"
WITHHELD = ":"  # hidden so that a small count beside it cannot be worked out
FIRST_YEAR = 2020


class Withheld:
    """A count hidden by complementary suppression: it may be of any size."""

    def __str__(self) -> str:
        return WITHHELD

    def __repr__(self) -> str:
        return "WITHHELD"

    def __bool__(self) -> bool:
        return False  # drawn as no bar, like a suppressed count


HIDDEN = Withheld()


def suppress(count: int) -> int | None:
    """None for a count from 1 to 4: too few to show without pointing at someone."""
    return None if 0 < count < SMALL else count


def show(cell: Any) -> str:
    """A cell as printed: "<5" when suppressed, one decimal for a float."""
    if cell is None:
        return SUPPRESSED
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month (inclusive)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, 1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 1))

    @classmethod
    def last_full_year(cls, today: date) -> Period:
        return cls.year(today.year - 1)

    @property
    def calendar_year(self) -> int | None:
        """The year when the period is exactly one calendar year, else None."""
        whole = self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year, 12, 1
        )
        return self.start.year if whole else None

    @property
    def is_fixed(self) -> bool:
        """A calendar month or a calendar year: the only periods the statistics are given for."""
        return self.start == self.end or self.calendar_year is not None

    @property
    def column(self) -> int:
        """The period's column in its year's protected tables: 0-11 a month, 12 the year."""
        return 12 if self.calendar_year is not None else self.start.month - 1

    @property
    def stop(self) -> date:
        return _month_after(self.end)

    def months(self) -> list[date]:
        found, month = [], self.start
        while month <= self.end:
            found.append(month)
            month = _month_after(month)
        return found

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.stop, time.min, tzinfo=tz),
        )


@dataclass
class Table:
    """One statistic: rows of cells under columns. Counts are suppressed when built."""

    key: str
    title: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Any]]] = field(default_factory=list)
    kind: str = "bar"  # "bar", "stacked" (several columns) or "summary" (no plot)
    note: str = ""
    total_hidden: bool = False  # the total is withheld (it would give a hidden count away)

    @property
    def suppressed(self) -> bool:
        return any(cell is None or cell is HIDDEN for _label, cells in self.rows for cell in cells)

    def total(self) -> int | None:
        """The sum of all cells, or None when a cell or the total is hidden, or cells are not
        counts."""
        if self.kind == "summary" or self.suppressed or self.total_hidden:
            return None
        return sum(int(cell) for _label, cells in self.rows for cell in cells)

    def text_alternative(self) -> str:
        """What the plot shows, in words, for a screen reader."""
        if self.kind == "stacked":
            parts = [
                f"{label}: "
                + ", ".join(f"{col} {show(c)}" for col, c in zip(self.columns, cells, strict=True))
                for label, cells in self.rows
            ]
        else:
            parts = [f"{label}: {show(cells[0])}" for label, cells in self.rows]
        return f"{self.title}. " + "; ".join(parts) + "."


@dataclass
class Counts:
    """One table's counts for every month of a year, before any is hidden."""

    codes: list[str]  # the rows' values
    grid: list[list[int]]  # rows by 12 months
    same_requests: bool = False  # every request in exactly one row: the total is shared
    margin: bool = True  # the year is published beside its months
    total: bool = True  # the total over the rows is published


def protect_year(counts: dict[str, Counts]) -> dict[str, Protection]:
    """Hide what must be hidden in every table of one year.

    Tables that count every request once share their total row (requests per month and year):
    a total hidden in one of them is hidden in all, or another would show it. The result is
    kept in the cache for the same counts: each month's page of a year needs the same one.
    """
    payload = json.dumps(
        [[key, c.codes, c.grid, c.same_requests, c.margin, c.total] for key, c in counts.items()]
    )
    cache_key = "reports:protect:1:" + hashlib.sha256(payload.encode()).hexdigest()
    kept = cache.get(cache_key)
    if kept is None:
        kept = _choose_hidden(counts)
        cache.set(cache_key, kept, 60 * 60)
    return dict(kept)


def _choose_hidden(counts: dict[str, Counts]) -> dict[str, Protection]:
    shared_hidden: set[int] = set()  # columns whose shared total is hidden
    while True:
        found = {
            key: protect(
                c.grid,
                margin=c.margin,
                total=c.total,
                hidden={(len(c.grid), column) for column in shared_hidden}
                if c.same_requests
                else (),
                small=SMALL,
            )
            for key, c in counts.items()
        }
        now = {
            column
            for key, c in counts.items()
            if c.same_requests
            for row, column in found[key].primary | found[key].secondary
            if row == len(c.grid)
        }
        if now <= shared_hidden:
            return found
        shared_hidden |= now


def protect_partitions(grids: dict[str, list[list[int]]]) -> dict[str, Protection]:
    """Hide what must be hidden in tables of one year (rows by 12 months) that each count the
    same contacts once, published with the year beside the months and a total: as the service's
    statistics do. Used for one county's registered contacts."""
    return protect_year(
        {
            key: Counts([str(n) for n in range(len(grid))], grid, same_requests=True)
            for key, grid in grids.items()
        }
    )


def cell(protection: Protection, row: int, column: int) -> Any:
    """A count as published: itself, None when small, HIDDEN when withheld beside one."""
    if (row, column) in protection.primary:
        return None
    if (row, column) in protection.secondary:
        return HIDDEN
    return protection.counts[row][column]


def _years() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class PeriodForm(forms.Form):
    """A calendar year, or one month of it; nothing else.

    Statistics for any range of months could be subtracted from each other (October to December
    minus November to December is October) and give back a count hidden in both: only calendar
    months and years are offered, and their hidden counts are chosen together
    (`protect_year`). A request with the old from/to months is refused.
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
