"""Keep analyses true when research records change underneath them.

The research app knows nothing of the workbench: an edited transcript gets a new version
here, and a participant's withdrawal (which deletes their interviews, and with them every
transcript version, unit and quote pointing into those) flags what cited them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from kollega.core.audit import AuditAction, record
from kollega.research.models import Transcript
from kollega.workbench.actions import follow_transcript_edit
from kollega.workbench.models import (
    AnalysisTranscript,
    AnalyticText,
    Condensate,
    Theme,
    ThemeState,
)


@receiver(post_save, sender=Transcript)
def version_edited_transcript(
    sender: type[Transcript], instance: Transcript, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):
        follow_transcript_edit(instance)


@receiver(pre_delete, sender=AnalysisTranscript)
def flag_what_cited_it(
    sender: type[AnalysisTranscript], instance: AnalysisTranscript, **kwargs: Any
) -> None:
    condensates = Condensate.objects.filter(units__transcript=instance).values("pk")
    flagged = Condensate.objects.filter(pk__in=condensates).update(sources_withdrawn=True)
    texts = AnalyticText.objects.filter(
        Q(quotes__transcript=instance) | Q(condensates__units__transcript=instance)
    ).values("pk")
    flagged_texts = AnalyticText.objects.filter(pk__in=texts).update(sources_withdrawn=True)
    # Suggested themes are machine output drawn from every transcript's words, the withdrawn
    # participant's included; those no person has accepted go with the transcript. Accepted
    # ones are the researchers' own text, like condensates.
    dropped, _ = Theme.objects.filter(
        analysis_id=instance.analysis_id,
        state__in=[ThemeState.SUGGESTED, ThemeState.REJECTED],
    ).delete()
    if flagged or flagged_texts or dropped:
        record(
            "system",
            AuditAction.WORKBENCH_SOURCES_WITHDRAWN,
            None,
            object_type="workbench.analysis",
            object_id=instance.analysis_id,
            condensates=flagged,
            analytic_texts=flagged_texts,
            suggested_themes_deleted=dropped,
        )
