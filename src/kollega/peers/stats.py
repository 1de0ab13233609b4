"""One county's registered contacts as statistics, with the service's suppression.

Read live from the county's registrations of one calendar year (one query): a county has a
few hundred a year at most. Every table counts each contact once, so they share the year's
totals, and what is hidden is chosen for the whole year at once by
`kollega.core.statistics.protect_partitions`, exactly as for the service's own statistics.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.core.statistics import Period, Table, cell, protect_partitions
from kollega.peers.models import Channel, Registration
from kollega.service import choices


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


def build(county: str, period: Period) -> list[Table]:
    """The county's tables for `period` (a calendar month or year), small counts hidden."""
    year = period.start.year
    vocabularies = _vocabularies()
    counts: dict[str, Counter[tuple[str, int]]] = {key: Counter() for key in vocabularies}
    for first_on, dates, *values in Registration.objects.filter(
        scheme_county=county, first_on__year=year
    ).values_list("first_on", "dates", *[key for key in vocabularies if key != "conversations"]):
        month = first_on.month - 1
        named = dict(zip([k for k in vocabularies if k != "conversations"], values, strict=True))
        named["conversations"] = str(len(dates))
        for key, value in named.items():
            counts[key][(str(value or ""), month)] += 1
    grids = {
        key: [[counts[key][(str(code), month)] for month in range(12)] for code, _l in vocabulary]
        for key, (_title, vocabulary) in vocabularies.items()
    }
    protected = protect_partitions(grids)
    column = period.column
    tables = []
    channel_rows = len(grids["channel"])
    tables.append(
        Table(
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
    )
    for key, (title, vocabulary) in vocabularies.items():
        tables.append(
            Table(
                key,
                title,
                title,
                [_("Contacts")],
                [
                    (str(label), [cell(protected[key], row, column)])
                    for row, (_code, label) in enumerate(vocabulary)
                ],
                total_hidden=protected[key].hidden((len(grids[key]), column)),
            )
        )
    return tables
