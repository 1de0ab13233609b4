"""The service's statistics, from live cases and the anonymous statistics rows together.

A deleted case leaves a `CaseStatistic` row and no `Case`, so the two never count the same
request twice and deletion never erases history. Every count from 1 to 4 is suppressed (shown
as "<5", in tables, plots and CSV alike), and a table with a suppressed cell shows no total
from which it could be worked out. Each statistic costs a fixed number of queries whatever the
number of cases.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.service import choices
from kollega.service.models import (
    Case,
    CaseStatistic,
    Conversation,
    CounsellorProfile,
    Feedback,
    Referral,
    Status,
    open_loads,
)

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


def _counts(
    pairs: Iterable[tuple[Any, int]], order: list[tuple[str, Any]]
) -> list[tuple[str, list[Any]]]:
    total: Counter[Any] = Counter()
    for key, count in pairs:
        total[key or ""] += count
    return [(str(label), [suppress(total[code])]) for code, label in order]


def _choices(values: Any, blank: Any) -> list[tuple[str, Any]]:
    return [*values.choices, ("", blank)]


def _by_field(cases: Any, stats: Any, name: str, title: Any, order: list[tuple[str, Any]]) -> Table:
    pairs = [
        *cases.values_list(name).annotate(n=Count("pk")).order_by(),
        *stats.values_list(name).annotate(n=Count("pk")).order_by(),
    ]
    return Table(name, str(title), str(title), [_("Requests")], _counts(pairs, order))


def _quantiles(days: list[float]) -> list[Any]:
    if len(days) < SMALL:
        return [suppress(len(days)), None, None]
    ordered = sorted(days)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return [len(ordered), round(pystats.median(ordered), 1), round(p90, 1)]


def build(period: Period) -> list[Table]:
    """Every statistic for `period` (requests received in it), in the page's order."""
    start, stop = period.bounds()
    cases = Case.objects.filter(created__gte=start, created__lt=stop)
    stats = CaseStatistic.objects.filter(month__gte=period.start, month__lt=period.stop)
    not_given = gettext_lazy("Not given")
    tables: list[Table] = []

    # Requests per month by situation.
    cells: Counter[tuple[date, str]] = Counter()
    for month, category, n in (
        cases.annotate(m=TruncMonth("created")).values_list("m", "category").annotate(n=Count("pk")).order_by()
    ):  # fmt: skip
        cells[
            (timezone.localtime(month).date() if isinstance(month, datetime) else month, category)
        ] += n
    for month, category, n in (
        stats.values_list("month", "category").annotate(n=Count("pk")).order_by()
    ):
        cells[(month, category)] += n
    categories = list(choices.Category.choices)
    tables.append(
        Table(
            "month_category",
            _("Requests per month by situation"),
            _("Month"),
            [str(label) for _code, label in categories],
            [
                (f"{month:%Y-%m}", [suppress(cells[(month, code)]) for code, _l in categories])
                for month in period.months()
            ],
            kind="stacked",
        )
    )

    # What the requests hoped for (several answers per request).
    hopes: Counter[str] = Counter()
    for source in (cases, stats):
        for expectations in source.exclude(expectations=[]).values_list("expectations", flat=True):
            hopes.update(set(expectations or []))
    tables.append(
        Table(
            "expectations",
            _("What the requests hoped for"),
            _("Hope"),
            [_("Requests")],
            [(str(label), [suppress(hopes[code])]) for code, label in choices.Expectation.choices],
            note=_("A request may hope for several things."),
        )
    )
    for name, title, vocabulary in (
        ("gender", _("Gender"), choices.Gender),
        ("age_band", _("Age"), choices.AgeBand),
        ("specialty", _("Specialty"), choices.Specialty),
        ("region", _("Region"), choices.Region),
    ):
        tables.append(_by_field(cases, stats, name, title, _choices(vocabulary, not_given)))

    # Time to a counsellor and to the first conversation.
    to_match = [
        (assigned - created).total_seconds() / 86400
        for created, assigned in cases.filter(first_assigned_at__isnull=False).values_list(
            "created", "first_assigned_at"
        )
        if assigned is not None
    ]
    to_match += [
        float(days)
        for days in stats.filter(waiting_days__isnull=False).values_list("waiting_days", flat=True)
        if days is not None
    ]
    to_talk = [
        float((first - timezone.localtime(created).date()).days)
        for created, first in Conversation.objects.filter(case__in=cases)
        .values("case_id")
        .annotate(first=Min("held_on"))
        .values_list("case__created", "first")
    ]
    tables.append(
        Table(
            "times",
            _("Days from request to counsellor and to first conversation"),
            _("Measure"),
            [_("Requests"), _("Median (days)"), _("90th percentile (days)")],
            [
                (_("To a counsellor"), _quantiles(to_match)),
                (_("To the first conversation"), _quantiles(to_talk)),
            ],
            kind="summary",
            note=_("Deleted requests count only towards the time to a counsellor."),
        )
    )

    # Conversations per request.
    held: Counter[int] = Counter(
        min(4, n)
        for n in Conversation.objects.filter(case__in=cases)
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    held[0] += cases.count() - sum(held.values())
    for n, count in stats.values_list("conversations").annotate(c=Count("pk")).order_by():
        held[min(4, n)] += count
    tables.append(
        Table(
            "conversations",
            _("Conversations per request"),
            _("Conversations"),
            [_("Requests")],
            [(label, [suppress(held[n])]) for n, label in ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4+"))],
        )
    )  # fmt: skip

    # Referrals (each kind once per request).
    referred: Counter[str] = Counter(
        dict(
            Referral.objects.filter(case__in=cases)
            .values_list("kind")
            .annotate(n=Count("case", distinct=True))
            .order_by()
        )
    )
    for kinds in stats.exclude(referrals=[]).values_list("referrals", flat=True):
        referred.update(set(kinds or []))
    tables.append(
        Table(
            "referrals",
            _("Referrals"),
            _("Referred to"),
            [_("Requests")],
            [
                (str(label), [suppress(referred[code])])
                for code, label in choices.ReferralKind.choices
            ],
        )
    )

    # Outcomes of closed requests.
    outcomes = [
        *cases.filter(status=Status.CLOSED).values_list("outcome").annotate(n=Count("pk")).order_by(),
        *stats.filter(final_status=Status.CLOSED).values_list("outcome").annotate(n=Count("pk")).order_by(),
    ]  # fmt: skip
    tables.append(
        Table(
            "outcomes",
            _("Outcomes of closed requests"),
            _("Outcome"),
            [_("Requests")],
            _counts(outcomes, _choices(choices.Outcome, not_given)),
        )
    )

    # Feedback given in the period.
    feedback = Feedback.objects.filter(month__gte=period.start, month__lt=period.stop)
    helpful = Counter(dict(feedback.values_list("helpfulness").annotate(n=Count("pk")).order_by()))
    tables.append(
        Table(
            "feedback",
            _("Feedback: how helpful was it? (1 = not at all, 5 = very)"),
            _("Answer"),
            [_("Answers")],
            [(str(score), [suppress(helpful[score])]) for score in range(1, 6)],
        )
    )
    recommend = feedback.aggregate(
        yes=Count("pk", filter=Q(would_recommend=True)),
        no=Count("pk", filter=Q(would_recommend=False)),
        blank=Count("pk", filter=Q(would_recommend__isnull=True)),
    )
    tables.append(
        Table(
            "recommend",
            _("Feedback: would recommend the service"),
            _("Answer"),
            [_("Answers")],
            [
                (_("Yes"), [suppress(recommend["yes"])]),
                (_("No"), [suppress(recommend["no"])]),
                (str(not_given), [suppress(recommend["blank"])]),
            ],
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
