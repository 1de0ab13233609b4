"""The service's statistics, from live cases and the anonymous statistics rows together.

Read from the monthly counts that `kollega.reports.aggregates.refresh` rebuilds from both (see
there why deletion never erases history), so each statistic costs a fixed number of queries
whatever the number of cases. Every count from 1 to 4 is suppressed (shown as "<5", in
tables, plots and CSV alike), and a table with a suppressed cell shows no total from which it
could be worked out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.reports.aggregates import refresh
from kollega.reports.models import AggregateRefresh, MonthlyCount
from kollega.service import choices
from kollega.service.models import CounsellorProfile, open_loads

SMALL = 5
SUPPRESSED = "<5"


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
    def last_twelve_months(cls, today: date) -> Period:
        end = today.replace(day=1)
        return cls(date(end.year - 1, end.month, 1) if end.month == 12 else
                   date(end.year - 1, end.month + 1, 1), end)  # fmt: skip

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

    @property
    def suppressed(self) -> bool:
        return any(cell is None for _label, cells in self.rows for cell in cells)

    def total(self) -> int | None:
        """The sum of all cells, or None when a cell is suppressed or cells are not counts."""
        if self.kind == "summary" or self.suppressed:
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


def _cells(period: Period) -> dict[str, Counter[Any]]:
    """{dimension: Counter({(month, value): count})} for the months of `period`; one query."""
    last_refreshed()
    found: dict[str, Counter[Any]] = {}
    for month, dimension, value, count in MonthlyCount.objects.filter(
        month__gte=period.start, month__lt=period.stop
    ).values_list("month", "dimension", "value", "count"):
        found.setdefault(dimension, Counter())[(month, value)] += count
    return found


def _totals(cells: dict[str, Counter[Any]], dimension: str) -> Counter[str]:
    """The counts of `dimension` summed over the period's months, by value."""
    total: Counter[str] = Counter()
    for (_month, value), count in cells.get(dimension, Counter()).items():
        total[value] += count
    return total


def _rows(total: Counter[str], order: list[tuple[Any, Any]]) -> list[tuple[str, list[Any]]]:
    return [(str(label), [suppress(total[str(code)])]) for code, label in order]


def _choices(values: Any, blank: Any) -> list[tuple[str, Any]]:
    return [*values.choices, ("", blank)]


def _days(cells: dict[str, Counter[Any]], dimension: str) -> Counter[int]:
    return Counter({int(days): n for days, n in _totals(cells, dimension).items()})


def build(period: Period) -> list[Table]:
    """Every statistic for `period` (requests received in it), in the page's order.

    Read from the monthly counts (a fixed number of queries whatever the history), as of their
    last refresh; only the counsellors' load is read live.
    """
    cells = _cells(period)
    not_given = gettext_lazy("Not given")
    tables: list[Table] = []

    # Requests per month by situation.
    by_month = cells.get("category", Counter())
    categories = list(choices.Category.choices)
    tables.append(
        Table(
            "month_category",
            _("Requests per month by situation"),
            _("Month"),
            [str(label) for _code, label in categories],
            [
                (f"{month:%Y-%m}", [suppress(by_month[(month, code)]) for code, _l in categories])
                for month in period.months()
            ],
            kind="stacked",
        )
    )

    # What the requests hoped for (several answers per request).
    tables.append(
        Table(
            "expectations",
            _("What the requests hoped for"),
            _("Hope"),
            [_("Requests")],
            _rows(_totals(cells, "expectation"), list(choices.Expectation.choices)),
            note=_("A request may hope for several things."),
        )
    )
    for name, title, vocabulary in (
        ("gender", _("Gender"), choices.Gender),
        ("age_band", _("Age"), choices.AgeBand),
        ("specialty", _("Specialty"), choices.Specialty),
        ("region", _("Region"), choices.Region),
    ):
        tables.append(
            Table(
                name, str(title), str(title), [_("Requests")],
                _rows(_totals(cells, name), _choices(vocabulary, not_given)),
            )
        )  # fmt: skip

    # Time to a counsellor and to the first conversation, in whole days.
    tables.append(
        Table(
            "times",
            _("Days from request to counsellor and to first conversation"),
            _("Measure"),
            [_("Requests"), _("Median (days)"), _("90th percentile (days)")],
            [
                (_("To a counsellor"), _quantiles(_days(cells, "match_days"))),
                (_("To the first conversation"), _quantiles(_days(cells, "talk_days"))),
            ],
            kind="summary",
            note=_("Whole days. Deleted requests count only towards the time to a counsellor."),
        )
    )

    # Conversations per request.
    buckets = [(0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4+")]
    tables.append(
        Table(
            "conversations",
            _("Conversations per request"),
            _("Conversations"),
            [_("Requests")],
            _rows(_totals(cells, "conversations"), buckets),
        )
    )

    # Referrals (each kind once per request).
    tables.append(
        Table(
            "referrals",
            _("Referrals"),
            _("Referred to"),
            [_("Requests")],
            _rows(_totals(cells, "referral"), list(choices.ReferralKind.choices)),
        )
    )

    # Outcomes of closed requests.
    tables.append(
        Table(
            "outcomes",
            _("Outcomes of closed requests"),
            _("Outcome"),
            [_("Requests")],
            _rows(_totals(cells, "outcome"), _choices(choices.Outcome, not_given)),
        )
    )

    # Feedback given in the period.
    tables.append(
        Table(
            "feedback",
            _("Feedback: how helpful was it? (1 = not at all, 5 = very)"),
            _("Answer"),
            [_("Number of answers")],
            _rows(_totals(cells, "helpfulness"), [(score, score) for score in range(1, 6)]),
        )
    )
    tables.append(
        Table(
            "recommend",
            _("Feedback: would recommend the service"),
            _("Answer"),
            [_("Number of answers")],
            _rows(
                _totals(cells, "recommend"),
                [("yes", _("Yes")), ("no", _("No")), ("", not_given)],
            ),
        )
    )

    # Counsellor load now (not limited to the period).
    open_cases = open_loads()
    loads: Counter[int] = Counter(
        min(4, open_cases.get(pk, 0))
        for pk in CounsellorProfile.objects.filter(user__is_active=True).values_list(
            "pk", flat=True
        )
    )
    tables.append(
        Table(
            "load",
            _("Counsellors by open cases, today"),
            _("Open cases"),
            [_("Counsellors")],
            [(label, [suppress(loads[n])]) for n, label in ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4+"))],
            note=_("Today's load, whatever the period."),
        )
    )  # fmt: skip
    return tables
