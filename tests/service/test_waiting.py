from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.service import actions, waiting
from kollega.service.models import Case, WaitTally
from tests.cast import Cast
from tests.service.conftest import make_profile, submit


def test_with_no_history_and_free_places_the_promise_is_the_default_range(cast: Cast) -> None:
    make_profile(cast.counsellor)
    waits = waiting.expected_waits()
    assert (waits.normal.low, waits.normal.high) == waiting.DEFAULT_RANGE
    assert (waits.urgent.low, waits.urgent.high) == waiting.DEFAULT_URGENT_RANGE


def test_accepting_counts_the_first_contact_once(cast: Cast) -> None:
    profile = make_profile(cast.counsellor)
    case = submit().case
    Case.objects.filter(pk=case.pk).update(created=timezone.now() - timedelta(days=4, hours=2))
    case.refresh_from_db()
    actions.do_assign_counsellor(cast.coordinator.user, case, profile)
    actions.do_accept_case(cast.counsellor.user, case)
    cell = WaitTally.objects.get()
    assert (cell.days, cell.count, cell.urgent) == (5, 1, False)
    assert waiting.rebuild_tally() == 1
    assert WaitTally.objects.get().days == 5


def test_the_range_is_the_middle_half_of_recent_waits(db: None) -> None:
    today = timezone.localdate()
    for days, count in ((1, 10), (2, 10), (4, 10), (9, 10)):
        WaitTally.objects.create(day=today, days=days, count=count)
    WaitTally.objects.create(day=today - timedelta(days=200), days=60, count=100)
    # Quartiles 1 and 4 days; 40 first contacts in 90 days and no counsellor free, so the
    # request itself adds 90/40 = 2.25 days: 3.25 and 6.25, rounded up. The old tally is out.
    waits = waiting.expected_waits()
    assert (waits.normal.low, waits.normal.high) == (4, 7)


def test_a_long_queue_with_no_free_places_lengthens_the_wait(cast: Cast) -> None:
    make_profile(cast.counsellor, capacity=30)
    WaitTally.objects.create(day=timezone.localdate(), days=2, count=90)
    short = waiting.expected_waits().normal
    for _ in range(40):
        submit()
    long = waiting.expected_waits().normal
    assert long.low > short.low
    # Urgent requests are served first: an empty urgent queue keeps their promise short.
    assert waiting.expected_waits().urgent.high < long.low


def test_the_front_page_intake_and_status_page_show_the_range(db: None, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    WaitTally.objects.create(day=timezone.localdate(), days=2, count=45)
    WaitTally.objects.create(day=timezone.localdate(), days=5, count=45)
    seeker = submit()
    for url in ("/", reverse("service:intake"), seeker.url()):
        body = Client().get(url).content.decode()
        assert "\N{EN DASH}" in body and "Expected time until a counsellor contacts you" in body, (
            url
        )


def test_an_urgent_seeker_is_told_the_urgent_promise(db: None, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    seeker = submit(urgent=True)
    body = Client().get(seeker.url()).content.decode()
    assert "Recently, urgent requests waited" in body
    assert "Expected time until a counsellor contacts you" not in body
