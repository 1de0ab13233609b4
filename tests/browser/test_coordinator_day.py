"""The coordinator's day in Chromium: proposals, overrides, exclusions, auto-assignment,
reassignment, urgent requests and statistics, each page checked with axe at 320 and 1280 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.service import actions
from kollega.service.models import Case, CounsellorProfile, ServiceSettings, Status
from tests.browser import test_service_journeys as journeys
from tests.browser.conftest import WIDTHS, check_axe
from tests.cast import Cast
from tests.service.conftest import make_profile, submit

pytestmark = pytest.mark.django_db(transaction=True)


def look(page: Page) -> None:
    """axe at phone and at desktop width."""
    for width in (WIDTHS["phone"], WIDTHS["desktop"]):
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)


def two_counsellors(cast: Cast) -> tuple[CounsellorProfile, CounsellorProfile]:
    return (
        make_profile(cast.counsellor),
        make_profile(cast.other_counsellor, gender="male", region="vestland", employer="Helse Bergen HF"),
    )  # fmt: skip


def test_a_coordinator_assigns_from_proposals_and_overrides_with_a_reason(
    live_server: Any, cast: Cast, staff_page: Any
) -> None:
    first, second = two_counsellors(cast)
    one, two = submit().case, submit().case
    page = staff_page(cast.coordinator, live_server)
    page.goto(f"{live_server.url}/service/cases/{one.pk}/")
    expect(page.locator("ol.proposals > li")).to_have_count(2)
    look(page)
    page.locator("form.one-click button").click()
    page.wait_for_url("**/service/queue/")
    one.refresh_from_db()
    assert (one.status, one.counsellor_id) == (Status.PROPOSED, first.pk)

    page.goto(f"{live_server.url}/service/cases/{two.pk}/")
    # Ingrid now has a case, so Tor is proposed first: overriding means choosing Ingrid.
    expect(page.locator("form.one-click input[name=counsellor]")).to_have_value(str(second.pk))
    page.locator("#override-counsellor").select_option(str(first.pk))
    page.locator("form.override button").click()
    expect(page.locator("#id_override_reason_error")).to_be_visible()
    look(page)
    two.refresh_from_db()
    assert two.status == Status.NEW
    page.locator("#override-counsellor").select_option(str(first.pk))
    page.locator("#id_override_reason").fill("Kjenner fagfeltet")
    page.locator("form.override button").click()
    page.wait_for_url("**/service/queue/")
    two.refresh_from_db()
    assert (two.counsellor_id, two.status_changes.get().reason) == (first.pk, "Kjenner fagfeltet")


def test_the_coordinator_sees_why_a_named_employers_counsellors_are_excluded(
    live_server: Any, cast: Cast, staff_page: Any
) -> None:
    first, _second = two_counsellors(cast)
    first.employer = "Ullevål sykehus"
    first.save()
    case = submit(avoid_employers="OUS").case
    page = staff_page(cast.coordinator, live_server)
    page.goto(f"{live_server.url}/service/cases/{case.pk}/")
    expect(page.locator("ol.proposals > li")).to_have_count(1)
    page.locator("details.excluded summary").click()
    expect(page.locator("details.excluded li")).to_contain_text("Oslo universitetssykehus HF")
    expect(page.locator("details.excluded li")).to_contain_text("Ingrid")
    look(page)


def test_a_coordinator_switches_on_auto_assignment_and_a_new_request_is_assigned(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    two_counsellors(cast)
    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/settings/")
    look(coordinator)
    coordinator.locator("#id_auto_assign").check()
    coordinator.locator("form button[type=submit]").last.click()
    coordinator.wait_for_url("**/service/settings/")
    assert ServiceSettings.current().auto_assign
    journeys.send_request(page, live_server)
    case = Case.objects.get()
    assert case.status == Status.PROPOSED
    coordinator.goto(f"{live_server.url}/service/queue/")
    expect(coordinator.locator("main")).to_contain_text(case.reference)
    look(coordinator)


def test_a_coordinator_reassigns_a_case_and_the_seeker_sees_it(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    first, second = two_counsellors(cast)
    seeker = submit()
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, first)
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/")
    look(coordinator)
    coordinator.locator("#id_reassign-counsellor").select_option(str(second.pk))
    coordinator.locator("#id_reassign-reason").fill("Rådgiveren er syk")
    coordinator.locator("form[action$='/reassign/'] button").click()
    coordinator.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    case = seeker.refresh()
    assert (case.counsellor_id, case.status) == (second.pk, Status.PROPOSED)
    page.goto(live_server.url + seeker.url())
    expect(page.locator("[role=status].ds-alert")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Rådgiveren er syk")
    look(page)


def test_a_coordinator_acknowledges_an_urgent_request_and_writes_to_its_seeker(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    two_counsellors(cast)
    seeker = submit(urgent=True)
    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/queue/")
    expect(coordinator.locator("tr.urgent")).to_contain_text("ikke bekreftet mottatt")
    look(coordinator)
    coordinator.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/")
    coordinator.locator("form[action$='/acknowledge/'] button").click()
    coordinator.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    assert seeker.refresh().acknowledged_at is not None
    coordinator.locator("#id_write-body").fill("Vi ringer deg innen en time.")
    coordinator.locator("form[action$='/write/'] button").click()
    coordinator.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    look(coordinator)
    page.goto(live_server.url + seeker.url())
    expect(page.locator(".thread__message--coordinator")).to_contain_text(
        "Vi ringer deg innen en time."
    )
    look(page)


def test_the_statistics_page_shows_plots_and_suppresses_a_small_cell(
    live_server: Any, cast: Cast, staff_page: Any
) -> None:
    for _ in range(6):
        submit(gender="female")
    for _ in range(2):
        submit(gender="male")
    page = staff_page(cast.coordinator, live_server)
    page.goto(f"{live_server.url}/statistics/")
    plots = page.locator("figure.plot img[src^='data:image/svg+xml']")
    assert plots.count() >= 8
    expect(plots.first).to_be_visible()
    gender = page.locator("section[aria-labelledby='stat-gender']")
    # Two men are "<5"; the six women are withheld (":"), or 8 requests minus 6 would tell.
    expect(gender.locator("td").first).to_have_text(":")
    expect(gender.locator("td").nth(1)).to_have_text("<5")
    assert "<5" in (gender.locator("img").get_attribute("alt") or "")
    look(page)
