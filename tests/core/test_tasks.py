"""E-mail notices run through both background backends: the database worker and RQ."""

from __future__ import annotations

import io
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from kollega.service.actions import do_submit_request
from kollega.service.tasks import send_notice

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
COORDINATORS = ["kari@example.invalid"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, KOLLEGA_COORDINATOR_EMAILS=COORDINATORS)
def test_the_database_worker_sends_the_queued_email() -> None:
    case = do_submit_request(category="coping", urgent=True).case
    result = send_notice.enqueue(kind="urgent", case_id=case.pk)
    mail.outbox.clear()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert all(case.reference in m.subject for m in mail.outbox)
    assert {tuple(m.to) for m in mail.outbox} == {tuple(COORDINATORS)}


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
    with override_settings(
        TASKS=rq_tasks, RQ_QUEUES=rq_queues, KOLLEGA_COORDINATOR_EMAILS=COORDINATORS
    ):
        queue = get_queue("default", job_class=Job)
        queue.empty()
        case = do_submit_request(category="coping").case
        result = send_notice.enqueue(kind="urgent", case_id=case.pk)
        assert mail.outbox == []
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
    assert [m.to for m in mail.outbox] == [COORDINATORS]
