"""The administrator's pages in Chromium (issue 18): the forms post, accounts change only through
the audited actions, and the paths to become someone else are not offered."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from kollega.accounts.models import User
from kollega.core.models import AuditEvent
from kollega.core.roles import roles_of
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_page(staff_page: Any, live_server: Any, cast: Cast) -> Page:
    page: Page = staff_page(cast.administrator, live_server, "en")
    page.goto(f"{live_server.url}/{settings.ADMIN_PATH}")
    return page


def _run_action(page: Page, live_server: Any, action: str, username: str) -> None:
    page.goto(f"{live_server.url}/{settings.ADMIN_PATH}accounts/user/")
    row = page.locator("#result_list tr", has=page.get_by_role("link", name=username, exact=True))
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()


def test_the_administrator_manages_accounts_in_chromium(
    admin_page: Page, live_server: Any, cast: Cast
) -> None:
    page = admin_page
    # Groups and second-factor devices are not offered at all.
    expect(page.get_by_role("link", name="Staff members")).to_be_visible()
    for absent in ("Groups", "TOTP devices", "Static devices"):
        expect(page.get_by_role("link", name=absent, exact=True)).to_have_count(0)

    # A new staff member: no password field, roles as checkboxes, enrolment on the server.
    page.goto(f"{live_server.url}/{settings.ADMIN_PATH}accounts/user/add/")
    expect(page.locator("input[type=password]")).to_have_count(0)
    page.locator("input[name=username]").fill("marit")
    page.locator("input[name=first_name]").fill("Marit")
    page.locator("input[name=email]").fill("marit@example.invalid")
    page.get_by_label("Counsellor").check()
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("kollega enrol_staff marit")).to_be_visible()
    marit = User.objects.get(username="marit")
    assert roles_of(marit) == {"counsellor"} and not marit.has_usable_password()
    assert AuditEvent.objects.filter(action="accounts.add_staff", object_id=marit.pk).exists()

    # Reset someone's sign-in: their authenticator stops working.
    _run_action(page, live_server, "reset_sign_in", "kari")
    expect(page.get_by_text("1 sign-in reset")).to_be_visible()
    assert not TOTPDevice.objects.filter(user=cast.coordinator.user).exists()

    # Deactivate someone.
    _run_action(page, live_server, "deactivate", "tor")
    expect(page.get_by_text("1 staff member deactivated")).to_be_visible()
    assert not User.objects.get(username="tor").is_active

    # On their own page: no superuser, group or permission fields, and no reading role.
    page.goto(
        f"{live_server.url}/{settings.ADMIN_PATH}accounts/user/{cast.administrator.user.pk}/change/"
    )
    for absent in ("is_superuser", "is_staff", "groups", "user_permissions", "password"):
        expect(page.locator(f"[name={absent}]")).to_have_count(0)
    page.get_by_label("Coordinator").check()
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("An administrator cannot also be").first).to_be_visible()
    page.get_by_label("Administrator").uncheck()
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("You cannot change your own roles").first).to_be_visible()
    assert roles_of(User.objects.get(pk=cast.administrator.user.pk)) == {"administrator"}

    # A study's page offers its researchers, never the administrator.
    from kollega.research.actions import do_create_study

    study = do_create_study(cast.researcher.user, title="Hjelp å søke", aims="", language="nb")
    page.goto(f"{live_server.url}/{settings.ADMIN_PATH}research/study/{study.pk}/change/")
    offered = page.locator("#id_researchers_from option, #id_researchers_to option")
    expect(offered.filter(has_text="sara")).to_have_count(1)
    expect(offered.filter(has_text="aksel")).to_have_count(0)

    # Every change above is in the audit log, which offers no form.
    page.goto(f"{live_server.url}/{settings.ADMIN_PATH}core/auditevent/")
    for action in ("accounts.add_staff", "accounts.reset_sign_in", "accounts.deactivate"):
        expect(page.get_by_role("cell", name=action).first).to_be_visible()
    expect(page.locator("select[name=action]")).to_have_count(0)
