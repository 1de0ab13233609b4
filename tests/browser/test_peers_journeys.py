"""The støttekollega way in Chromium at 320 px: the public list, a registered contact, the
county's statistics and the settlement its leader approves; axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kollega.peers.models import Registration, Settlement
from kollega.reports.aggregates import refresh
from tests.browser.conftest import WIDTHS, check_axe
from tests.cast import Cast
from tests.peers.conftest import approved_listing, last_month_days, make_leader
from tests.service.conftest import make_profile

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": WIDTHS["phone"], "height": 900}


def test_a_doctor_finds_a_counsellor_in_another_county_and_a_working_phone_link(
    live_server: Any, cast: Cast, page: Any
) -> None:
    approved_listing(make_profile(cast.counsellor, region="oslo"), name="Ingrid Vik")
    approved_listing(
        make_profile(cast.other_counsellor, region="troms"),
        name="Tor Haugland",
        phone="+47 77 66 55 44",
    )
    page.set_viewport_size(PHONE)
    response = page.goto(f"{live_server.url}/stottekollega/")
    assert response is not None and "set-cookie" not in response.headers
    check_axe(page)
    page.locator("#id_county").select_option("troms")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_text("Tor Haugland")).to_be_visible()
    expect(page.get_by_text("Ingrid Vik")).to_have_count(0)
    link = page.get_by_role("link", name="Ring +47 77 66 55 44")
    expect(link).to_have_attribute("href", "tel:+4777665544")
    check_axe(page)
    assert page.context.cookies() == []


def test_a_registered_phone_contact_reaches_the_statistics_and_the_approved_settlement(
    live_server: Any, cast: Cast, staff_page: Any
) -> None:
    profile = make_profile(cast.counsellor, region="nordland")
    leader = make_leader("liv", "nordland")
    days = last_month_days(3)
    counsellor = staff_page(cast.counsellor, live_server, language="en")
    counsellor.set_viewport_size(PHONE)
    counsellor.goto(f"{live_server.url}/stottekollega/contacts/new/")
    check_axe(counsellor)
    for name, day in zip(("first", "second", "third"), days, strict=True):
        counsellor.locator(f"#id_{name}").fill(day.isoformat())
    counsellor.locator("#id_channel").select_option("phone")
    counsellor.locator("#id_category").select_option("coping")
    counsellor.locator("#id_referral").select_option("psych")
    counsellor.get_by_role("button", name="Save").click()
    counsellor.wait_for_url("**/stottekollega/contacts/")
    expect(counsellor.get_by_role("cell", name="Phone")).to_be_visible()
    check_axe(counsellor)
    registration = Registration.objects.get()
    assert (registration.conversations, registration.referral) == (3, "psych")

    refresh()  # what the scheduler does every quarter of an hour
    boss = staff_page(leader, live_server, language="en")
    boss.set_viewport_size(PHONE)
    boss.goto(
        f"{live_server.url}/stottekollega/counties/nordland/statistics/"
        f"?year={days[0].year}&month={days[0].month}"
    )
    table = boss.locator("section", has=boss.get_by_role("heading", name="How the contacts came"))
    expect(table.get_by_role("row", name="Phone")).to_contain_text("<5")
    check_axe(boss)

    boss.goto(f"{live_server.url}/stottekollega/counties/nordland/")
    check_axe(boss)
    boss.get_by_role("link", name=f"Settle for {profile}").click()
    expect(boss.locator("dl")).to_contain_text("3")
    check_axe(boss)
    boss.get_by_role("button", name="Approve the settlement").click()
    boss.wait_for_url("**/settlements/*/")
    check_axe(boss)
    settlement = Settlement.objects.get()
    assert settlement.conversations == 3 and settlement.county == "nordland"
    registration.refresh_from_db()
    assert registration.settlement == settlement
    assert settlement.approved_at <= timezone.now()
