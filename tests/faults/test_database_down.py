"""The database stops answering in the middle of an intake: the seeker gets a clear page (with
the emergency numbers), and once the database is back nothing half-stored is there."""

from __future__ import annotations

import re
import sqlite3
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from kollega.core.models import AuditEvent
from kollega.service.models import Case

FORM = {
    "acute_risk": "no",
    "category": "coping",
    "description": "Fault test: the database went away while I sent this.",
    "contact_method": "email",
    "contact_email": "fault-test@example.invalid",
    "website": "",
}


def _form_with_token(client: Client) -> dict[str, Any]:
    page = client.get("/request/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    return {**FORM, "csrfmiddlewaretoken": token.group(1)}


def _assert_clear_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"]
    text = response.content.decode()
    assert "was not saved" in text or "ikke lagret" in text
    assert "113" in text  # the emergency numbers, whatever else fails


@pytest.mark.db_services
@pytest.mark.django_db(transaction=True)
def test_an_intake_cut_off_midway_stores_nothing_and_says_so() -> None:
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    data = _form_with_token(client)
    lost = OperationalError("server closed the connection unexpectedly")
    # The connection drops after the request row is written, before the audit row.
    with mock.patch("kollega.service.actions.cases.record", side_effect=lost):
        response = client.post("/request/", data)
    _assert_clear_page(response)

    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action="service.request.submit").exists()
    # Back again: the same form goes through.
    response = client.post("/request/", _form_with_token(client))
    assert response.status_code == 302
    assert Case.objects.get().contact_email == FORM["contact_email"]


@pytest.mark.django_db(transaction=True)
def test_an_intake_while_sqlite_is_locked_stores_nothing_and_says_so() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("an SQLite file locked by another process")
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    data = _form_with_token(client)
    connection.close()
    options = connection.settings_dict["OPTIONS"]
    with mock.patch.dict(options, {"timeout": 0.2}):
        # Another process holds the write lock and does not let go (a stuck backup, a crash).
        locker = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            response = client.post("/request/", data)
        finally:
            locker.rollback()
            locker.close()
            connection.close()
    _assert_clear_page(response)

    assert not Case.objects.exists()
    response = client.post("/request/", _form_with_token(client))
    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_an_unexpected_error_gets_a_clear_page_without_the_database() -> None:
    from django.test import RequestFactory

    from kollega.core.views import server_error

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "113" in response.content.decode()
