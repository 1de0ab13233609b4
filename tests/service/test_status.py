from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.access import TOKEN_MISSES_ALLOWED
from kollega.service.models import Case, CaseStatistic, Message, Status
from tests.cast import Cast
from tests.service.conftest import Seeker

WRONG = "x" * 43


def test_it_shows_the_seeker_their_request(seeker: Seeker) -> None:
    response = Client().get(seeker.url())
    assert response.status_code == 200
    assert seeker.case.reference in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert AuditEvent.objects.filter(action="service.request.view").exists()


def test_it_shows_the_counsellors_first_name_once_accepted(accepted: Seeker) -> None:
    response = Client().get(accepted.url())
    assert "Ingrid" in response.content.decode()


def test_it_hides_the_counsellor_while_only_proposed(proposed: Seeker) -> None:
    assert "Ingrid" not in Client().get(proposed.url()).content.decode()


@pytest.mark.django_db
def test_a_wrong_token_is_404() -> None:
    assert Client().get(reverse("service:status", args=[WRONG])).status_code == 404


@pytest.mark.django_db
def test_wrong_tokens_are_throttled_per_address(seeker: Seeker) -> None:
    client = Client()
    for _ in range(TOKEN_MISSES_ALLOWED):
        assert client.get(reverse("service:status", args=[WRONG])).status_code == 404
    assert client.get(reverse("service:status", args=[WRONG])).status_code == 429
    assert client.get(seeker.url()).status_code == 200, "a valid link always opens"
    assert (
        Client(REMOTE_ADDR="10.1.1.1").get(reverse("service:status", args=[WRONG])).status_code
        == 404
    )


def test_the_seeker_sends_a_message_that_only_the_counsellor_reads(
    accepted: Seeker, cast: Cast
) -> None:
    response = Client().post(accepted.url("service:status_message"), {"body": "Hei fra meg"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == "seeker"
    assert (
        "Hei fra meg"
        in cast.counsellor.client()
        .get(reverse("service:case", args=[accepted.case.pk]))
        .content.decode()
    )
    assert (
        "Hei fra meg"
        not in cast.coordinator.client()
        .get(reverse("service:case", args=[accepted.case.pk]))
        .content.decode()
    )


def test_an_empty_message_is_refused_with_a_message(seeker: Seeker) -> None:
    response = Client().post(seeker.url("service:status_message"), {"body": ""})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_the_message_page_refuses_get(seeker: Seeker) -> None:
    assert Client().get(seeker.url("service:status_message")).status_code == 405


def test_the_seeker_cancels_after_confirming(seeker: Seeker) -> None:
    client = Client()
    assert client.get(seeker.url("service:status_cancel")).status_code == 200
    assert client.post(seeker.url("service:status_cancel"), {}).status_code == 400
    assert seeker.refresh().status == Status.NEW
    assert client.post(seeker.url("service:status_cancel"), {"confirm": "on"}).status_code == 302
    assert seeker.refresh().status == Status.CANCELLED


def test_cancelling_twice_says_it_has_ended(seeker: Seeker) -> None:
    actions.do_cancel_request(seeker.case)
    response = Client().post(seeker.url("service:status_cancel"), {"confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert seeker.refresh().status == Status.CANCELLED


def test_delete_my_data_now_removes_the_request_and_keeps_a_statistic(accepted: Seeker) -> None:
    client = Client()
    assert client.get(accepted.url("service:status_delete")).status_code == 200
    response = client.post(accepted.url("service:status_delete"), {"confirm": "on"})
    assert response.status_code == 200
    assert not Case.objects.exists()
    stat = CaseStatistic.objects.get()
    assert stat.deleted_by == "seeker"
    assert stat.final_status == Status.ACCEPTED
    assert client.get(accepted.url()).status_code == 404


def test_the_seeker_pages_refuse_the_wrong_method(seeker: Seeker) -> None:
    client = Client()
    assert client.put(seeker.url("service:status_cancel")).status_code == 405
    assert client.delete(seeker.url("service:status_delete")).status_code == 405
    assert client.post(seeker.url()).status_code == 405
