"""The service's statistics, from live cases and the anonymous statistics rows together.

Read from the monthly counts that `kollega.reports.aggregates.refresh` rebuilds from both (see
there why deletion never erases history), so each statistic costs a fixed number of queries
whatever the number of cases. Periods are calendar months and calendar years only, never an
arbitrary range: two overlapping ranges subtracted would give back a count hidden in both.
Every count from 1 to 4 is suppressed (shown as "<5", in tables, plots and CSV alike), and as
many more counts as it takes so that none can be worked out from the rest of the year's
figures by subtraction (shown as ":"; see `kollega.core.protect`). A table with a hidden
cell shows no total.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kollega.core.protect import Protection, protect
from kollega.core.statistics import (
    HIDDEN,
    SMALL,
    SUPPRESSED,
    WITHHELD,
    Counts,
    Period,
    Table,
    Withheld,
    cell,
    protect_partitions,
    protect_year,
    show,
    suppress,
)
from kollega.peers.models import Channel
from kollega.peers.stats import concern_tables
from kollega.reports.aggregates import INTAKE, refresh
from kollega.reports.models import AggregateRefresh, MonthlyCount
from kollega.service import choices
from kollega.service.models import CounsellorProfile, open_loads

# The shared table machinery, named here too for this app's callers.
__all__ = [
    "HIDDEN", "SMALL", "SUPPRESSED", "WITHHELD", "Period", "Table", "Withheld", "build", "cell",
    "last_refreshed", "protect_partitions", "show", "suppress",
]  # fmt: skip


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


def _grid(cells: dict[str, Counter[Any]], dimension: str, codes: list[str], year: int) -> Counts:
    counter = cells.get(dimension, Counter())
    months = Period.year(year).months()
    return Counts(codes, [[counter[(month, code)] for month in months] for code in codes])


def _rows(
    protection: Protection, counts: Counts, labels: list[Any], column: int
) -> list[tuple[str, list[Any]]]:
    return [(str(label), [cell(protection, r, column)]) for r, label in enumerate(labels)]


def _total_hidden(protection: Protection, counts: Counts, column: int) -> bool:
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
    count = cell(protection, row, column)
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
    counts: dict[str, Counts] = {
        "month_category": _grid(cells, "category", [str(c) for c, _l in categories], year)
    }
    for name, (_title, vocabulary) in vocabularies.items():
        counts[name] = _grid(cells, name, [str(code) for code, _l in vocabulary], year)
    for key, (dimension, vocabulary) in others.items():
        counts[key] = _grid(cells, dimension, [str(code) for code, _l in vocabulary], year)
    for key in ("month_category", *vocabularies, "conversations", "way"):
        counts[key].same_requests = True
    counts["times"] = Counts(
        ["match_days", "talk_days"],
        [_per_month(cells, "match_days", year), _per_month(cells, "talk_days", year)],
        total=False,
    )
    protected = protect_year(counts)

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
                    [cell(month_category, k, month.month - 1) for k in range(len(categories))],
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

    # Concerns raised by others: a population of their own, protected apart from the requests.
    concerns = concern_tables()
    concern_counts = {
        key: _grid(cells, key, [str(code) for code, _l in vocabulary], year)
        for key, (_title, vocabulary) in concerns.items()
    }
    for counted in concern_counts.values():
        counted.same_requests = True
    concern_protected = protect_year(concern_counts)
    for key, (title, vocabulary) in concerns.items():
        tables.append(
            Table(
                key,
                title,
                title,
                [_("Concerns")],
                _rows(
                    concern_protected[key],
                    concern_counts[key],
                    [label for _c, label in vocabulary],
                    column,
                ),
                note=_(
                    "Concerns raised by relatives, friends or colleagues, counted apart from "
                    "requests."
                ),
                total_hidden=_total_hidden(concern_protected[key], concern_counts[key], column),
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
    load = protect([[loads[n]] for n in range(5)], margin=False, small=SMALL)
    tables.append(
        Table(
            "load",
            _("Counsellors by open cases, today"),
            _("Open cases"),
            [_("Counsellors")],
            [(_load_label(n), [cell(load, n, 0)]) for n in range(5)],
            note=_("Today's load, whatever the period."),
            total_hidden=load.hidden((5, 0)),
        )
    )
    return tables
