"""The scheduler enqueues registered periodic work, such as deleting expired personal data."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kollega.core.schedule import due, periodic_tasks

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_service_registers_its_retention_task_hourly() -> None:
    by_name = {p.name: p for p in periodic_tasks()}
    assert by_name["kollega.service.tasks.retention"].every == timedelta(hours=1)


def test_a_task_is_due_at_start_and_again_only_after_its_interval() -> None:
    name = "kollega.service.tasks.retention"
    assert name in {p.name for p in due({}, 1_000_000.0)}
    assert name not in {p.name for p in due({name: 1_000_000.0}, 1_000_000.0 + 3599)}
    assert name in {p.name for p in due({name: 1_000_000.0}, 1_000_000.0 + 3600)}


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_run_scheduler_once_enqueues_the_retention_task() -> None:
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert DBTaskResult.objects.filter(task_path="kollega.service.tasks.retention").count() == 1
    assert "Enqueued kollega.service.tasks.retention" in out.getvalue()
