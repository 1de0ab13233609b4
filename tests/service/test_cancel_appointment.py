"""The counsellor cancels one planned conversation; the seeker reads so on their page."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import Appointment, Case, Message
from tests.cast import Cast
from tests.service.conftest import Seeker


def planned(cast: Cast, case: Case, days: int = 2) -> Appointment:
    return actions.do_plan_appointment(
        cast.counsellor.user,
        case,
        starts=timezone.now() + datetime.timedelta(days=days),
        minutes=45,
        mode="video",
    )


def cancel_url(case: Case, appointment: Appointment) -> str:
    return reverse("service:case_appointment_cancel", args=[case.pk, appointment.pk])


def test_the_counsellor_cancels_a_planned_conversation_from_the_case_page(
    accepted: Seeker, cast: Cast
) -> None:
    case = accepted.case
    appointment = planned(cast, case)
    client = cast.counsellor.client("en")
    page = client.get(reverse("service:case", args=[case.pk])).content.decode()
    assert cancel_url(case, appointment) in page and "Cancel this conversation" in page
    case.refresh_from_db()
    response = client.post(
        cancel_url(case, appointment), {"state": case.state_token()}, follow=True
    )
    assert "The conversation is cancelled" in response.content.decode()
    assert not case.appointments.exists()
    message = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    assert "avlyst en planlagt samtale" in message.body and "er avlyst" in message.body
    assert AuditEvent.objects.filter(action="service.appointment.cancel").count() == 1
    status = Client().get(accepted.url()).content.decode()
    assert "/calendar/appointment/" not in status


def test_it_refuses_others_and_the_wrong_method(accepted: Seeker, cast: Cast) -> None:
    case = accepted.case
    appointment = planned(cast, case)
    target = cancel_url(case, appointment)
    assert cast.other_counsellor.client().post(target).status_code == 404
    assert cast.coordinator.client().post(target).status_code == 403
    assert cast.outsider.client().post(target).status_code == 403
    assert Client().post(target).status_code == 302  # to the sign-in page
    assert cast.counsellor.client().get(target).status_code == 405
    assert case.appointments.count() == 1
    assert not AuditEvent.objects.filter(action="service.appointment.cancel").exists()


def test_a_conversation_already_held_is_not_cancelled(accepted: Seeker, cast: Cast) -> None:
    case = accepted.case
    appointment = planned(cast, case)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts=timezone.now() - datetime.timedelta(hours=2)
    )
    response = cast.counsellor.client("en").post(cancel_url(case, appointment), follow=True)
    assert "not possible in the request" in response.content.decode()
    assert case.appointments.count() == 1
