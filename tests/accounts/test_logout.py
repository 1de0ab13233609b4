from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.test import Client

from kollega.core.models import AuditEvent
from tests.cast import Cast


def test_logout_needs_a_post(cast: Cast) -> None:
    client = cast.counsellor.client()
    assert client.get("/staff/logout/").status_code == 405
    assert SESSION_KEY in client.session


def test_logout_ends_the_session(cast: Cast) -> None:
    client = cast.counsellor.client()
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_logout_everywhere_ends_sessions_in_other_browsers(cast: Cast) -> None:
    phone, laptop = cast.counsellor.client(), cast.counsellor.client()
    assert laptop.get("/staff/").status_code == 200
    phone.post("/staff/logout-everywhere/")
    assert laptop.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action="accounts.logout_everywhere").count() == 1
    # Other staff stay signed in.
    assert cast.coordinator.client().get("/staff/").status_code == 200


def test_logout_everywhere_refuses_the_stranger_and_get(cast: Cast) -> None:
    response = Client().post("/staff/logout-everywhere/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    assert cast.counsellor.client().get("/staff/logout-everywhere/").status_code == 405
