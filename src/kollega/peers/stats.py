"""One county's registered contacts and concerns as statistics, with the service's suppression.

Read live from the county's registrations of one calendar year and the anonymous rows left by
those deleted (two queries): a county has a few hundred a year at most. Every table of
contacts counts each contact once, so they share the year's totals, and what is hidden is
chosen for the whole year at once by `kollega.core.statistics.protect_partitions`, exactly as
for the service's own statistics. The concerns about doctors in the county (live and deleted,
two more queries) are protected the same way, as a population of their own.

`CONCERN_TABLES` and `concern_value` say how concerns are counted; the service's statistics
(`kollega.reports`) count them the same way.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.core.statistics import Period, Table, cell, protect_partitions
from kollega.peers.models import Channel, Registration, RegistrationStatistic
from kollega.service import choices
from kollega.service.models import (
    Concern,
    ConcernStatistic,
    ConcernStatus,
)

# A concern still open, in the table of what came of the concerns.
STILL_OPEN = "open"


def _vocabularies() -> dict[str, tuple[str, list[tuple[str, Any]]]]:
    not_given = gettext_lazy("Not given")
    limit = settings.KOLLEGA_CONVERSATION_LIMIT
    return {
        "channel": (_("How the contacts came"), list(Channel.choices)),
        "category": (_("What it was about"), list(choices.Category.choices)),
        "gender": (_("Gender"), [*choices.Gender.choices, ("", not_given)]),
        "age_band": (_("Age"), [*choices.AgeBand.choices, ("", not_given)]),
        "county": (_("The colleague's county"), [*choices.Region.choices, ("", not_given)]),
        "specialty": (_("Specialty"), [*choices.Specialty.choices, ("", not_given)]),
        "conversations": (
            _("Conversations per contact"),
            [(str(n), str(n)) for n in range(1, limit + 1)],
        ),
        "referral": (
            _("Referrals"),
            [*choices.ReferralKind.choices, ("", gettext_lazy("Not referred"))],
        ),
    }


def concern_value(status: str, outcome: str) -> str:
    """What came of a concern, as its row in the outcome table: the counsellor's outcome when
    concluded, "withdrawn", or "open" for one not ended yet."""
    if status == ConcernStatus.DONE:
        return outcome or ConcernStatus.DONE
    return ConcernStatus.WITHDRAWN if status == ConcernStatus.WITHDRAWN else STILL_OPEN


def concern_tables() -> dict[str, tuple[str, list[tuple[str, Any]]]]:
    """{key: (title, [(value, label)])} of the concern tables; each counts every concern once."""
    return {
        "concern_relation": (
            _("Concerns raised, by who raised them"),
            list(choices.ConcernRelation.choices),
        ),
        "concern_outcome": (
            _("What came of the concerns"),
            [
                *choices.ConcernOutcome.choices,
                (ConcernStatus.DONE, ConcernStatus.DONE.label),
                (ConcernStatus.WITHDRAWN, ConcernStatus.WITHDRAWN.label),
                (STILL_OPEN, gettext_lazy("Not concluded yet")),
            ],
        ),
    }


def _concern_counts(county: str, year: int) -> dict[str, Counter[tuple[str, int]]]:
    """{table: Counter({(value, month index): concerns})} about doctors in `county`."""
    counts: dict[str, Counter[tuple[str, int]]] = {key: Counter() for key in concern_tables()}
    live = Concern.objects.filter(region=county, created__year=year).values_list(
        "created", "relation", "status", "outcome"
    )
    kept = ConcernStatistic.objects.filter(region=county, month__year=year).values_list(
        "month", "relation", "final_status", "outcome"
    )

    def add(month: int, relation: str, status: str, outcome: str) -> None:
        counts["concern_relation"][(relation, month - 1)] += 1
        counts["concern_outcome"][(concern_value(status, outcome), month - 1)] += 1

    for created, *codes in live:
        add(timezone.localtime(created).month, *codes)
    for month, *codes in kept:
        add(month.month, *codes)
    return counts


def _tables(
    vocabularies: dict[str, tuple[str, list[tuple[str, Any]]]],
    counts: dict[str, Counter[tuple[str, int]]],
    column: int,
    heading: str,
) -> tuple[dict[str, Any], list[Table]]:
    """Protect `counts` (tables that each count the same things once) and build a table of
    each for `column`; returns the protection too."""
    grids = {
        key: [[counts[key][(str(code), month)] for month in range(12)] for code, _l in vocabulary]
        for key, (_title, vocabulary) in vocabularies.items()
    }
    protected = protect_partitions(grids)
    return protected, [
        Table(
            key,
            title,
            title,
            [heading],
            [
                (str(label), [cell(protected[key], row, column)])
                for row, (_code, label) in enumerate(vocabulary)
            ],
            total_hidden=protected[key].hidden((len(grids[key]), column)),
        )
        for key, (title, vocabulary) in vocabularies.items()
    ]


def build(county: str, period: Period) -> list[Table]:
    """The county's tables for `period` (a calendar month or year), small counts hidden:
    registered contacts per month, by each of their codes, then the concerns raised."""
    year = period.start.year
    vocabularies = _vocabularies()
    coded = [key for key in vocabularies if key != "conversations"]
    counts: dict[str, Counter[tuple[str, int]]] = {key: Counter() for key in vocabularies}
    live = Registration.objects.filter(scheme_county=county, first_on__year=year).values_list(
        "first_on", "dates", *coded
    )
    for first_on, dates, *values in live:
        named = dict(zip(coded, values, strict=True))
        named["conversations"] = str(len(dates))
        for key, value in named.items():
            counts[key][(str(value or ""), first_on.month - 1)] += 1
    deleted = RegistrationStatistic.objects.filter(
        scheme_county=county, month__year=year
    ).values_list("month", "conversations", *coded)
    for month, conversations, *values in deleted:
        named = dict(zip(coded, values, strict=True))
        named["conversations"] = str(conversations)
        for key, value in named.items():
            counts[key][(str(value or ""), month.month - 1)] += 1
    protected, tables = _tables(vocabularies, counts, period.column, _("Contacts"))
    channel_rows = len(vocabularies["channel"][1])
    months = Table(
        "months",
        _("Registered contacts per month"),
        _("Month"),
        [_("Contacts")],
        [
            (
                f"{MONTHS[month.month]} {month.year}",
                [cell(protected["channel"], channel_rows, month.month - 1)],
            )
            for month in period.months()
        ],
    )
    _protected, concerns = _tables(
        concern_tables(), _concern_counts(county, year), period.column, _("Concerns")
    )
    return [months, *tables, *concerns]
