from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kollega.service.models import Case
from tests.cast import Cast
from tests.service.conftest import submit

URL = reverse("service:queue")


def test_the_queue_shows_urgent_first_then_oldest(cast: Cast) -> None:
    old = submit().case
    newer = submit().case
    urgent = submit(urgent=True).case
    response = cast.coordinator.client().get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(urgent.reference) < body.index(old.reference) < body.index(newer.reference)
    assert 'class="ds-alert" data-color="danger" role="alert"' in body
    assert list(Case.objects.queue()) == [urgent, old, newer]


def test_the_queue_has_no_banner_without_urgent_requests(cast: Cast) -> None:
    submit()
    assert 'role="alert"' not in cast.coordinator.client().get(URL).content.decode()


def test_the_queue_refuses_counsellors_researchers_and_outsiders(cast: Cast) -> None:
    for member in (cast.counsellor, cast.researcher, cast.outsider):
        assert member.client().get(URL).status_code == 403


def test_the_queue_sends_the_stranger_to_sign_in() -> None:
    assert Client().get(URL)["Location"].startswith("/staff/login/")


def test_the_queue_refuses_post(cast: Cast) -> None:
    assert cast.coordinator.client().post(URL).status_code == 405


def test_the_coordinator_records_a_phone_request_and_gets_its_status_link(cast: Cast) -> None:
    url = reverse("service:new_request")
    client = cast.coordinator.client()
    assert client.get(url).status_code == 200
    assert client.post(url, {"source": "phone"}).status_code == 400
    data = {
        "source": "phone",
        "acute_risk": "no",
        "category": "work",
        "contact_method": "phone",
        "contact_phone": "+47 912 34 567",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.source, case.category) == ("phone", "work")
    assert "/request/status/" in response.content.decode()


def test_a_counsellor_cannot_record_requests(cast: Cast) -> None:
    assert cast.counsellor.client().get(reverse("service:new_request")).status_code == 403


def test_a_long_queue_is_shown_a_page_at_a_time_with_every_urgent_one_counted(
    cast: Cast,
) -> None:
    from tests.service.history import add_history

    add_history(120, 3, queued=120)
    urgent = Case.objects.queue().filter(urgent=True).count()
    client = cast.coordinator.client("en")
    first = client.get(URL).content.decode()
    assert "120 requests wait for a counsellor" in first
    refs = list(Case.objects.queue().values_list("reference", flat=True))
    assert all(r in first for r in refs[:50]) and not any(r in first for r in refs[50:])
    assert "Showing 1\N{EN DASH}50 of 120" in first and 'href="?page=2"' in first
    if urgent:
        assert f"{urgent} urgent request" in first
    last = client.get(URL, {"page": "3"}).content.decode()
    assert all(r in last for r in refs[100:]) and "Showing 101\N{EN DASH}120 of 120" in last
    assert 'href="?page=2"' in last and "Further down the queue" not in last
    # A page that is not a number, or past the end, shows a page rather than an error.
    assert client.get(URL, {"page": "x"}).status_code == 200
    assert "Showing 101\N{EN DASH}120" in client.get(URL, {"page": "99"}).content.decode()
