from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kollega.service import actions
from kollega.service.models import Feedback
from tests.cast import Cast
from tests.service.conftest import Seeker


def test_feedback_opens_only_after_closing(accepted: Seeker) -> None:
    assert Client().get(accepted.url("service:feedback")).status_code == 404


def test_the_seeker_gives_feedback_once(accepted: Seeker, cast: Cast) -> None:
    actions.do_close_case(cast.counsellor.user, accepted.case, outcome="helped")
    client = Client()
    assert accepted.url("service:feedback") in client.get(accepted.url()).content.decode()
    assert client.get(accepted.url("service:feedback")).status_code == 200
    assert client.post(accepted.url("service:feedback"), {"helpfulness": "9"}).status_code == 400
    response = client.post(
        accepted.url("service:feedback"),
        {"helpfulness": "4", "would_recommend": "yes", "comment": "Takk"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.helpfulness, feedback.would_recommend, feedback.comment) == (4, True, "Takk")
    assert client.get(accepted.url("service:feedback")).status_code == 404


def test_the_feedback_page_refuses_put(accepted: Seeker) -> None:
    assert Client().put(accepted.url("service:feedback")).status_code == 405


def test_the_coordinator_sees_feedback_only_from_five_answers(accepted: Seeker, cast: Cast) -> None:
    actions.do_close_case(cast.counsellor.user, accepted.case, outcome="helped")
    actions.do_submit_feedback(accepted.case, helpfulness=5, would_recommend=True, comment="Godt")
    client = cast.coordinator.client()
    response = client.get(reverse("service:feedback_summary"))
    assert response.status_code == 200
    assert "Godt" not in response.content.decode()


def test_feedback_summary_refuses_counsellors_and_strangers(cast: Cast) -> None:
    assert cast.counsellor.client().get(reverse("service:feedback_summary")).status_code == 403
    assert Client().get(reverse("service:feedback_summary")).status_code == 302
    assert cast.coordinator.client().post(reverse("service:feedback_summary")).status_code == 405
