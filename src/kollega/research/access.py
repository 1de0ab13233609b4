"""The one place that says who may open which study, participant, interview and transcript.

A researcher sees only the studies they are named on; everyone else gets 404, so that a
stranger cannot even learn which studies exist.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from kollega.core.roles import RESEARCHER, has_role
from kollega.research.models import GuideTopic, Interview, Participant, Study, Transcript


def studies_for_user(user: Any) -> Any:
    if not has_role(user, RESEARCHER):
        return Study.objects.none()
    return Study.objects.filter(researchers=user)


def get_study_for_user(user: Any, pk: int) -> Study:
    study: Study = get_object_or_404(studies_for_user(user), pk=pk)
    return study


def get_participant_for_user(user: Any, pk: int) -> Participant:
    return get_object_or_404(
        Participant.objects.select_related("study"), pk=pk, study__in=studies_for_user(user)
    )


def get_interview_for_user(user: Any, pk: int) -> Interview:
    return get_object_or_404(
        Interview.objects.select_related("participant__study"),
        pk=pk,
        participant__study__in=studies_for_user(user),
    )


def get_transcript_for_user(user: Any, interview_pk: int) -> Transcript:
    return get_object_or_404(Transcript, interview=get_interview_for_user(user, interview_pk))


def get_guide_topic_for_user(user: Any, pk: int) -> Any:
    return get_object_or_404(
        GuideTopic.objects.select_related("study"), pk=pk, study__in=studies_for_user(user)
    )
