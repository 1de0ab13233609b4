"""A conversation is dated between the day its request arrived and today."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from kollega.service.models import Case, Conversation, Status
from tests.cast import Cast
from tests.service.conftest import Seeker


def log(cast: Cast, case: Case, held_on: datetime.date, language: str = "en") -> str:
    response = cast.counsellor.client(language).post(
        reverse("service:case_conversation", args=[case.pk]),
        {"held_on": held_on.isoformat(), "mode": "video", "minutes": "60", "note": "Om søvn"},
    )
    assert response.status_code == 400
    return response.content.decode()


def test_a_conversation_before_the_request_arrived_is_refused_with_the_date(
    accepted: Seeker, cast: Cast
) -> None:
    case = accepted.case
    Case.objects.filter(pk=case.pk).update(created=timezone.now() - datetime.timedelta(days=5))
    case.refresh_from_db()
    page = log(cast, case, timezone.localdate() - datetime.timedelta(days=6))
    assert "a conversation in it cannot be older" in page
    # What was typed stays in the form.
    assert "Om søvn" in page
    assert not Conversation.objects.exists()
    assert accepted.refresh().status == Status.ACCEPTED


def test_the_day_the_request_arrived_is_accepted(accepted: Seeker, cast: Cast) -> None:
    case = accepted.case
    response = cast.counsellor.client().post(
        reverse("service:case_conversation", args=[case.pk]),
        {"held_on": timezone.localdate().isoformat(), "mode": "phone", "minutes": "30"},
    )
    assert response.status_code == 302
    assert Conversation.objects.count() == 1


def test_a_conversation_in_the_future_is_refused_too(accepted: Seeker, cast: Cast) -> None:
    page = log(cast, accepted.case, timezone.localdate() + datetime.timedelta(days=1))
    assert "before it has happened" in page
    assert not Conversation.objects.exists()
