from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import Case, Conversation, Status
from tests.cast import Cast
from tests.service.conftest import Seeker


def url(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


def test_the_counsellor_sees_their_case_and_the_view_is_audited(
    accepted: Seeker, cast: Cast
) -> None:
    response = cast.counsellor.client().get(url("service:case", accepted.case))
    assert response.status_code == 200
    assert "Jeg sover dårlig." in response.content.decode()
    assert AuditEvent.objects.filter(
        action="service.case.view", actor=cast.counsellor.user
    ).exists()


def test_it_refuses_other_counsellor(accepted: Seeker, cast: Cast) -> None:
    client = cast.other_counsellor.client()
    assert client.get(url("service:case", accepted.case)).status_code == 404
    assert client.post(url("service:case_message", accepted.case), {"body": "x"}).status_code == 404
    assert (
        client.post(url("service:case_close", accepted.case), {"outcome": "helped"}).status_code
        == 404
    )


def test_the_coordinator_sees_the_case_but_not_the_seekers_words(
    accepted: Seeker, cast: Cast
) -> None:
    actions.do_send_message("seeker", accepted.case, body="Hemmelig melding")
    response = cast.coordinator.client().get(url("service:case", accepted.case))
    assert response.status_code == 200
    body = response.content.decode()
    assert accepted.case.reference in body
    assert "Jeg sover dårlig." not in body
    assert "Hemmelig melding" not in body


def test_it_refuses_researcher_and_outsider(accepted: Seeker, cast: Cast) -> None:
    for member in (cast.researcher, cast.outsider):
        assert member.client().get(url("service:case", accepted.case)).status_code == 403


def test_it_sends_the_stranger_to_sign_in(accepted: Seeker) -> None:
    response = Client().get(url("service:case", accepted.case))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_the_case_page_refuses_post(accepted: Seeker, cast: Cast) -> None:
    assert cast.counsellor.client().post(url("service:case", accepted.case)).status_code == 405


def test_the_coordinator_assigns_the_first_proposal(seeker: Seeker, cast: Cast, profiles) -> None:
    client = cast.coordinator.client()
    page = client.get(url("service:case", seeker.case)).content.decode()
    assert "Ingrid" in page and "Tor" in page
    response = client.post(url("service:case_assign", seeker.case), {"counsellor": profiles[0].pk})
    assert response.status_code == 302
    case = seeker.refresh()
    assert case.status == Status.PROPOSED
    assert case.counsellor == profiles[0]


def test_choosing_another_than_the_first_needs_a_reason(
    seeker: Seeker, cast: Cast, profiles
) -> None:
    client = cast.coordinator.client()
    response = client.post(url("service:case_assign", seeker.case), {"counsellor": profiles[1].pk})
    assert response.status_code == 400
    assert seeker.refresh().status == Status.NEW
    response = client.post(
        url("service:case_assign", seeker.case),
        {"counsellor": profiles[1].pk, "override_reason": "Kjenner regionen"},
    )
    assert response.status_code == 302
    case = seeker.refresh()
    assert case.counsellor == profiles[1]
    assert case.status_changes.get().reason == "Kjenner regionen"


def test_a_counsellor_cannot_assign(seeker: Seeker, cast: Cast, profiles) -> None:
    response = cast.counsellor.client().post(
        url("service:case_assign", seeker.case), {"counsellor": profiles[0].pk}
    )
    assert response.status_code == 403


def test_the_counsellor_accepts(proposed: Seeker, cast: Cast) -> None:
    response = cast.counsellor.client().post(url("service:case_accept", proposed.case))
    assert response.status_code == 302
    assert proposed.refresh().status == Status.ACCEPTED


def test_accept_refuses_get(proposed: Seeker, cast: Cast) -> None:
    assert (
        cast.counsellor.client().get(url("service:case_accept", proposed.case)).status_code == 405
    )


def test_the_counsellor_declines_with_a_reason_and_the_case_returns_to_the_queue(
    proposed: Seeker, cast: Cast
) -> None:
    client = cast.counsellor.client()
    assert client.post(url("service:case_decline", proposed.case), {}).status_code == 400
    response = client.post(url("service:case_decline", proposed.case), {"reason": "conflict"})
    assert response.status_code == 302
    assert response["Location"] == reverse("service:my_cases")
    case = proposed.refresh()
    assert case.status == Status.DECLINED
    queue = cast.coordinator.client().get(reverse("service:queue")).content.decode()
    assert case.reference in queue
    assert client.get(url("service:case", case)).status_code == 404


def test_logging_conversations_stops_at_the_limit_until_the_coordinator_grants_more(
    accepted: Seeker, cast: Cast
) -> None:
    client = cast.counsellor.client()
    today = timezone.localdate().isoformat()
    with override_settings(KOLLEGA_CONVERSATION_LIMIT=2):
        for _ in range(2):
            data = {"held_on": today, "mode": "video", "minutes": "60", "note": "Kort notat"}
            assert (
                client.post(url("service:case_conversation", accepted.case), data).status_code
                == 302
            )
        response = client.post(url("service:case_conversation", accepted.case), data)
        assert Conversation.objects.count() == 2
        # Refused, with no form to fill in again: the page says why and what to do.
        assert response.status_code == 409
        assert 'name="held_on"' not in response.content.decode()
        grant = cast.coordinator.client().post(
            url("service:case_grant", accepted.case), {"extra": "1", "reason": "Trenger en til"}
        )
        assert grant.status_code == 302
        assert client.post(url("service:case_conversation", accepted.case), data).status_code == 302
    assert Conversation.objects.count() == 3
    assert accepted.refresh().status == Status.IN_CONVERSATION


def test_a_conversation_in_the_future_is_refused(accepted: Seeker, cast: Cast) -> None:
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = cast.counsellor.client().post(
        url("service:case_conversation", accepted.case),
        {"held_on": tomorrow, "mode": "video", "minutes": "60"},
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_a_referral_needs_the_seekers_consent(accepted: Seeker, cast: Cast) -> None:
    client = cast.counsellor.client()
    assert (
        client.post(url("service:case_referral", accepted.case), {"kind": "gp"}).status_code == 400
    )
    assert accepted.refresh().status == Status.ACCEPTED
    response = client.post(
        url("service:case_referral", accepted.case), {"kind": "gp", "consent": "on"}
    )
    assert response.status_code == 302
    assert accepted.refresh().status == Status.REFERRED


def test_the_counsellor_closes_with_an_outcome(accepted: Seeker, cast: Cast) -> None:
    response = cast.counsellor.client().post(
        url("service:case_close", accepted.case), {"outcome": "helped"}
    )
    assert response.status_code == 302
    case = accepted.refresh()
    assert (case.status, case.outcome) == (Status.CLOSED, "helped")


def test_the_counsellor_replies_to_the_seeker(accepted: Seeker, cast: Cast) -> None:
    response = cast.counsellor.client().post(
        url("service:case_message", accepted.case), {"body": "Hei tilbake"}
    )
    assert response.status_code == 302
    assert "Hei tilbake" in Client().get(accepted.url()).content.decode()


def test_the_coordinator_cannot_post_messages(accepted: Seeker, cast: Cast) -> None:
    response = cast.coordinator.client().post(
        url("service:case_message", accepted.case), {"body": "x"}
    )
    assert response.status_code == 403


def test_the_coordinator_withdraws_with_a_reason(seeker: Seeker, cast: Cast) -> None:
    client = cast.coordinator.client()
    assert client.post(url("service:case_withdraw", seeker.case), {}).status_code == 400
    assert (
        client.post(url("service:case_withdraw", seeker.case), {"reason": "Dobbel"}).status_code
        == 302
    )
    assert seeker.refresh().status == Status.WITHDRAWN


@pytest.mark.django_db
def test_a_missing_case_is_404(cast: Cast) -> None:
    assert cast.coordinator.client().get(reverse("service:case", args=[999])).status_code == 404
