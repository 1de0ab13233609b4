"""Liveness (/healthz) and readiness (/readyz) for service managers and probes (issue 24)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from kollega.core import health
from kollega.core.tasks import prune_task_results

pytestmark = pytest.mark.django_db


def _db_queue() -> bool:
    from kollega.core.taskqueue import _backend, _is_db

    return _is_db(_backend())


def test_liveness_answers_a_stranger_without_the_database(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "_database", lambda: 1 / 0)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readiness_says_the_database_and_queue_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("ready\n")
    assert "database: ok" in text
    assert "queue: ok, 0 waiting" in text


def test_readiness_fails_when_the_database_does_not_answer(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away() -> str:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "_database", away)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready\ndatabase: OperationalError\n"


def test_readiness_fails_when_a_task_has_waited_too_long(client: Client) -> None:
    if not _db_queue():
        pytest.skip("ages a task in the database queue")
    from django_tasks_db.models import DBTaskResult

    prune_task_results.enqueue()
    assert client.get("/readyz").status_code == 200
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "stale (is a worker running?), 1 waiting, oldest 36" in response.content.decode()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_local_probe_passes_the_host_check_and_https_redirect(
    client: Client, settings: Any, path: str
) -> None:
    settings.ALLOWED_HOSTS = ["kollega.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    # A probe on the machine, by address, over plain HTTP.
    assert client.get(path, HTTP_HOST="127.0.0.1:8000").status_code == 200
    # The same through the proxy (it adds X-Forwarded-For) gets the usual host check.
    relayed = client.get(path, HTTP_HOST="127.0.0.1:8000", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert relayed.status_code == 400
    # From elsewhere with the site's name over plain HTTP: answered, not redirected.
    remote = client.get(path, HTTP_HOST="kollega.example.org", REMOTE_ADDR="203.0.113.9")
    assert remote.status_code == 200
    # Other pages are still redirected to HTTPS.
    front = client.get("/", HTTP_HOST="kollega.example.org", REMOTE_ADDR="203.0.113.9")
    assert front.status_code == 301


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_refuses_other_methods(client: Client, path: str) -> None:
    assert client.post(path).status_code == 405
