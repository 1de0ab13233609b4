"""The one place that says who may open which study, participant, interview and transcript.

A researcher sees only the studies they are named on; everyone else gets 404, so that a
stranger cannot even learn which studies exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kollega.core.roles import RESEARCHER, has_role
from kollega.research.models import Interview, Participant, Study, Transcript


def studies_for_user(user: Any) -> Any:
    if not has_role(user, RESEARCHER):
        return Study.objects.none()
    return Study.objects.filter(researchers=user)


def get_study_for_user(user: Any, pk: int) -> Study:
    study: Study | None = studies_for_user(user).filter(pk=pk).first()
    if study is None:
        raise Http404
    return study


def get_participant_for_user(user: Any, pk: int) -> Participant:
    participant = (
        Participant.objects.select_related("study")
        .filter(pk=pk, study__in=studies_for_user(user))
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def get_interview_for_user(user: Any, pk: int) -> Interview:
    interview = (
        Interview.objects.select_related("participant__study")
        .filter(pk=pk, participant__study__in=studies_for_user(user))
        .first()
    )
    if interview is None:
        raise Http404
    return interview


def get_transcript_for_user(user: Any, interview_pk: int) -> Transcript:
    interview = get_interview_for_user(user, interview_pk)
    transcript = Transcript.objects.filter(interview=interview).first()
    if transcript is None:
        raise Http404
    return transcript
