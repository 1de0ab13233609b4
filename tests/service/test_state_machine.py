from __future__ import annotations

import pytest

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import TRANSITIONS, IllegalTransition, Status, StatusChange
from tests.cast import Cast
from tests.service.conftest import Seeker


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)


def test_ended_cases_cannot_move() -> None:
    for end in (Status.CLOSED, Status.CANCELLED, Status.WITHDRAWN):
        assert TRANSITIONS[end] == set()


def test_it_refuses_an_illegal_move_and_changes_nothing(seeker: Seeker, cast: Cast) -> None:
    with pytest.raises(IllegalTransition):
        seeker.case.set_status(Status.CLOSED, actor=cast.coordinator.user)
    assert seeker.refresh().status == Status.NEW
    assert not StatusChange.objects.filter(case=seeker.case).exists()


def test_it_refuses_to_accept_a_case_nobody_proposed(seeker: Seeker, cast: Cast) -> None:
    with pytest.raises(IllegalTransition):
        actions.do_accept_case(cast.counsellor.user, seeker.case)
    assert not AuditEvent.objects.filter(action="service.case.accept").exists()


def test_each_move_writes_a_status_change_and_an_audit_event(proposed: Seeker, cast: Cast) -> None:
    actions.do_accept_case(cast.counsellor.user, proposed.case)
    changes = list(
        StatusChange.objects.filter(case=proposed.case).values_list("old", "new", "actor")
    )
    assert changes == [
        (Status.NEW, Status.PROPOSED, cast.coordinator.user.pk),
        (Status.PROPOSED, Status.ACCEPTED, cast.counsellor.user.pk),
    ]
    assert AuditEvent.objects.filter(
        action="service.case.accept", object_id=str(proposed.case.pk)
    ).exists()


def test_a_declined_case_goes_back_to_the_queue_and_not_to_the_same_counsellor(
    proposed: Seeker, cast: Cast
) -> None:
    from kollega.service.adapters import match_case

    actions.do_decline_case(cast.counsellor.user, proposed.case, reason="no_capacity")
    case = proposed.refresh()
    assert case.status == Status.DECLINED
    assert case.in_queue
    assert case.counsellor is None
    names = [o.profile.user.username for o in match_case(case).proposals]
    assert "ingrid" not in names
    assert "tor" in names


def test_the_full_path_reaches_closed(accepted: Seeker, cast: Cast) -> None:
    import datetime

    user = cast.counsellor.user
    actions.do_log_conversation(
        user, accepted.case, held_on=datetime.date(2025, 1, 2), mode="video", minutes=60
    )
    assert accepted.refresh().status == Status.IN_CONVERSATION
    actions.do_record_referral(user, accepted.case, kind="gp", consent=True)
    assert accepted.refresh().status == Status.REFERRED
    actions.do_close_case(user, accepted.case, outcome="referred")
    case = accepted.refresh()
    assert case.status == Status.CLOSED
    assert case.ended_at is not None
