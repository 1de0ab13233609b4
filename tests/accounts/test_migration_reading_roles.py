"""Administrators who gave themselves a reading role before issue 18 lose it on upgrade."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from kollega.core.models import AuditEvent
from kollega.core.roles import ADMINISTRATOR, COORDINATOR, RESEARCHER, roles_of
from tests.cast import Cast

migration = importlib.import_module(
    "kollega.accounts.migrations.0002_administrators_hold_no_reading_roles"
)


@pytest.mark.django_db
def test_it_takes_reading_roles_from_administrators_only(cast: Cast) -> None:
    admin, coordinator = cast.administrator.user, cast.coordinator.user
    admin.groups.add(Group.objects.get_or_create(name=COORDINATOR)[0])
    admin.groups.add(Group.objects.get_or_create(name=RESEARCHER)[0])
    admin.user_permissions.add(Permission.objects.all()[0])
    migration.forwards(apps, None)
    admin = type(admin).objects.get(pk=admin.pk)
    assert roles_of(admin) == {ADMINISTRATOR}
    assert not admin.user_permissions.exists()
    assert roles_of(coordinator) == {COORDINATOR}
    event = AuditEvent.objects.get(action="accounts.remove_reading_roles")
    assert event.object_id == str(admin.pk)
    assert event.details == {"roles_removed": [COORDINATOR, RESEARCHER], "permissions_removed": 1}
