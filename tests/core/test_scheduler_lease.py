"""One scheduler enqueues, and a restart does not enqueue every periodic task again (issue 24)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kollega.core.models import PeriodicRun, SchedulerLease
from kollega.core.schedule import acquire_lease, periodic_tasks
from tests.core.test_scheduler import DB_TASKS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_db_tasks")]
RETENTION = "kollega.service.tasks.retention"


@pytest.fixture
def _db_tasks():  # type: ignore[no-untyped-def]
    with override_settings(TASKS=DB_TASKS):
        yield


def _run_once() -> str:
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    return out.getvalue()


def test_a_restarted_scheduler_does_not_enqueue_again_before_the_interval() -> None:
    _run_once()
    _run_once()  # a restart, minutes later
    assert DBTaskResult.objects.filter(task_path=RETENTION).count() == 1
    assert set(PeriodicRun.objects.values_list("name", flat=True)) == {
        p.name for p in periodic_tasks()
    }
    # An hour later the retention task is due again.
    PeriodicRun.objects.update(last_enqueued=timezone.now() - timedelta(hours=1, seconds=1))
    _run_once()
    assert DBTaskResult.objects.filter(task_path=RETENTION).count() == 2


def test_a_second_scheduler_waits_while_the_first_holds_the_lease() -> None:
    assert acquire_lease("host-a:1", seconds=120) is None
    out = _run_once()
    assert "Another scheduler (host-a:1) holds the lease" in out
    assert not DBTaskResult.objects.exists()
    assert SchedulerLease.objects.get().holder == "host-a:1"


def test_a_lapsed_lease_is_taken_over_and_given_up_at_a_clean_stop() -> None:
    SchedulerLease.objects.create(
        pk=1, holder="host-a:1", expires=timezone.now() - timedelta(seconds=1)
    )
    out = _run_once()
    assert "Holding the scheduler lease" in out
    assert DBTaskResult.objects.filter(task_path=RETENTION).count() == 1
    assert not SchedulerLease.objects.exists()


def test_the_holder_renews_its_own_lease() -> None:
    assert acquire_lease("host-a:1", seconds=120) is None
    assert acquire_lease("host-a:1", seconds=120) is None
    assert acquire_lease("host-b:2", seconds=120) == "host-a:1"
