"""De-identification: identifiers proposed, decided, added and replaced by placeholders.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import tasks
from kollega.research.actions._shared import enqueue_on_commit
from kollega.research.models import (
    ACTIVE_JOB_STATUSES,
    TURN_SEPARATOR,
    Finding,
    FindingDecision,
    ProposalJob,
    Transcript,
)
from kollega.speech import Finding as SpeechFinding
from kollega.speech import apply

# Placeholders written into de-identified text, in the transcript's language.
PLACEHOLDERS = {
    "nb": {
        "person": "navn",
        "place": "sted",
        "employer": "arbeidsgiver",
        "date": "dato",
        "age": "alder",
        "phone": "telefon",
        "email": "e-post",
        "national_id": "fødselsnummer",
        "address": "adresse",
    },
    "en": {
        "person": "name",
        "place": "place",
        "employer": "employer",
        "date": "date",
        "age": "age",
        "phone": "phone",
        "email": "e-mail",
        "national_id": "national ID",
        "address": "address",
    },
}


PLACEHOLDERS["nn"] = PLACEHOLDERS["nb"] | {"person": "namn", "place": "stad"}


def active_proposal_job(transcript: Transcript) -> ProposalJob | None:
    return transcript.proposal_jobs.filter(status__in=ACTIVE_JOB_STATUSES).first()


@transaction.atomic
def do_propose_identifiers(actor: Actor, transcript: Transcript) -> ProposalJob:
    """Start finding identifiers in the background; the worker stores the proposals."""
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if active_proposal_job(current) is not None:
        raise ActionRefused(_("Possible identifiers are already being looked for."))
    job = ProposalJob.objects.create(transcript=current, version=current.version)
    record(actor, AuditAction.RESEARCH_DEID_PROPOSE, job, interview=current.interview_id)
    enqueue_on_commit(tasks.propose_identifiers_in_background, job)
    return job


def _occurrences(text: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` stand in ``text`` (any case; spaces may be line breaks inside a turn)."""
    parts = [re.escape(word) for word in words.split()]
    between = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
    pattern = between.join(parts)
    if parts and re.match(r"\w", words):
        pattern = r"(?<!\w)" + pattern
    if parts and re.search(r"\w$", words):
        pattern += r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]


@transaction.atomic
def do_add_finding(actor: Actor, transcript: Transcript, *, words: str, kind: str) -> int:
    """Mark words the rules missed, everywhere they occur, as accepted identifiers of ``kind``.

    A proposal overlapping an occurrence is merged into it, so nothing it covered is left
    showing. Returns how many places were marked.
    """
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if current.proposals_made is None:
        raise ActionRefused(_("Make the proposals first."))
    if kind not in PLACEHOLDERS["en"]:
        raise ActionRefused(_("Unknown kind of identifier."))
    text = current.text
    places = _occurrences(text, words)
    if not places:
        raise ActionRefused(_("These words do not occur in the transcript."))
    existing = list(current.findings.all())
    for start, end in places:
        overlapping = [f for f in existing if f.start < end and start < f.end]
        start = min([start, *(f.start for f in overlapping)])
        end = max([end, *(f.end for f in overlapping)])
        for finding in overlapping:
            existing.remove(finding)
            if finding.pk is not None:
                finding.delete()
        existing.append(
            Finding(
                transcript=current,
                kind=kind,
                start=start,
                end=end,
                text=text[start:end],
                confidence=1.0,
                source="researcher",
                decision=FindingDecision.ACCEPTED,
            )
        )
    Finding.objects.bulk_create([f for f in existing if f.pk is None])
    record(
        actor,
        AuditAction.RESEARCH_DEID_ADD,
        current,
        interview=current.interview_id,
        kind=kind,
        places=len(places),
    )
    return len(places)


@transaction.atomic
def do_decide_findings(
    actor: Actor,
    transcript: Transcript,
    *,
    decisions: Mapping[int, str],
    accept_kinds: Iterable[str] = (),
) -> int:
    """Set decisions on proposals; ``accept_kinds`` accepts every open proposal of a kind."""
    valid = set(FindingDecision.values)
    changed = 0
    for pk, decision in decisions.items():
        if decision not in valid:
            raise ActionRefused(_("Unknown decision."))
        changed += (
            transcript.findings.filter(pk=pk).exclude(decision=decision).update(decision=decision)
        )
    kinds = list(accept_kinds)
    if kinds:
        changed += transcript.findings.filter(
            kind__in=kinds, decision=FindingDecision.PROPOSED
        ).update(decision=FindingDecision.ACCEPTED)
    record(
        actor,
        AuditAction.RESEARCH_DEID_DECIDE,
        transcript,
        interview=transcript.interview_id,
        changed=changed,
        accepted_kinds=kinds,
    )
    return changed


def _placeholders_in(text: str) -> dict[str, int]:
    """The highest number of each placeholder already in ``text``: a transcript edited after
    de-identification is reviewed again, and its new identifiers must not take the numbers
    of earlier ones (``[navn 1]`` stays one person)."""
    used: dict[str, int] = {}
    for name, number in re.findall(r"\[([^\[\]\d]+) (\d+)\]", text):
        used[name] = max(used.get(name, 0), int(number))
    return used


def _placeholder(name: str, n: int, used: Mapping[str, int]) -> str:
    return f"[{name} {n + used.get(name, 0)}]"


@transaction.atomic
def do_apply_deidentification(actor: Actor, transcript: Transcript) -> dict[str, int]:
    """Replace the accepted identifiers with placeholders such as ``[navn 1]``.

    The identified text is not kept: the transcript is overwritten and the proposals (which
    hold the identifiers) are deleted. Every proposal must be decided first.
    """
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if current.deidentified is not None:
        raise ActionRefused(_("This transcript is already de-identified."))
    if current.proposals_made is None:
        raise ActionRefused(_("Make the proposals first."))
    open_count = current.findings.filter(decision=FindingDecision.PROPOSED).count()
    if open_count:
        raise ActionRefused(
            _("Decide on every proposal first (%(count)d left).") % {"count": open_count}
        )
    accepted = list(current.findings.filter(decision=FindingDecision.ACCEPTED))
    names = PLACEHOLDERS.get(current.language, PLACEHOLDERS["en"])
    text = current.text
    used = _placeholders_in(text)
    try:
        new_text, _map = apply(
            text,
            [
                SpeechFinding(f.kind, f.start, f.end, f.text, f.confidence, f.source)  # type: ignore[arg-type]
                for f in accepted
            ],
            style=lambda finding, n: _placeholder(names.get(finding.kind, finding.kind), n, used),
        )
    except ValueError:
        raise ActionRefused(
            _("The proposals no longer match the text. Make the proposals again.")
        ) from None
    pieces = new_text.split(TURN_SEPARATOR)
    turns = current.turns
    if len(pieces) != len(turns):
        raise ActionRefused(_("The proposals no longer match the text. Make the proposals again."))
    for turn, piece in zip(turns, pieces, strict=True):
        turn["text"] = piece
    current.set_turns(turns)
    current.findings.all().delete()
    current.deidentified = timezone.now()
    current.version += 1
    current.updated = timezone.now()
    current.save()
    counts = dict(Counter(f.kind for f in accepted))
    record(
        actor,
        AuditAction.RESEARCH_DEID_APPLY,
        current,
        interview=current.interview_id,
        replaced=counts,
    )
    transcript.refresh_from_db()
    return counts
