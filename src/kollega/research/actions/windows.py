"""Interview windows: participants excluded when a window passes, researchers told before.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from kollega.core.audit import SYSTEM as SYSTEM
from kollega.core.audit import Actor, AuditAction, record
from kollega.research import tasks
from kollega.research.models import Exclusion, ExclusionReason, Participant, Wave, WindowNotice

# The actor on record for what the scheduled jobs do.
# Researchers hear of a window this many days before it closes.
WINDOW_NOTICE_DAYS = 2


@transaction.atomic
def do_exclude_from_wave(
    actor: Actor, participant: Participant, wave: Wave, *, reason: str, window_closed: date
) -> Exclusion:
    exclusion = Exclusion.objects.create(
        participant=participant, wave=wave, reason=reason, window_closed=window_closed
    )
    record(
        actor,
        AuditAction.RESEARCH_PARTICIPANT_EXCLUDE,
        participant,
        study=participant.study_id,
        wave=wave.number,
        reason=reason,
    )
    return exclusion


def _dated_waves(participant: Participant) -> set[int]:
    return set(
        participant.interviews.filter(scheduled_on__isnull=False, wave__isnull=False).values_list(
            "wave_id", flat=True
        )
    )


def run_exclusions(today: date | None = None) -> int:
    """Exclude, from each wave, every participant whose window has closed with no interview
    in it; returns how many exclusions were made. Safe to run again: nobody is excluded twice."""
    today = today or timezone.localdate()
    count = 0
    participants = Participant.objects.filter(contact_date__isnull=False).select_related("study")
    for participant in participants:
        assert participant.contact_date is not None  # noqa: S101 - filtered above
        done = _dated_waves(participant)
        excluded = set(participant.exclusions.values_list("wave_id", flat=True))
        for wave in participant.study.waves.all():
            closes = wave.closes(participant.contact_date)
            if closes >= today or wave.pk in done or wave.pk in excluded:
                continue
            do_exclude_from_wave(
                SYSTEM,
                participant,
                wave,
                reason=ExclusionReason.WINDOW_PASSED,
                window_closed=closes,
            )
            count += 1
    return count


def run_window_notices(today: date | None = None) -> int:
    """Tell each study's researchers, by a content-free e-mail, of windows closing within
    WINDOW_NOTICE_DAYS with no interview booked. Each window is told once; returns how many."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=WINDOW_NOTICE_DAYS)
    by_study: dict[int, list[date]] = {}
    participants = Participant.objects.filter(contact_date__isnull=False).select_related("study")
    for participant in participants:
        assert participant.contact_date is not None  # noqa: S101 - filtered above
        skip = _dated_waves(participant) | set(
            participant.exclusions.values_list("wave_id", flat=True)
        )
        skip |= set(participant.window_notices.values_list("wave_id", flat=True))
        for wave in participant.study.waves.all():
            closes = wave.closes(participant.contact_date)
            if wave.pk in skip or not today <= closes <= horizon:
                continue
            with transaction.atomic():
                WindowNotice.objects.create(participant=participant, wave=wave)
                record(
                    SYSTEM,
                    AuditAction.RESEARCH_WINDOW_NOTICE,
                    participant,
                    study=participant.study_id,
                    wave=wave.number,
                )
            by_study.setdefault(participant.study_id, []).append(closes)
    for study_pk, dates in by_study.items():
        first = min(dates).isoformat()
        transaction.on_commit(
            partial(tasks.tell_windows_closing.enqueue, study_pk, len(dates), first)
        )
    return sum(len(dates) for dates in by_study.values())
