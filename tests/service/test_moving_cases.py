"""Moving a case to another counsellor: from any state with a counsellor, without a 500, and
without leaving the old counsellor's appointments behind."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.adapters import match_case
from kollega.service.models import Case, CounsellorProfile, Message, Status
from tests.cast import Cast
from tests.service.conftest import Seeker

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def url(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


def soon(days: int = 3) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def move_data(case: Case, counsellor: CounsellorProfile, reason: str = "Syk") -> dict[str, Any]:
    return {
        "reassign-counsellor": counsellor.pk,
        "reassign-reason": reason,
        "reassign-state": case.state_token(),
    }


def test_it_moves_a_case_chosen_with_someone_else_to_another_counsellor(
    seeker: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    client = cast.coordinator.client("en")
    case = seeker.case
    first, second = (option.profile for option in match_case(case).proposals[:2])
    # "Choose someone else": the second proposal, with a reason.
    response = client.post(
        url("service:case_assign", case),
        {"counsellor": second.pk, "override_reason": "Kjenner miljøet", "state": "new.0"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PROPOSED and case.counsellor == second
    page = client.get(url("service:case", case), HTTP_ACCEPT_LANGUAGE="en")
    assert "Move the case to another counsellor" in page.content.decode()
    response = client.post(url("service:case_reassign", case), move_data(case, first), follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.PROPOSED and case.counsellor == first
    assert second in case.excluded_counsellors.all()
    assert AuditEvent.objects.filter(action="service.case.reassign", object_id=case.pk).count() == 1


def test_a_refused_move_says_why_and_is_no_500(
    proposed: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = proposed.case
    data = move_data(case, profiles[1])
    actions.do_cancel_request(case)
    response = cast.coordinator.client("en").post(
        url("service:case_reassign", case), data, follow=True
    )
    assert response.status_code == 200
    assert "not possible in the request" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.CANCELLED and case.counsellor == profiles[0]


def test_moving_cancels_the_old_counsellors_planned_calls_and_tells_the_seeker(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = accepted.case
    actions.do_plan_appointment(
        cast.counsellor.user, case, starts=soon(), minutes=45, mode="phone", where=""
    )
    case.refresh_from_db()
    response = cast.coordinator.client("en").post(
        url("service:case_reassign", case), move_data(case, profiles[1]), follow=True
    )
    assert "1 planned conversation is cancelled" in response.content.decode()
    assert not case.appointments.exists()
    service = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    assert "er avlyst" in service.body  # Norwegian: the seeker used no other language
    page = accepted.client().get(accepted.url()).content.decode()
    assert "Your appointments" not in page and "Dine avtaler" not in page


def test_after_a_move_and_a_decline_the_status_page_tells_no_old_promise(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    case = accepted.case
    actions.do_plan_appointment(
        cast.counsellor.user, case, starts=soon(), minutes=45, mode="phone", where=""
    )
    actions.do_reassign_case(cast.coordinator.user, case, profiles[1], reason="Syk")
    client = accepted.client()
    moved = client.get(accepted.url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your request moved to another counsellor on" in moved
    actions.do_decline_case(cast.other_counsellor.user, case, reason="no_capacity")
    page = client.get(accepted.url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your request moved to another counsellor on" not in page
    assert "Declined, back in the queue" in page
    # The service's last word to the seeker says so, in their language (Norwegian here).
    last = case.messages.filter(sender=Message.Sender.SERVICE).order_by("-pk").first()
    assert last is not None and "tilbake i køen" in last.body
    assert not case.appointments.exists()


def test_declining_cancels_appointments_left_on_the_case(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    # Appointments a move before this fix left behind.
    case = accepted.case
    actions.do_reassign_case(cast.coordinator.user, case, profiles[1], reason="Syk")
    case.appointments.create(starts=soon(), minutes=30, mode="phone")
    actions.do_decline_case(cast.other_counsellor.user, case, reason="no_capacity")
    assert not case.appointments.exists()
    service = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    assert "er avlyst" in service.body


@override_settings(TASKS=IMMEDIATE)
def test_the_old_counsellor_is_told_the_case_moved_without_personal_data(
    accepted: Seeker,
    cast: Cast,
    profiles: tuple[CounsellorProfile, CounsellorProfile],
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = accepted.case
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_reassign_case(cast.coordinator.user, case, profiles[1], reason="Syk")
    to_old = [m for m in mail.outbox if m.to == [cast.counsellor.user.email]]
    assert len(to_old) == 1
    assert case.reference in to_old[0].subject
    assert "Jeg sover" not in to_old[0].body and "Syk" not in to_old[0].body
