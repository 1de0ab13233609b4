"""The one place that says who may open which analysis: the researchers named on its study.

Everyone else gets 404 (the rule of ``research.access``), so a stranger cannot learn which
analyses exist; other roles are stopped by ``role_required`` before they get here (403).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse

from kollega.research.access import studies_for_user
from kollega.workbench.models import Analysis, AnalysisTranscript


def analyses_for_user(user: Any) -> Any:
    return Analysis.objects.filter(study__in=studies_for_user(user))


def study_analyses(user: Any, study: Any) -> list[dict[str, str]]:
    """Links to the analyses of ``study`` that ``user`` may open, for the study's page."""
    return [
        {"label": analysis.name, "url": reverse("workbench:analysis", args=[analysis.pk])}
        for analysis in analyses_for_user(user).filter(study=study).order_by("name", "pk")
    ]


def get_analysis_for_user(user: Any, pk: int) -> Analysis:
    analysis: Analysis = get_object_or_404(analyses_for_user(user).select_related("study"), pk=pk)
    return analysis


def get_transcript_for_user(user: Any, analysis: Analysis, pk: int) -> AnalysisTranscript:
    """A transcript version of ``analysis`` (already checked with `get_analysis_for_user`)."""
    transcript: AnalysisTranscript = get_object_or_404(
        AnalysisTranscript.objects.select_related("interview__participant"),
        pk=pk,
        analysis=analysis,
    )
    return transcript
