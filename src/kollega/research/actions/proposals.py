"""Identifier proposals stored for a transcript: the worker's side of de-identification.

This module does not queue tasks, so the workers (`research.transcription`,
`research.proposing`) import it without a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kollega.research.models import TURN_SEPARATOR, Finding, Transcript
from kollega.speech import find_identifiers


def propose_identifiers(transcript: Transcript) -> list[Finding]:
    """Run the de-identification rules over the transcript and store their proposals
    (in the caller's process: the transcription worker; pages start a ``ProposalJob``)."""
    found = find_identifiers(transcript.text, language=transcript.language)
    return store_proposals(transcript, found)


def store_proposals(transcript: Transcript, found: Iterable[Any]) -> list[Finding]:
    """Replace the transcript's proposals with ``found`` (``kollega.speech.Finding``s)."""
    text = transcript.text
    breaks = [m.start() for m in re.finditer(re.escape(TURN_SEPARATOR), text)]
    rows = [
        Finding(
            transcript=transcript,
            kind=f.kind,
            start=f.start,
            end=f.end,
            text=f.text,
            confidence=f.confidence,
            source=f.source[:40],
        )
        for f in found
        # A proposal across two turns cannot be applied turn by turn; none should arise.
        if not any(f.start <= b < f.end for b in breaks)
    ]
    transcript.findings.all().delete()
    Finding.objects.bulk_create(rows)
    transcript.proposals_made = timezone.now()
    transcript.save(update_fields=["proposals_made"])
    return rows
