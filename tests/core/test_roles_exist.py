"""The roles exist after `kollega migrate` on a fresh install, and a misspelt role is refused
(issue 24)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from kollega.accounts.actions import do_create_staff
from kollega.accounts.models import User
from kollega.core.errors import ActionRefused
from kollega.core.roles import ROLES

pytestmark = pytest.mark.django_db


def test_it_has_every_role_after_migrating_a_fresh_database() -> None:
    # The test database is built by running every migration, as `kollega migrate` does.
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_a_misspelt_role_is_refused_by_name_and_nothing_is_created() -> None:
    with (
        translation.override("en"),
        pytest.raises(ActionRefused, match="Unknown roles: coordinater"),
    ):
        do_create_staff(username="kari", password="a long passphrase 42", roles=["coordinater"])
    assert not User.objects.filter(username="kari").exists()
    assert not Group.objects.filter(name="coordinater").exists()
