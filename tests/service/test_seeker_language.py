"""E-mails and messages from the service reach the seeker in the language of their intake."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kollega.service import actions
from kollega.service.models import Case, CounsellorProfile, Message
from tests.cast import Cast
from tests.service.test_offerings import make_offering

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# What the seeker reads, by the language of the pages they used.
READS = {
    "nb": ("Nytt om forespørselen din", "er avlyst"),
    "en": ("News about your request", "is cancelled"),
    "zh-hans": ("您的请求", "已取消"),
}


def intake(language: str) -> Case:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        reverse("service:intake"),
        {
            "acute_risk": "no",
            "category": "coping",
            "contact_method": "email",
            "contact_email": "seeker@example.invalid",
        },
    )
    assert response.status_code == 302
    return Case.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize("language", ["en", "zh-hans", "nb"])
@override_settings(TASKS=IMMEDIATE)
def test_the_seeker_reads_e_mails_and_service_messages_in_their_intake_language(
    language: str,
    cast: Cast,
    profiles: tuple[CounsellorProfile, CounsellorProfile],
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = intake(language)
    assert case.language == language
    actions.do_assign_counsellor(cast.coordinator.user, case, profiles[0])
    actions.do_accept_case(cast.counsellor.user, case)
    actions.do_plan_appointment(
        cast.counsellor.user,
        case,
        starts=timezone.now() + datetime.timedelta(days=2),
        minutes=45,
        mode="phone",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_hand_back_case(cast.counsellor.user, case, reason="conflict")
    subject, cancelled = READS[language]
    to_seeker = [m for m in mail.outbox if m.to == ["seeker@example.invalid"]]
    assert len(to_seeker) == 1 and subject in to_seeker[0].subject
    message = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    assert cancelled in message.body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_removed_course_place_is_told_in_the_seeker_s_language(language: str, cast: Cast) -> None:
    case = intake(language)
    enrolment = actions.do_enrol_case(cast.coordinator.user, case, make_offering(capacity=2))
    response = cast.coordinator.client().post(
        reverse("service:enrolment_remove", args=[enrolment.pk])
    )
    assert response.status_code == 302
    message = Message.objects.get(case=case, sender=Message.Sender.SERVICE)
    words = {"en": "The service has removed your place", "zh-hans": "服务方已取消您在"}
    assert words[language] in message.body
    assert "Ukeskurs for utbrente" in message.body
