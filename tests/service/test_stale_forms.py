"""Two windows (or two people) on one case: a form sent from a page older than the case's
last change is refused with a message, keeps what was typed, and changes nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service.models import Case, CounsellorProfile, Status
from tests.cast import Cast
from tests.service.conftest import Seeker

STALE = "The request has changed since you opened this page"


def url(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


def state_on(page: str, name: str = "state") -> str:
    found = re.findall(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field on the page"
    return str(found[0])


def counts(case: Case) -> tuple[int, ...]:
    """What a form on the case adds to: its history, conversations, appointments, referrals."""
    return (
        case.status_changes.count(),
        case.conversations.count(),
        case.appointments.count(),
        case.referrals.count(),
    )


def opened(client: Client, path: str, name: str = "state") -> str:
    """The state token of the form on the page at `path`, as a browser window holds it."""
    response = client.get(path)
    assert response.status_code == 200
    return state_on(response.content.decode(), name)


def in_two_days() -> str:
    return (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


COUNSELLOR_FORMS: dict[str, tuple[dict[str, str], str, str]] = {
    # view: (form data, a text typed into it, the audit action it writes)
    "case_conversation": (
        {"held_on": "today", "mode": "video", "minutes": "50", "note": "Notat fra vindu"},
        "Notat fra vindu",
        "service.conversation.log",
    ),
    "case_appointment": (
        {"starts": "soon", "minutes": "45", "mode": "video", "where": "https://rom.invalid/vindu"},
        "https://rom.invalid/vindu",
        "service.appointment.plan",
    ),
    "case_referral": (
        {"kind": "gp", "consent": "on", "for_seeker": "Fastlegen din, tlf vindu"},
        "Fastlegen din, tlf vindu",
        "service.referral.record",
    ),
    "case_close": ({"outcome": "helped"}, "", "service.case.close"),
    "case_hand_back": ({"reason": "conflict"}, "", "service.case.hand_back"),
}


def filled(data: dict[str, str]) -> dict[str, str]:
    values = {"today": timezone.localdate().isoformat(), "soon": in_two_days()}
    return {key: values.get(value, value) for key, value in data.items()}


@pytest.mark.parametrize("view", sorted(COUNSELLOR_FORMS))
def test_the_second_window_s_form_is_refused_and_keeps_what_was_typed(
    view: str, accepted: Seeker, cast: Cast
) -> None:
    case = accepted.case
    data, typed, action = COUNSELLOR_FORMS[view]
    first, second = cast.counsellor.client("en"), cast.counsellor.client("en")
    first_state = opened(first, url(f"service:{view}", case))
    second_state = opened(second, url(f"service:{view}", case))
    assert (
        first.post(url(f"service:{view}", case), {**filled(data), "state": first_state}).status_code
        == 302
    )
    before = counts(case)
    response = second.post(url(f"service:{view}", case), {**filled(data), "state": second_state})
    page = response.content.decode()
    if response.status_code == 302:
        # The first window ended the case or gave it away: nothing left to send here.
        case.refresh_from_db()
        assert case.status in (Status.CLOSED, Status.DECLINED)
        page = second.get(response["Location"], follow=True).content.decode()
    else:
        assert response.status_code == 409
        assert typed in page
    assert STALE in page
    assert counts(case) == before
    assert AuditEvent.objects.filter(action=action, object_id=case.pk).count() == 1


def test_sending_again_after_the_refusal_is_a_deliberate_second_entry(
    accepted: Seeker, cast: Cast
) -> None:
    case = accepted.case
    data = filled(COUNSELLOR_FORMS["case_conversation"][0])
    path = url("service:case_conversation", case)
    first, second = cast.counsellor.client("en"), cast.counsellor.client("en")
    old = opened(second, path)
    assert first.post(path, {**data, "state": opened(first, path)}).status_code == 302
    refused = second.post(path, {**data, "state": old})
    assert refused.status_code == 409
    # The refused page carries the case's state now: sending it again is a choice.
    assert (
        second.post(path, {**data, "state": state_on(refused.content.decode())}).status_code == 302
    )
    assert case.conversations.count() == 2


def test_accept_from_a_page_older_than_a_move_is_refused(
    proposed: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = proposed.case
    counsellor = cast.counsellor.client("en")
    state = opened(counsellor, url("service:case", case))
    # Meanwhile the coordinator moves it away, and back again.
    from kollega.service import actions

    actions.do_reassign_case(cast.coordinator.user, case, profiles[1], reason="Feil")
    case.excluded_counsellors.clear()
    actions.do_reassign_case(cast.coordinator.user, case, profiles[0], reason="Likevel")
    response = counsellor.post(url("service:case_accept", case), {"state": state}, follow=True)
    assert STALE in response.content.decode()
    assert proposed.refresh().status == Status.PROPOSED


def test_two_coordinators_assigning_one_request_make_one_proposal(
    seeker: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = seeker.case
    first, second = cast.coordinator.client("en"), cast.coordinator.client("en")
    page = url("service:case", case)
    one, two = opened(first, page), opened(second, page)
    assert (
        first.post(
            url("service:case_assign", case), {"counsellor": profiles[0].pk, "state": one}
        ).status_code
        == 302
    )
    response = second.post(
        url("service:case_assign", case),
        {"counsellor": profiles[1].pk, "override_reason": "Annen region", "state": two},
        follow=True,
    )
    assert response.status_code == 200
    assert "This request is not waiting for a counsellor" in response.content.decode()
    case.refresh_from_db()
    assert case.counsellor == profiles[0]
    assert AuditEvent.objects.filter(action="service.case.assign", object_id=case.pk).count() == 1


def test_a_move_from_a_stale_page_is_refused_and_keeps_the_reason(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = accepted.case
    coordinator = cast.coordinator.client("en")
    state = opened(coordinator, url("service:case", case), "reassign-state")
    # The counsellor logs a conversation meanwhile.
    cast.counsellor.client().post(
        url("service:case_conversation", case),
        filled(COUNSELLOR_FORMS["case_conversation"][0]),
    )
    response = coordinator.post(
        url("service:case_reassign", case),
        {
            "reassign-counsellor": profiles[1].pk,
            "reassign-reason": "Sykmeldt i vinduet",
            "reassign-state": state,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert STALE in page and "Sykmeldt i vinduet" in page
    case.refresh_from_db()
    assert case.counsellor == profiles[0] and case.status == Status.IN_CONVERSATION


def test_a_withdrawal_from_a_stale_page_is_refused_and_keeps_the_reason(
    proposed: Seeker, cast: Cast
) -> None:
    case = proposed.case
    coordinator = cast.coordinator.client("en")
    state = opened(coordinator, url("service:case", case), "state")
    cast.counsellor.client().post(url("service:case_accept", case))
    response = coordinator.post(
        url("service:case_withdraw", case), {"reason": "Dobbel i vinduet", "state": state}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert STALE in page and "Dobbel i vinduet" in page
    assert proposed.refresh().status == Status.ACCEPTED


def test_decline_from_a_page_older_than_the_acceptance_is_refused(
    proposed: Seeker, cast: Cast
) -> None:
    case = proposed.case
    path = url("service:case_decline", case)
    window = cast.counsellor.client("en")
    state = opened(window, path)
    cast.counsellor.client().post(url("service:case_accept", case))
    response = window.post(path, {"reason": "no_capacity", "state": state}, follow=True)
    assert STALE in response.content.decode()
    assert proposed.refresh().status == Status.ACCEPTED


def test_a_tampered_state_is_refused_like_a_stale_one(accepted: Seeker, cast: Cast) -> None:
    data: dict[str, Any] = {**filled(COUNSELLOR_FORMS["case_close"][0]), "state": "x" * 40}
    response = cast.counsellor.client("en").post(url("service:case_close", accepted.case), data)
    assert response.status_code == 409
    assert accepted.refresh().status == Status.ACCEPTED


def test_a_seeker_choosing_after_the_coordinator_assigned_is_told_and_changes_nothing(
    seeker: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    from kollega.service import actions
    from kollega.service.models import ServiceSettings

    ServiceSettings.objects.update_or_create(pk=1, defaults={"seeker_choice": True})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose Tor" in client.get(seeker.url()).content.decode()
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profiles[0])
    response = client.post(
        seeker.url("service:status_choose"), {"counsellor": profiles[1].pk}, follow=True
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert seeker.refresh().counsellor == profiles[0]
    assert AuditEvent.objects.filter(action="service.case.assign").count() == 1
