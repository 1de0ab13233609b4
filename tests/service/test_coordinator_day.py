"""Auto-assignment, reassignment, urgent requests, writing to the seeker, seeker choice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import Case, CounsellorProfile, Message, ServiceSettings, Status
from tests.cast import Cast
from tests.service.conftest import Seeker, submit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SETTINGS = reverse("service:settings")


def url(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


# Settings page ---------------------------------------------------------------------------


def test_a_coordinator_switches_on_auto_assignment_and_the_queue_is_assigned(
    profiles: tuple[CounsellorProfile, CounsellorProfile],
    cast: Cast,
    django_capture_on_commit_callbacks,
) -> None:
    waiting = submit().case
    client = cast.coordinator.client()
    assert client.get(SETTINGS).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETTINGS, {"auto_assign": "on"})
    assert response.status_code == 302
    assert ServiceSettings.current().auto_assign
    waiting.refresh_from_db()
    assert waiting.status == Status.PROPOSED
    # A new request is assigned as it arrives.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("service:intake"),
            {"acute_risk": "no", "category": "advice", "contact_method": "none"},
        )
    newest = Case.objects.order_by("-pk").first()
    assert newest is not None and newest.status == Status.PROPOSED
    assert AuditEvent.objects.filter(action="service.queue.auto_assign").exists()


def test_with_auto_assignment_a_declined_case_goes_straight_to_another(
    proposed: Seeker,
    cast: Cast,
    profiles: tuple[CounsellorProfile, CounsellorProfile],
    django_capture_on_commit_callbacks,
) -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"auto_assign": True})
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decline_case(cast.counsellor.user, proposed.case, reason="no_capacity")
    case = proposed.refresh()
    assert case.status == Status.PROPOSED
    assert case.counsellor == profiles[1]


def test_auto_assignment_is_off_by_default(
    profiles: tuple[CounsellorProfile, CounsellorProfile], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = submit().case
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_the_settings_page_refuses_others(cast: Cast) -> None:
    for member in (cast.counsellor, cast.researcher, cast.outsider):
        assert member.client().get(SETTINGS).status_code == 403
        assert member.client().post(SETTINGS, {"auto_assign": "on"}).status_code == 403
    assert Client().get(SETTINGS)["Location"].startswith("/staff/login/")
    assert cast.coordinator.client().put(SETTINGS).status_code == 405
    assert not ServiceSettings.current().auto_assign


# Reassignment ----------------------------------------------------------------------------


def test_a_coordinator_reassigns_a_case_and_the_seeker_is_told(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    client = cast.coordinator.client("en")
    page = client.get(url("service:case", accepted.case)).content.decode()
    assert "Move the case to another counsellor" in page
    response = client.post(
        url("service:case_reassign", accepted.case), {"reassign-counsellor": profiles[1].pk}
    )
    assert response.status_code == 400
    assert accepted.refresh().counsellor == profiles[0]
    response = client.post(
        url("service:case_reassign", accepted.case),
        {"reassign-counsellor": profiles[1].pk, "reassign-reason": "Sykmeldt"},
    )
    assert response.status_code == 302
    case = accepted.refresh()
    assert (case.status, case.counsellor) == (Status.PROPOSED, profiles[1])
    assert profiles[0] in case.excluded_counsellors.all()
    assert case.status_changes.order_by("-pk").first().reason == "Sykmeldt"
    status = Client(HTTP_ACCEPT_LANGUAGE="en").get(accepted.url()).content.decode()
    assert "Your request moved to another counsellor" in status
    assert "Sykmeldt" not in status


def test_reassignment_is_refused_to_others_and_get(
    accepted: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    target = url("service:case_reassign", accepted.case)
    data = {"reassign-counsellor": profiles[1].pk, "reassign-reason": "x"}
    for member in (cast.counsellor, cast.researcher, cast.outsider):
        assert member.client().post(target, data).status_code == 403
    assert Client().post(target, data).status_code == 302
    assert cast.coordinator.client().get(target).status_code == 405
    assert accepted.refresh().counsellor == profiles[0]


# Urgent requests -------------------------------------------------------------------------


def test_a_coordinator_acknowledges_an_urgent_request_and_writes_to_the_seeker(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    seeker = submit(urgent=True)
    client = cast.coordinator.client("en")
    queue = client.get(reverse("service:queue")).content.decode()
    assert "not acknowledged" in queue
    assert client.post(url("service:case_acknowledge", seeker.case)).status_code == 302
    case = seeker.refresh()
    assert case.acknowledged_at is not None and case.acknowledged_by == cast.coordinator.user
    assert "not acknowledged" not in client.get(reverse("service:queue")).content.decode()
    response = client.post(
        url("service:case_write", seeker.case), {"write-body": "Vi ringer deg i dag."}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == Message.Sender.COORDINATOR
    status = Client(HTTP_ACCEPT_LANGUAGE="en").get(seeker.url()).content.decode()
    assert "Vi ringer deg i dag." in status and "Coordinator" in status
    assert (
        client.post(url("service:case_write", seeker.case), {"write-body": ""}).status_code == 400
    )


def test_acknowledge_and_write_are_refused_to_others_and_get(cast: Cast) -> None:
    seeker = submit(urgent=True)
    for name in ("service:case_acknowledge", "service:case_write"):
        target = url(name, seeker.case)
        for member in (cast.counsellor, cast.researcher, cast.outsider):
            assert member.client().post(target, {"write-body": "x"}).status_code == 403
        assert Client().post(target, {"write-body": "x"}).status_code == 302
        assert cast.coordinator.client().get(target).status_code == 405
    assert seeker.refresh().acknowledged_at is None
    assert not Message.objects.exists()


@override_settings(
    TASKS=IMMEDIATE,
    KOLLEGA_COORDINATOR_EMAILS=["vakt@example.invalid"],
    KOLLEGA_URGENT_ESCALATION_MINUTES=30,
    LANGUAGE_CODE="en",
)
def test_an_unacknowledged_urgent_request_is_escalated_once_without_content(
    db: None, django_capture_on_commit_callbacks
) -> None:
    seeker = submit(urgent=True, description="CANARY-urgent-text", contact_name="Kari Nordmann")
    fresh = submit(urgent=True)
    acknowledged = submit(urgent=True)
    Case.objects.filter(pk__in=[seeker.case.pk, acknowledged.case.pk]).update(
        created=timezone.now() - timedelta(minutes=45)
    )
    Case.objects.filter(pk=acknowledged.case.pk).update(acknowledged_at=timezone.now())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_urgent() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_urgent() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    text = sent.subject + sent.body
    assert "30 minutes" in text
    for secret in ("CANARY", "Kari", seeker.case.reference, fresh.case.reference):
        assert secret not in text


# Seeker choice ---------------------------------------------------------------------------


def test_with_seeker_choice_the_status_page_offers_first_names_only(
    profiles: tuple[CounsellorProfile, CounsellorProfile], cast: Cast
) -> None:
    cast.counsellor.user.last_name = "Etternavnsen"
    cast.counsellor.user.save()
    seeker = submit()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose your counsellor" not in client.get(seeker.url()).content.decode()
    assert (
        client.post(seeker.url("service:status_choose"), {"counsellor": profiles[0].pk}).status_code
        == 404
    )
    ServiceSettings.objects.update_or_create(pk=1, defaults={"seeker_choice": True})
    page = client.get(seeker.url()).content.decode()
    assert "Choose Ingrid" in page and "Etternavnsen" not in page
    response = client.post(seeker.url("service:status_choose"), {"counsellor": profiles[0].pk})
    assert response.status_code == 302
    case = seeker.refresh()
    assert (case.status, case.counsellor) == (Status.PROPOSED, profiles[0])
    assert client.get(seeker.url("service:status_choose")).status_code == 405


@pytest.mark.parametrize("urgent", [True])
def test_an_urgent_seeker_is_not_offered_a_choice(
    profiles: tuple[CounsellorProfile, CounsellorProfile], urgent: bool
) -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"seeker_choice": True})
    seeker = submit(urgent=urgent)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(seeker.url()).content.decode()
    assert "Choose your counsellor" not in page


def test_with_auto_assignment_a_counsellor_back_from_an_absence_gets_the_waiting_request(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    from kollega.core.schedule import periodic_tasks
    from kollega.service.tasks import auto_assign

    for profile in profiles:
        profile.away_until = timezone.localdate()
        profile.save()
    ServiceSettings.objects.update_or_create(pk=1, defaults={"auto_assign": True})
    waiting = submit().case
    assert actions.assign_waiting() == 0
    waiting.refresh_from_db()
    assert waiting.status == Status.NEW
    # Nothing assigned: the regular pass leaves no trace in the audit log.
    assert not AuditEvent.objects.filter(action="service.queue.auto_assign").exists()
    # The next day both are back; the scheduler's pass assigns without any new event.
    CounsellorProfile.objects.update(away_until=timezone.localdate() - timedelta(days=1))
    assert auto_assign.call() == 1
    waiting.refresh_from_db()
    assert waiting.status == Status.PROPOSED
    assert AuditEvent.objects.filter(action="service.queue.auto_assign").count() == 1
    by_name = {p.name: p for p in periodic_tasks()}
    assert by_name["kollega.service.tasks.auto_assign"].every == timedelta(minutes=15)


def test_without_auto_assignment_the_scheduler_assigns_nothing(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    waiting = submit().case
    assert actions.assign_waiting() == 0
    waiting.refresh_from_db()
    assert waiting.status == Status.NEW
