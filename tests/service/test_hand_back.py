"""A counsellor hands back a case they accepted (for example, on recognising the seeker)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import Case, Message, Status
from tests.cast import Cast
from tests.service.conftest import Seeker


def url(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


def plan_call(cast: Cast, case: Case) -> None:
    actions.do_plan_appointment(
        cast.counsellor.user,
        case,
        starts=timezone.now() + datetime.timedelta(days=2),
        minutes=45,
        mode="phone",
    )


def test_it_hands_the_case_back_to_the_queue_and_never_to_the_counsellor_again(
    accepted: Seeker, cast: Cast
) -> None:
    case = accepted.case
    plan_call(cast, case)
    case.refresh_from_db()
    client = cast.counsellor.client("en")
    page = client.get(url("service:case", case)).content.decode()
    assert url("service:case_hand_back", case) in page
    form = client.get(url("service:case_hand_back", case)).content.decode()
    assert "1 conversation is still planned" in form
    response = client.post(
        url("service:case_hand_back", case),
        {"reason": "conflict", "state": case.state_token()},
        follow=True,
    )
    assert response.status_code == 200
    assert "You handed the case back" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DECLINED and case.in_queue and case.counsellor is None
    assert case.excluded_counsellors.filter(user=cast.counsellor.user).exists()
    assert not case.appointments.exists()
    events = AuditEvent.objects.filter(action="service.case.hand_back", object_id=case.pk)
    assert events.count() == 1 and events.get().details["reason"] == "conflict"
    # The seeker reads, in a message from the service, that it is back in the queue.
    service = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    assert "tilbake i køen" in service.body and "er avlyst" in service.body
    status = accepted.client().get(accepted.url()).content.decode()
    assert "tilbake i køen" in status
    # The counsellor no longer reaches it.
    assert client.get(url("service:case", case)).status_code == 404


def test_hand_back_needs_a_reason_and_changes_nothing_without(accepted: Seeker, cast: Cast) -> None:
    response = cast.counsellor.client().post(url("service:case_hand_back", accepted.case), {})
    assert response.status_code == 400
    assert accepted.refresh().status == Status.ACCEPTED


def test_a_proposed_case_is_declined_not_handed_back(proposed: Seeker, cast: Cast) -> None:
    response = cast.counsellor.client().post(
        url("service:case_hand_back", proposed.case), {"reason": "conflict"}
    )
    assert response.status_code == 302
    assert proposed.refresh().status == Status.PROPOSED


def test_hand_back_is_only_for_the_case_s_counsellor(accepted: Seeker, cast: Cast) -> None:
    target = url("service:case_hand_back", accepted.case)
    assert cast.other_counsellor.client().post(target, {"reason": "conflict"}).status_code == 404
    assert cast.coordinator.client().get(target).status_code == 403
    assert cast.outsider.client().get(target).status_code == 403
    stranger = cast.outsider.client()
    stranger.logout()
    assert stranger.post(target, {"reason": "conflict"}).status_code == 302
    assert cast.counsellor.client().put(target).status_code == 405
    assert accepted.refresh().status == Status.ACCEPTED
