"""The service's statistics, from live cases and the anonymous statistics rows together.

Read from the monthly counts that `kollega.reports.aggregates.refresh` rebuilds from both (see
there why deletion never erases history), so each statistic costs a fixed number of queries
whatever the number of cases. Periods are calendar months and calendar years only, never an
arbitrary range: two overlapping ranges subtracted would give back a count hidden in both.
Every count from 1 to 4 is suppressed (shown as "<5", in tables, plots and CSV alike), and as
many more counts as it takes so that none can be worked out from the rest of the year's
figures by subtraction (shown as ":"; see `kollega.reports.protect`). A table with a hidden
cell shows no total.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kollega.peers.models import Channel
from kollega.reports.aggregates import INTAKE, refresh
from kollega.reports.models import AggregateRefresh, MonthlyCount
from kollega.reports.protect import Protection, protect
from kollega.service import choices
from kollega.service.models import CounsellorProfile, open_loads

SMALL = 5
SUPPRESSED = "<5"
WITHHELD = ":"  # hidden so that a small count beside it cannot be worked out


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


def show(cell: Any) -> str:
    if cell is None:
        return SUPPRESSED
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)


def _quantiles(histogram: Counter[int]) -> list[Any]:
    """Count, median and 90th percentile of whole days given as {days: requests}.

    The same as taking them from the sorted list of days: the median is the middle value (the
    mean of the two middle ones for an even count), the 90th percentile the value at index
    ⌊0.9·n⌋. Fewer than five values show only a suppressed count.
    """
    n = sum(histogram.values())
    if n < SMALL:
        return [suppress(n), None, None]
    ordered = sorted(histogram.items())

    def at(index: int) -> int:
        seen = 0
        for days, count in ordered:
            seen += count
            if index < seen:
                return days
        raise IndexError(index)

    median = at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
    return [n, round(float(median), 1), round(float(at(min(n - 1, int(0.9 * n)))), 1)]


def last_refreshed() -> datetime:
    """When the monthly counts were rebuilt; rebuilds them first if they never were."""
    latest = AggregateRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    if latest is None:  # a new installation, before the scheduler's first run
        refresh()
        return last_refreshed()
    return latest


def _cells(year: int) -> dict[str, Counter[Any]]:
    """{dimension: Counter({(month, value): count})} for the months of `year`; one query."""
    last_refreshed()
    found: dict[str, Counter[Any]] = {}
    for month, dimension, value, count in MonthlyCount.objects.filter(
        month__gte=date(year, 1, 1), month__lt=date(year + 1, 1, 1)
    ).values_list("month", "dimension", "value", "count"):
        found.setdefault(dimension, Counter())[(month, value)] += count
    return found


@dataclass
class _Counts:
    """One table's counts for every month of the year, before any is hidden."""

    codes: list[str]  # the rows' values in the monthly counts
    grid: list[list[int]]  # rows by 12 months
    same_requests: bool = False  # every request in exactly one row: the total is shared
    margin: bool = True  # the year is published beside its months
    total: bool = True  # the total over the rows is published


def _grid(cells: dict[str, Counter[Any]], dimension: str, codes: list[str], year: int) -> _Counts:
    counter = cells.get(dimension, Counter())
    months = Period.year(year).months()
    return _Counts(codes, [[counter[(month, code)] for month in months] for code in codes])


def _protect_year(counts: dict[str, _Counts]) -> dict[str, Protection]:
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


def _choose_hidden(counts: dict[str, _Counts]) -> dict[str, Protection]:
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
    same contacts once, published with the year beside the months and a total: as `build`
    does for the whole service. Used for one county's registered contacts."""
    return _protect_year(
        {
            key: _Counts([str(n) for n in range(len(grid))], grid, same_requests=True)
            for key, grid in grids.items()
        }
    )


def cell(protection: Protection, row: int, column: int) -> Any:
    """A count as published: itself, None when small, HIDDEN when withheld beside one."""
    return _cell(protection, row, column)


def _cell(protection: Protection, row: int, column: int) -> Any:
    if (row, column) in protection.primary:
        return None
    if (row, column) in protection.secondary:
        return HIDDEN
    return protection.counts[row][column]


def _rows(
    protection: Protection, counts: _Counts, labels: list[Any], column: int
) -> list[tuple[str, list[Any]]]:
    return [(str(label), [_cell(protection, r, column)]) for r, label in enumerate(labels)]


def _total_hidden(protection: Protection, counts: _Counts, column: int) -> bool:
    return protection.hidden((len(counts.grid), column))


def _days(cells: dict[str, Counter[Any]], dimension: str, months: list[date]) -> Counter[int]:
    """{whole days: requests} over `months`."""
    found: Counter[int] = Counter()
    for (month, days), n in cells.get(dimension, Counter()).items():
        if month in months:
            found[int(days)] += n
    return found


def _per_month(cells: dict[str, Counter[Any]], dimension: str, year: int) -> list[int]:
    """How many values `dimension` has in each month of `year`."""
    found = [0] * 12
    for (month, _value), n in cells.get(dimension, Counter()).items():
        if month.year == year:
            found[month.month - 1] += n
    return found


def _summary(protection: Protection, row: int, column: int, histogram: Counter[int]) -> list[Any]:
    """Count, median and 90th percentile, all hidden with a hidden count."""
    count = _cell(protection, row, column)
    if count is None or count is HIDDEN:
        return [count, None, None]
    return _quantiles(histogram)


def _load_label(n: int) -> str:
    """'1 open case', '2 open cases', … '4 or more open cases', in the language's plural."""
    if n >= 4:
        return _("%(count)s or more open cases") % {"count": n}
    return ngettext("%(count)s open case", "%(count)s open cases", n) % {"count": n}


def build(period: Period) -> list[Table]:
    """Every statistic for `period` (requests received in it), in the page's order.

    `period` must be a calendar month or a calendar year (ValueError otherwise). Read from the
    monthly counts (a fixed number of queries whatever the history), as of their last refresh;
    only the counsellors' load is read live. What is hidden is decided for the whole calendar
    year at once, so that no month, the year, or any sum of them gives a hidden count away.
    """
    if not period.is_fixed:
        raise ValueError(f"not a calendar month or year: {period}")
    year, column = period.start.year, period.column
    cells = _cells(year)
    not_given = gettext_lazy("Not given")
    categories = list(choices.Category.choices)
    vocabularies: dict[str, tuple[str, list[tuple[Any, Any]]]] = {
        "gender": (_("Gender"), [*choices.Gender.choices, ("", not_given)]),
        "age_band": (_("Age"), [*choices.AgeBand.choices, ("", not_given)]),
        "specialty": (_("Specialty"), [*choices.Specialty.choices, ("", not_given)]),
        "region": (_("Region"), [*choices.Region.choices, ("", not_given)]),
    }
    buckets = [("0", "0"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4+")]
    others: dict[str, tuple[str, list[tuple[Any, Any]]]] = {
        "expectations": ("expectation", list(choices.Expectation.choices)),
        "conversations": ("conversations", buckets),
        "referrals": ("referral", list(choices.ReferralKind.choices)),
        "outcomes": ("outcome", [*choices.Outcome.choices, ("", not_given)]),
        "feedback": ("helpfulness", [(str(score), score) for score in range(1, 6)]),
        "recommend": ("recommend", [("yes", _("Yes")), ("no", _("No")), ("", not_given)]),
        "way": ("way", [(INTAKE, _("Kollega's request form")), *Channel.choices]),
    }
    counts: dict[str, _Counts] = {
        "month_category": _grid(cells, "category", [str(c) for c, _l in categories], year)
    }
    for name, (_title, vocabulary) in vocabularies.items():
        counts[name] = _grid(cells, name, [str(code) for code, _l in vocabulary], year)
    for key, (dimension, vocabulary) in others.items():
        counts[key] = _grid(cells, dimension, [str(code) for code, _l in vocabulary], year)
    for key in ("month_category", *vocabularies, "conversations", "way"):
        counts[key].same_requests = True
    counts["times"] = _Counts(
        ["match_days", "talk_days"],
        [_per_month(cells, "match_days", year), _per_month(cells, "talk_days", year)],
        total=False,
    )
    protected = _protect_year(counts)

    def rows(key: str, labels: list[Any]) -> list[tuple[str, list[Any]]]:
        return _rows(protected[key], counts[key], labels, column)

    def hidden_total(key: str) -> bool:
        return _total_hidden(protected[key], counts[key], column)

    tables: list[Table] = []
    both_ways = _(
        "Counts requests to Kollega and contacts counsellors registered outside it (see how "
        "the requests came)."
    )

    # Requests per month by situation.
    month_category = protected["month_category"]
    tables.append(
        Table(
            "month_category",
            _("Requests per month by situation"),
            _("Month"),
            [str(label) for _code, label in categories],
            [
                (
                    f"{month:%Y-%m}",
                    [_cell(month_category, k, month.month - 1) for k in range(len(categories))],
                )
                for month in period.months()
            ],
            kind="stacked",
            note=both_ways,
            total_hidden=hidden_total("month_category"),
        )
    )

    # What the requests hoped for (several answers per request).
    tables.append(
        Table(
            "expectations",
            _("What the requests hoped for"),
            _("Hope"),
            [_("Requests")],
            rows("expectations", [label for _c, label in others["expectations"][1]]),
            note=_("A request may hope for several things."),
            total_hidden=hidden_total("expectations"),
        )
    )
    for name, (title, vocabulary) in vocabularies.items():
        tables.append(
            Table(
                name, str(title), str(title), [_("Requests")],
                rows(name, [label for _c, label in vocabulary]),
                note=both_ways, total_hidden=hidden_total(name),
            )
        )  # fmt: skip

    # Time to a counsellor and to the first conversation, in whole days.
    months = period.months()
    times = protected["times"]
    tables.append(
        Table(
            "times",
            _("Days from request to counsellor and to first conversation"),
            _("Measure"),
            [_("Requests"), _("Median (days)"), _("90th percentile (days)")],
            [
                (
                    _("To a counsellor"),
                    _summary(times, 0, column, _days(cells, "match_days", months)),
                ),
                (
                    _("To the first conversation"),
                    _summary(times, 1, column, _days(cells, "talk_days", months)),
                ),
            ],
            kind="summary",
            note=_("Whole days. Deleted requests count only towards the time to a counsellor."),
        )
    )

    titles = {
        "way": (_("How the requests came"), _("Way"), _("Requests"), ""),
        "conversations": (_("Conversations per request"), _("Conversations"), _("Requests"), ""),
        "referrals": (_("Referrals"), _("Referred to"), _("Requests"), ""),
        "outcomes": (_("Outcomes of closed requests"), _("Outcome"), _("Requests"), ""),
        "feedback": (
            _("Feedback: how helpful was it? (1 = not at all, 5 = very)"),
            _("Answer"),
            _("Number of answers"),
            "",
        ),
        "recommend": (
            _("Feedback: would recommend the service"),
            _("Answer"),
            _("Number of answers"),
            "",
        ),
    }
    for key, (title, heading, column_title, note) in titles.items():
        tables.append(
            Table(
                key, title, heading, [column_title],
                rows(key, [label for _c, label in others[key][1]]),
                note=note, total_hidden=hidden_total(key),
            )
        )  # fmt: skip

    # Counsellor load now (not limited to the period).
    open_cases = open_loads()
    loads: Counter[int] = Counter(
        min(4, open_cases.get(pk, 0))
        for pk in CounsellorProfile.objects.filter(user__is_active=True).values_list(
            "pk", flat=True
        )
    )
    load = protect([[loads[n]] for n in range(5)], margin=False, small=SMALL)
    tables.append(
        Table(
            "load",
            _("Counsellors by open cases, today"),
            _("Open cases"),
            [_("Counsellors")],
            [(_load_label(n), [_cell(load, n, 0)]) for n in range(5)],
            note=_("Today's load, whatever the period."),
            total_hidden=load.hidden((5, 0)),
        )
    )
    return tables
