"""A case that ends by the seeker's cancelling or the service's withdrawal: conversations
still to come are cancelled, the counsellor is told, and the seeker reads what changed."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from kollega.service import actions, notifications
from kollega.service.models import Appointment, Enrolment, Message, Status
from tests.cast import Cast
from tests.service.conftest import Seeker
from tests.service.test_staff_second_round import (
    holds_the_last_place,
    plan,
    soon,
    status_page,
    url,
    wishes_english,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _past(seeker: Seeker) -> Appointment:
    return Appointment.objects.create(
        case=seeker.case, starts=timezone.now() - datetime.timedelta(days=2), mode="phone"
    )


def test_the_cancel_page_says_which_conversations_are_cancelled_too(
    accepted: Seeker, cast: Cast
) -> None:
    plan(cast, accepted.case, soon(4))
    plan(cast, accepted.case, soon(11))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(accepted.url("service:status_cancel"))
    text = page.content.decode()
    assert "Your 2 planned conversations are cancelled as well" in text
    assert text.count("Video") >= 2


def test_the_cancel_page_of_a_request_with_nothing_planned_mentions_none(seeker: Seeker) -> None:
    text = Client(HTTP_ACCEPT_LANGUAGE="en").get(seeker.url("service:status_cancel")).content
    assert b"cancelled as well" not in text


@override_settings(TASKS=IMMEDIATE, LANGUAGE_CODE="en")
def test_a_seeker_who_cancels_frees_the_counsellors_calendar_and_the_counsellor_is_told(
    accepted: Seeker, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    later = plan(cast, accepted.case, soon(5))
    past = _past(accepted)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            accepted.url("service:status_cancel"), {"confirm": "on"}, follow=True
        )
    assert "1 planned conversation is cancelled" in response.content.decode()
    assert accepted.refresh().status == Status.CANCELLED
    assert list(accepted.case.appointments.all()) == [past]
    assert not Appointment.objects.filter(pk=later.pk).exists()
    (sent,) = mail.outbox
    assert sent.to == [cast.counsellor.user.email]
    assert accepted.case.reference in sent.subject and "has ended" in sent.subject
    # Where to look, and nothing of the seeker's.
    assert url("service:case", accepted.case) in sent.body
    assert accepted.case.description not in sent.body


def test_a_seeker_without_a_counsellor_cancels_and_nobody_is_told(
    seeker: Seeker, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        actions.do_cancel_request(seeker.case)
    assert callbacks == []


def test_the_coordinator_is_warned_before_withdrawing_a_case_with_conversations_planned(
    accepted: Seeker, cast: Cast
) -> None:
    plan(cast, accepted.case, soon(6))
    page = cast.coordinator.client("en").get(url("service:case", accepted.case)).content.decode()
    assert "1 conversation is still planned" in page
    assert "Withdrawing cancels it" in page


@override_settings(TASKS=IMMEDIATE, LANGUAGE_CODE="en")
def test_withdrawing_cancels_what_is_planned_gives_up_places_and_tells_both(
    accepted: Seeker, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    wishes_english(accepted)
    waiting = holds_the_last_place(cast, accepted)
    later = plan(cast, accepted.case, soon(3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.coordinator.client("en").post(
            url("service:case_withdraw", accepted.case), {"reason": "Dobbel"}, follow=True
        )
    done = response.content.decode()
    assert "The request is withdrawn. 1 planned conversation is cancelled." in done
    assert "The seeker is told on their status page." in done
    assert accepted.refresh().status == Status.WITHDRAWN
    assert not Appointment.objects.filter(pk=later.pk).exists()
    assert Enrolment.objects.get(case=waiting.case).status == "placed"
    message = Message.objects.get(case=accepted.case)
    assert message.sender == Message.Sender.SERVICE
    seeker_page = status_page(accepted)
    assert "The service has withdrawn your request." in seeker_page
    assert "is cancelled" in seeker_page
    assert "Your place on Ukeskurs for utbrente" in seeker_page
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert (cast.counsellor.user.email,) in recipients


def test_the_withdrawal_message_is_in_the_seekers_language(accepted: Seeker, cast: Cast) -> None:
    plan(cast, accepted.case, soon(3))
    actions.do_withdraw_case(cast.coordinator.user, accepted.case, reason="Dobbel")
    body = Message.objects.get(case=accepted.case).body
    assert "Tjenesten har trukket tilbake forespørselen din." in body


def test_withdrawing_a_case_with_nothing_planned_writes_no_message(
    seeker: Seeker, cast: Cast
) -> None:
    actions.do_withdraw_case(cast.coordinator.user, seeker.case, reason="Dobbel")
    assert not Message.objects.filter(case=seeker.case).exists()


@override_settings(LANGUAGE_CODE="en")
def test_an_ended_notice_goes_only_to_the_counsellor_still_on_the_case(
    accepted: Seeker, cast: Cast
) -> None:
    counsellor = accepted.refresh().counsellor
    assert counsellor is not None
    actions.do_cancel_request(accepted.case)
    mail.outbox.clear()
    assert notifications.deliver(notifications.ENDED, accepted.case.pk, counsellor.pk) == 1
    other = cast.coordinator.user.pk  # not a counsellor profile on this case
    assert notifications.deliver(notifications.ENDED, accepted.case.pk, other + 10_000) == 0
    assert len(mail.outbox) == 1
