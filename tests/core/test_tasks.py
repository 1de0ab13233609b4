"""The e-mail task runs through both background backends: the database worker and RQ."""

from __future__ import annotations

import io
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from kollega.core.tasks import send_email

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_the_database_worker_sends_the_queued_email() -> None:
    result = send_email.enqueue(
        ["kari@example.invalid"], "A new request is waiting", "Open the queue."
    )
    assert mail.outbox == [], "enqueueing must not send by itself"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert [m.subject for m in mail.outbox] == ["A new request is waiting"]
    assert mail.outbox[0].to == ["kari@example.invalid"]


@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_sends_the_queued_email() -> None:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set; .ci/run's second pass runs this against Redis")
    from django_rq import get_queue
    from django_tasks_rq import Job
    from rq import SimpleWorker

    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASKS=rq_tasks, RQ_QUEUES=rq_queues):
        queue = get_queue("default", job_class=Job)
        queue.empty()
        result = send_email.enqueue(
            ["kari@example.invalid"], "A new request is waiting", "Open the queue."
        )
        assert mail.outbox == []
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
    assert [m.subject for m in mail.outbox] == ["A new request is waiting"]
