"""The admin sits on a non-default path behind TOTP, and audit rows there are read-only."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from kollega.core.audit import record
from kollega.core.models import AuditEvent
from tests.cast import Cast

ADMIN = f"/{settings.ADMIN_PATH}"


def test_the_admin_is_not_at_the_default_path(cast: Cast) -> None:
    assert ADMIN != "/admin/"
    assert cast.administrator.client().get("/admin/").status_code == 404


def test_the_administrator_with_a_second_factor_gets_in(cast: Cast) -> None:
    assert cast.administrator.client().get(ADMIN).status_code == 200


def test_a_password_alone_does_not_open_the_admin(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.administrator.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(ADMIN, follow=True)
    assert response.request["PATH_INFO"] == "/staff/login/"


def test_other_roles_are_refused(cast: Cast) -> None:
    response = cast.coordinator.client().get(ADMIN, follow=True)
    assert response.status_code == 403


def test_audit_events_can_be_read_but_not_changed_or_deleted(cast: Cast) -> None:
    event = record(
        cast.coordinator.user, "service.view_case", object_type="service.case", object_id=7
    )
    client = cast.administrator.client()
    base = f"{ADMIN}core/auditevent/"
    listing = client.get(base)
    assert listing.status_code == 200
    assert "service.view_case" in listing.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{event.pk}/change/", {"action": "edited"})
    event.refresh_from_db()
    assert event.action == "service.view_case"
    assert AuditEvent.objects.count() >= 1
