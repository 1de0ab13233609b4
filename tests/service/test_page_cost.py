"""Pages cost the same number of queries whatever the number of cases and counsellors."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.service.models import Case
from tests.cast import Cast
from tests.service.conftest import make_profile, submit
from tests.service.history import add_history


def queries(fetch: Callable[[], int]) -> int:
    """Queries of one fetch after a first one, so that caches filled once (the intake form's
    rendered fields) do not count."""
    fetch()
    with CaptureQueriesContext(connection) as captured:
        assert fetch() == 200
    return len(captured)


def grows_not(fetch: Callable[[], int]) -> tuple[int, int]:
    """Query counts before and after adding 300 cases and 40 counsellors of history."""
    before = queries(fetch)
    add_history(300, 40, statistics=50, queued=5)
    return before, queries(fetch)


def test_the_queue_costs_the_same_with_more_history(cast: Cast) -> None:
    make_profile(cast.counsellor)
    submit(urgent=True)
    client = cast.coordinator.client()
    before, after = grows_not(lambda: client.get(reverse("service:queue")).status_code)
    assert before == after


def test_the_case_page_costs_the_same_with_more_counsellors_and_history(cast: Cast) -> None:
    make_profile(cast.counsellor)
    case = submit(avoid_employers="Helse Bergen").case
    client = cast.coordinator.client()
    url = reverse("service:case", args=[case.pk])
    before, after = grows_not(lambda: client.get(url).status_code)
    assert before == after
    # The proposals really were computed over the new counsellors.
    assert Case.objects.count() > 300


def test_the_public_pages_cost_the_same_with_more_history(db: None) -> None:
    seeker = submit()
    for url in ("/", reverse("service:intake"), seeker.url()):
        before, after = grows_not(lambda url=url: Client().get(url).status_code)
        assert before == after, url


def test_the_statistics_page_costs_the_same_with_more_history(cast: Cast) -> None:
    make_profile(cast.counsellor)
    client = cast.coordinator.client()
    before, after = grows_not(lambda: client.get(reverse("reports:statistics")).status_code)
    assert before == after


def test_my_cases_costs_the_same_however_many_cases_the_counsellor_has(cast: Cast) -> None:
    """Dates, unread messages and the next conversation come with the list, not per case."""
    from datetime import timedelta

    from django.utils import timezone

    from kollega.service import actions

    profile = make_profile(cast.counsellor, capacity=20)
    client = cast.counsellor.client()

    def add_cases(n: int) -> None:
        for i in range(n):
            case = submit().case
            actions.do_assign_counsellor("test", case, profile)
            if i % 3 == 0:
                continue  # left proposed
            actions.do_accept_case(cast.counsellor.user, case)
            actions.do_send_message("seeker", case, body="Hei")
            actions.do_plan_appointment(
                cast.counsellor.user,
                case,
                starts=timezone.now() + timedelta(days=i + 1),
                minutes=45,
                mode="video",
            )
            if i % 3 == 2:
                actions.do_close_case(cast.counsellor.user, case, outcome="helped")

    add_cases(3)
    fetch = lambda: client.get(reverse("service:my_cases")).status_code  # noqa: E731
    before = queries(fetch)
    add_cases(15)
    after = queries(fetch)
    assert before == after
    page = client.get(reverse("service:my_cases"))
    assert len(page.context["working"]) == 6
