"""The støttekollega way in Chromium at 320 px: the public list, a registered contact referred
from the directory, the county's statistics and the settlement its leader approves, and a
county leader who sees nothing of another county on any page of the role; axe on every page.

(A colleague raising a concern that a counsellor takes up: `test_concern_journey.py`.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kollega.peers import actions
from kollega.peers.models import Registration, Settlement
from kollega.reports.aggregates import refresh
from tests.browser.conftest import WIDTHS, check_axe
from tests.cast import Cast
from tests.peers.conftest import approved_listing, last_month_days, make_leader
from tests.service.conftest import make_profile
from tests.service.test_referral_directory import make_place

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
    place = make_place(region="nordland", kind="lege_for_lege", name="Lege-for-lege Nordland")
    make_place(region="oslo", kind="psych", name="Psykologene i Oslo")
    days = last_month_days(3)
    counsellor = staff_page(cast.counsellor, live_server, language="en")
    counsellor.set_viewport_size(PHONE)
    counsellor.goto(f"{live_server.url}/stottekollega/contacts/new/")
    check_axe(counsellor)
    for name, day in zip(("first", "second", "third"), days, strict=True):
        counsellor.locator(f"#id_{name}").fill(day.isoformat())
    counsellor.locator("#id_channel").select_option("phone")
    counsellor.locator("#id_category").select_option("coping")
    options = counsellor.locator("#id_place option")
    expect(options.nth(1)).to_have_text(re.compile("Lege-for-lege Nordland"))  # own county first
    counsellor.locator("#id_place").select_option(str(place.pk))
    counsellor.get_by_role("button", name="Save").click()
    counsellor.wait_for_url("**/stottekollega/contacts/")
    expect(counsellor.get_by_role("cell", name="Phone")).to_be_visible()
    check_axe(counsellor)
    registration = Registration.objects.get()
    assert (registration.conversations, registration.place) == (3, place)
    assert registration.referral == "lege_for_lege"  # the entry's kind, counted by kind

    refresh()  # what the scheduler does every quarter of an hour
    boss = staff_page(leader, live_server, language="en")
    boss.set_viewport_size(PHONE)
    boss.goto(
        f"{live_server.url}/stottekollega/counties/nordland/statistics/"
        f"?year={days[0].year}&month={days[0].month}"
    )
    table = boss.locator("section", has=boss.get_by_role("heading", name="How the contacts came"))
    expect(table.get_by_role("row", name="Phone")).to_contain_text("<5")
    referrals = boss.locator("section", has=boss.get_by_role("heading", name="Referrals"))
    expect(referrals.get_by_role("row", name="Lege-for-lege")).to_contain_text("<5")
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


def test_a_county_leader_sees_nothing_of_another_county_on_any_page_of_the_role(
    live_server: Any, cast: Cast, staff_page: Any
) -> None:
    oslo = make_profile(cast.counsellor, region="oslo")
    make_profile(cast.other_counsellor, region="vestland")
    waiting = approved_listing(oslo, name="Ingrid Vik")
    waiting.text = "Endret tekst"
    actions.do_save_listing("test", waiting)  # a change waiting for Oslo's leader
    actions.do_register_contact(
        "test", oslo, dates=last_month_days(2), channel="phone", category="work"
    )
    day = last_month_days(1)[0]
    settlement = actions.do_approve_settlement(
        "test", oslo, actions.SettlementPeriod.of("month", day.year, day.month)
    )
    oslo_place = make_place(region="oslo", name="Psykologene i Oslo", kind="psych")
    make_place(region="vestland", name="Lege-for-lege Vestland")
    west = make_leader("vegard", "vestland")
    page = staff_page(west, live_server, language="en")
    page.set_viewport_size(PHONE)
    base = f"{live_server.url}/stottekollega/counties"
    # Every page of the role, asked for Oslo: not found, and nothing of Oslo on it.
    for url in (
        f"{base}/oslo/",
        f"{base}/oslo/settle/{oslo.pk}/",
        f"{base}/oslo/settlements/{settlement.pk}/",
        f"{base}/oslo/settlements/{settlement.pk}.csv",
        f"{base}/oslo/settlements/{settlement.pk}.docx",
        f"{base}/oslo/statistics/",
        f"{base}/vestland/settle/{oslo.pk}/",
        f"{base}/vestland/settlements/{settlement.pk}/",
        f"{live_server.url}/service/directory/{oslo_place.pk}/",
    ):
        response = page.request.get(url)
        assert response.status == 404, url
        assert "Ingrid" not in response.text() and "Oslo" not in response.text(), url
    page.goto(f"{base}/oslo/statistics/")
    check_axe(page)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for url in (
        f"{base}/oslo/listings/{waiting.pk}/approve/",
        f"{base}/vestland/listings/{waiting.pk}/approve/",
        f"{base}/oslo/settle/{oslo.pk}/",
        f"{live_server.url}/service/directory/{oslo_place.pk}/delete/",
    ):
        response = page.request.post(url, headers={"X-CSRFToken": token})
        assert response.status == 404, url
    # The pages they may open show their own county only: no Oslo counsellor, listing, entry or
    # contact (the statistics list every county as the colleague's, all at 0 here).
    for url in (f"{live_server.url}/staff/", f"{base}/", f"{base}/vestland/",
                f"{base}/vestland/statistics/", f"{live_server.url}/service/directory/",
                f"{live_server.url}/service/directory/new/"):  # fmt: skip
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        text = page.locator("main").inner_text()
        assert "Ingrid" not in text and "Psykologene i Oslo" not in text, url
        if not url.endswith(("/statistics/", "/directory/")):  # these list every county
            assert "Oslo" not in text, url
        check_axe(page)
    table = page.locator("section", has=page.get_by_role("heading", name="How the contacts came"))
    page.goto(f"{base}/vestland/statistics/?year={day.year}&month={day.month}")
    expect(table.get_by_role("row", name="Phone")).to_have_text(re.compile(r"Phone\s*0"))
    waiting.refresh_from_db()
    assert waiting.changed_since_approval and Settlement.objects.count() == 1
