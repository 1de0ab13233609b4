"""Withdrawal: everything a study holds about a participant, deleted.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.batchdelete import delete_in_batches
from kollega.research.actions.invitations import SEEKER
from kollega.research.models import (
    ACTIVE_JOB_STATUSES,
    Invitation,
    Participant,
    Recording,
    Transcript,
    TranscriptionJob,
)
from kollega.service.pool import leave_pool


def do_withdraw_participant(actor: Actor, participant: Participant) -> dict[str, int]:
    """Delete everything the study holds about the participant, recordings' files included.

    The bookkeeping (jobs told to stop, the pool left, the audit row) is one transaction; the
    interviews, transcripts and coded units then go in batches of short transactions
    (`kollega.core.batchdelete`), the participant last, so a participant with much coded text
    does not lock other writers out. Called inside a caller's transaction it is all one.
    """
    with transaction.atomic():
        interviews = participant.interviews.all()
        counts = {
            "interviews": interviews.count(),
            "recordings": Recording.objects.filter(interview__in=interviews).count(),
            "transcripts": Transcript.objects.filter(interview__in=interviews).count(),
        }
        for job in TranscriptionJob.objects.filter(
            interview__in=interviews, status__in=ACTIVE_JOB_STATUSES
        ):
            job.cancel_requested = True
            job.save(update_fields=["cancel_requested"])
        study_pk, participant_pk = participant.study_id, participant.pk
        if participant.link is not None:
            # The invitation holds the link to the pool: it goes too. And someone who withdrew
            # is not invited again, to this study or another: they leave the pool.
            Invitation.objects.filter(study_id=study_pk, link=participant.link).delete()
            leave_pool(participant.link)
        record(
            actor,
            AuditAction.RESEARCH_PARTICIPANT_WITHDRAW,
            None,
            object_type="research.participant",
            object_id=participant_pk,
            study=study_pk,
            deleted=counts,
        )
    delete_in_batches(participant)
    return counts


@transaction.atomic
def do_withdraw_from_research(link: Any) -> dict[str, int]:
    """Withdraw a seeker from every study: each participant record goes through
    `do_withdraw_participant` (and whatever else it deletes), then every invitation."""
    totals: Counter[str] = Counter()
    for participant in Participant.objects.filter(link=link):
        totals.update(do_withdraw_participant(SEEKER, participant))
        totals["participants"] += 1
    totals["invitations"] += Invitation.objects.filter(link=link).delete()[0]
    return dict(totals)
