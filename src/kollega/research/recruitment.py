"""What the recruitment pages show: each participant's windows, the dashboard per wave, the
pool as sampler candidates, coverage tables and the participant characteristics (Table 1).

Reads only; every change goes through `kollega.research.actions`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from kollega.research.models import (
    Dimension,
    Exclusion,
    Interview,
    InvitationStatus,
    Participant,
    Study,
    Wave,
    pool_code,
)
from kollega.sampling import Candidate
from kollega.service import choices

# Counts below this are shown as "fewer than 5", as in the service's statistics.
SUPPRESS_BELOW = 5

# The labels of each profile dimension's values.
VALUE_CHOICES: dict[str, type[TextChoices]] = {
    Dimension.GENDER: choices.Gender,
    Dimension.AGE_BAND: choices.AgeBand,
    Dimension.SPECIALTY: choices.Specialty,
    Dimension.POSITION: choices.Position,
    Dimension.REGION: choices.Region,
    Dimension.CATEGORY: choices.Category,
}

STATE_LABELS = {
    "upcoming": _("Opens later"),
    "open": _("Open: book an interview"),
    "scheduled": _("Interview booked"),
    "interviewed": _("Interviewed"),
    "lapsed": _("Closed without an interview"),
    "excluded": _("Excluded"),
}


def value_label(dimension: str, value: str) -> str:
    if not value:
        return str(_("Not given"))
    labels = dict(VALUE_CHOICES[dimension].choices) if dimension in VALUE_CHOICES else {}
    return str(labels.get(value, value))


@dataclass(frozen=True)
class Window:
    wave: Wave
    opens: date
    closes: date
    state: str
    interview: Interview | None
    exclusion: Exclusion | None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def windows(participant: Participant, today: date) -> list[Window]:
    """The participant's window in each wave of the study, and where it stands today.
    Empty for participants added by hand (no service contact date)."""
    contact = participant.contact_date
    if contact is None:
        return []
    interviews = [i for i in participant.interviews.all() if i.wave_id and i.scheduled_on]
    exclusions = {e.wave_id: e for e in participant.exclusions.all()}
    out = []
    for wave in participant.study.waves.all():
        opens, closes = wave.opens(contact), wave.closes(contact)
        interview = next((i for i in interviews if i.wave_id == wave.pk), None)
        exclusion = exclusions.get(wave.pk)
        if exclusion is not None:
            state = "excluded"
        elif interview is not None and interview.scheduled_on is not None:
            state = "interviewed" if interview.scheduled_on <= today else "scheduled"
        elif closes < today:
            state = "lapsed"
        elif opens > today:
            state = "upcoming"
        else:
            state = "open"
        out.append(Window(wave, opens, closes, state, interview, exclusion))
    return out


def participants_with_windows(study: Study, today: date) -> list[tuple[Participant, list[Window]]]:
    # Cases of an imported project were never recruited: they stay out of recruitment.
    participants = study.participants.filter(imported=False).prefetch_related(
        "interviews", "exclusions", "study__waves"
    )
    return [(p, windows(p, today)) for p in participants]


def dashboard(study: Study, today: date) -> list[dict[str, Any]]:
    """Per wave: invited (waiting for an answer), recruited, scheduled, interviewed, excluded."""
    invited = study.invitations.filter(status=InvitationStatus.PENDING).count()
    rows = participants_with_windows(study, today)
    recruited = sum(1 for participant, _w in rows if participant.link is not None)
    table = []
    for wave in study.waves.all():
        states = Counter(w.state for _p, ws in rows for w in ws if w.wave.pk == wave.pk)
        table.append(
            {
                "wave": wave,
                "invited": invited,
                "recruited": recruited,
                "scheduled": states["scheduled"],
                "interviewed": states["interviewed"],
                "excluded": states["excluded"],
                "open": states["open"] + states["upcoming"],
            }
        )
    return table


def candidates(members: Iterable[Any]) -> list[Candidate]:
    """Pool members as the sampler's records: the opaque link as id, profile codes only."""
    return [Candidate(str(m.link), dict(m.profile)) for m in members]


def pool_rows(members: Sequence[Any], dimensions: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {
            "link": str(m.link),
            "code": pool_code(m.link),
            "contact_date": m.contact_date,
            "values": [value_label(d, m.profile.get(d, "")) for d in dimensions],
        }
        for m in members
    ]


def coverage_rows(
    table: Mapping[str, Mapping[str, int]], pool_table: Mapping[str, Mapping[str, int]]
) -> list[dict[str, Any]]:
    """Dimension x value x count in the sample, beside the count in the pool."""
    labels = dict(Dimension.choices)
    return [
        {
            "dimension": labels.get(d, d),
            "value": value_label(d, v),
            "count": count,
            "pool": pool_table[d][v],
        }
        for d, values in table.items()
        for v, count in values.items()
    ]


def shown(count: int) -> str:
    """A count as published: 1 to 4 become "< 5"."""
    return f"< {SUPPRESS_BELOW}" if 0 < count < SUPPRESS_BELOW else str(count)


def characteristics(profiles: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Table 1: for each profile dimension, each value's count among ``profiles``, with the
    values nobody has left out and counts under 5 suppressed."""
    labels = dict(Dimension.choices)
    rows = []
    for dimension in Dimension.values:
        counts = Counter(p.get(dimension, "") or "" for p in profiles)
        order = [c for c in VALUE_CHOICES[dimension].values if counts[c]]
        if counts[""]:
            order.append("")
        for value in order:
            rows.append(
                {
                    "dimension": labels[dimension],
                    "value": value_label(dimension, value),
                    "count": shown(counts[value]),
                }
            )
    return rows
