"""The seeker's pages as a doctor in distress meets them on a phone (issue 12, second round):
the front page's way in and emergency numbers without scrolling, large touch targets, an
intake error summary that takes focus and links to its fields, a status page that shows what
was sent and copies its own address, honest words for an urgent request, a true cancel page,
and error pages in the site's design. Each at 320 px (and 1280 px where layout matters), with
axe and screenshots."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from kollega.service import actions
from kollega.service.models import Offering
from tests.browser.conftest import check_axe, snap
from tests.cast import Cast
from tests.service.conftest import make_profile, submit
from tests.service.test_offerings import make_offering

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
DEAD_LINK = "/request/status/" + "x" * 43 + "/"


def speak(page: Page, live_server: Any, language: str = "en") -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def in_first_screen(page: Page, selector: str) -> None:
    """The element is whole inside the 640 px tall phone screen, without scrolling."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)


def touch_targets_are_44_px(page: Page, selector: str = "a[href^='tel:']") -> None:
    links = page.locator(selector).all()
    assert links, selector
    for link in links:
        if not link.is_visible():
            continue
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44, (link.inner_text(), box)


def both_widths(page: Page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        check_axe(page)
    page.set_viewport_size(PHONE)


def translated_course() -> Offering:
    return make_offering(
        6,
        days=12,
        title="Ukeskurs for leger",
        title_en="Week-long course for doctors",
        title_zh="医生一周课程",
    )


# --- The front page --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en", "zh-hans"])
def test_a_phone_shows_the_way_in_and_the_emergency_numbers_without_scrolling(
    page: Page, live_server: Any, language: str
) -> None:
    speak(page, live_server, language)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    in_first_screen(page, ".front-start a.ds-button")
    in_first_screen(page, ".front-acute .emergency-numbers")
    expect(page.locator(".front-start a.ds-button")).to_have_attribute("href", "/request/")
    touch_targets_are_44_px(page)
    if language == "en":
        expect(page.locator(".front-acute")).to_contain_text(
            "Legevakt (out-of-hours medical service)"
        )
        expect(page.locator(".front-acute span[lang=nb]").first).to_have_text(
            "Medisinsk nødtelefon"
        )
    both_widths(page)
    snap(page, f"seeker2-front-{language}")


# --- The intake ------------------------------------------------------------------------------


def test_a_failed_intake_focuses_a_summary_that_links_to_each_field(
    page: Page, live_server: Any
) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/request/")
    page.locator("form.stack button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"], "the summary is in view"
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_acute_risk_0",
        "#id_category_0",
    ]
    expect(links.nth(1)).to_contain_text("What brings you here?")
    both_widths(page)
    snap(page, "seeker2-intake-errors")
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "id_category_0"
    page.keyboard.press("Space")
    expect(page.locator("#id_category_0")).to_be_checked()


def test_checkboxes_are_large_and_their_labels_tick_them(page: Page, live_server: Any) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/request/")
    for box_id in ("id_research_consent", "id_expectations_0"):
        box = page.locator(f"#{box_id}").bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, (box_id, box)
        page.locator(f"label[for={box_id}]").click()
        expect(page.locator(f"#{box_id}")).to_be_checked()

    seeker = submit()
    page.goto(f"{live_server.url}{seeker.url('service:status_cancel')}")
    confirm = page.locator("#id_confirm")
    box = confirm.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24, box
    assert confirm.evaluate("el => getComputedStyle(el).appearance") == "none", "styled"
    page.locator("label[for=id_confirm]").click()
    expect(confirm).to_be_checked()
    both_widths(page)


# --- The cancel page -------------------------------------------------------------------------


def test_the_cancel_page_offers_the_deletion_it_speaks_of(page: Page, live_server: Any) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    seeker = submit()
    page.goto(f"{live_server.url}{seeker.url('service:status_cancel')}")
    expect(page.locator("main")).not_to_contain_text("or now if you ask below")
    expect(page.locator("main")).to_contain_text("90 days after you cancel")
    both_widths(page)
    snap(page, "seeker2-cancel")
    page.get_by_role("link", name="Delete all my data now").click()
    expect(page.locator("h1")).to_have_text("Delete all your data now?")


# --- The status page -------------------------------------------------------------------------


def test_the_status_page_shows_what_was_sent_and_where_to_and_copies_its_address(
    page: Page, live_server: Any, cast: Cast
) -> None:
    speak(page, live_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    offering = translated_course()
    seeker = submit(
        description="My own words: I cannot sleep after the night shifts.",
        expectations=["conversation"],
        wanted_offering=offering,
    )
    profile = make_profile(cast.counsellor)
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profile)
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    actions.do_record_referral(
        cast.counsellor.user,
        seeker.case,
        kind="course",
        consent=True,
        offering=offering,
        for_seeker="Villa Ro sends you the programme by post.",
        note="Private: check in after the course.",
    )
    starts = timezone.localtime() + datetime.timedelta(days=3)
    starts = starts.replace(hour=14, minute=30, second=0, microsecond=0)
    actions.do_plan_appointment(
        cast.counsellor.user, seeker.case, starts=starts, minutes=60, mode="video", where=""
    )
    url = f"{live_server.url}{seeker.url()}"
    page.set_viewport_size(PHONE)
    page.goto(url)

    field = page.locator("#status-url")
    expect(field).to_have_value(url)
    lines = field.evaluate(
        "el => { const s = getComputedStyle(el);"
        " const inner = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);"
        " return Math.round(inner / parseFloat(s.lineHeight)); }"
    )
    assert lines <= 3, f"the address takes {lines} lines at 320 px"
    copy = page.get_by_role("button", name="Copy the address")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("#status-url-done")).to_contain_text("The address is copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    referrals = page.locator("section[aria-labelledby=referrals-heading]")
    expect(referrals).to_contain_text("Course or counselling centre")
    expect(referrals).to_contain_text("Ukeskurs for leger (Week-long course for doctors)")
    expect(referrals).to_contain_text("Villa Ro sends you the programme by post.")
    expect(page.locator("main")).not_to_contain_text("Private: check in")
    expect(page.locator("main")).to_contain_text(
        f"{starts.day} {starts.strftime('%B')} {starts.year}, 14:30"
    )

    answers = page.locator(".sent__answers")
    expect(answers).to_be_hidden()
    page.locator("details.sent summary").click()
    expect(answers).to_contain_text("My own words: I cannot sleep after the night shifts.")
    expect(answers).to_contain_text("A conversation with a colleague")
    expect(page.locator(".sent__offering")).to_have_text(
        "Ukeskurs for leger (Week-long course for doctors)"
    )
    both_widths(page)
    snap(page, "seeker2-status")


def test_without_javascript_the_address_stays_visible_and_selectable(
    browser: Browser, live_server: Any
) -> None:
    seeker = submit()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        url = f"{live_server.url}{seeker.url()}?new=1"
        page.goto(url)
        field = page.locator("#status-url")
        expect(field).to_be_visible()
        expect(field).to_have_value(url.removesuffix("?new=1"))
        expect(field).not_to_be_disabled()
        expect(page.locator("button[data-copy]")).to_be_hidden()
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()


def test_an_urgent_seeker_is_told_what_the_service_does(page: Page, live_server: Any) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/request/")
    page.locator('input[name="acute_risk"][value="yes"]').check()
    expect(page.locator("#emergency-urgent")).to_contain_text("not an emergency service")
    touch_targets_are_44_px(page, "#emergency-urgent a[href^='tel:']")
    page.locator('input[name="category"][value="coping"]').check()
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/request/status/**")
    alert = page.locator(".urgent-alert")
    expect(alert).to_contain_text("If you are in danger now, do not wait for us.")
    expect(alert.locator("a[href='tel:113']")).to_be_visible()
    steps = page.locator(".urgent-steps")
    expect(steps).to_contain_text("It goes first in the queue")
    expect(steps).to_contain_text("within 30 minutes, the coordinators are alerted again")
    expect(steps).to_contain_text("We are not an emergency service")
    expect(page.locator("main")).not_to_contain_text("Expected time until a counsellor")
    touch_targets_are_44_px(page)
    both_widths(page)
    snap(page, "seeker2-status-urgent")


# --- Error pages -----------------------------------------------------------------------------


def error_page_on_a_phone(page: Page, heading: str) -> None:
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(".site-header")).to_be_visible()
    assert page.locator("meta[name=viewport]").count() == 1
    touch_targets_are_44_px(page)
    both_widths(page)


def test_a_dead_status_link_gets_the_sites_own_page(page: Page, live_server: Any) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    response = page.goto(f"{live_server.url}{DEAD_LINK}")
    assert response is not None and response.status == 404
    error_page_on_a_phone(page, "This status link does not open")
    expect(page.locator("main")).to_contain_text("Check that you have the whole address")
    expect(page.get_by_role("link", name="Start a new request")).to_have_attribute(
        "href", "/request/"
    )
    snap(page, "seeker2-404-status-link")

    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    error_page_on_a_phone(page, "Page not found")


def test_too_many_dead_links_get_the_throttled_page(page: Page, live_server: Any) -> None:
    from kollega.service.access import TOKEN_MISSES_ALLOWED

    speak(page, live_server)
    page.set_viewport_size(PHONE)
    for _ in range(TOKEN_MISSES_ALLOWED):
        page.request.get(f"{live_server.url}{DEAD_LINK}")
    response = page.goto(f"{live_server.url}{DEAD_LINK}")
    assert response is not None and response.status == 429
    error_page_on_a_phone(page, "Too many attempts")
    snap(page, "seeker2-429")


def test_a_network_over_its_hourly_limit_sees_the_emergency_numbers_first_and_keeps_its_words(
    page: Page, live_server: Any, settings: Any
) -> None:
    settings.KOLLEGA_SERVICE_PHONE = "22 33 44 55"
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/request/")
    page.locator('input[name="acute_risk"][value="no"]').check()
    page.locator('input[name="category"][value="work"]').check()
    page.locator('textarea[name="description"]').fill("Jeg sover dårlig etter vaktene")
    # Colleagues on the same hospital network have used up the hour's requests.
    with (
        mock.patch("kollega.service.views.seeker.intake_allowed", return_value=False),
        page.expect_response(lambda r: r.request.method == "POST") as answer,
    ):
        page.locator("form.stack button[type=submit]").click()
    assert answer.value.status == 429
    error_page_on_a_phone(page, "Your request has not been sent yet")
    in_first_screen(page, ".acute-first .emergency-numbers")
    expect(page.locator("a.service-phone")).to_have_attribute("href", "tel:+4722334455")
    expect(page.locator('textarea[name="description"]')).to_have_value(
        "Jeg sover dårlig etter vaktene"
    )
    snap(page, "seeker2-429-intake")


def test_a_form_sent_without_the_cookie_gets_a_page_that_says_what_to_do(
    page: Page, live_server: Any
) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/request/")
    page.locator('input[name="acute_risk"][value="no"]').check()
    page.locator('input[name="category"][value="work"]').check()
    # The cookie is gone (blocked, or cleared while the form was open).
    page.context.clear_cookies()
    speak(page, live_server)
    page.locator("form.stack button[type=submit]").click()
    error_page_on_a_phone(page, "Your form could not be sent")
    expect(page.locator("main")).to_contain_text("Nothing was saved")
    snap(page, "seeker2-403-csrf")


def test_an_unexpected_error_gets_the_sites_page(page: Page, live_server: Any) -> None:
    speak(page, live_server)
    page.set_viewport_size(PHONE)
    with mock.patch(
        "kollega.service.views.seeker.expected_waits", side_effect=RuntimeError("boom")
    ):
        response = page.goto(f"{live_server.url}/request/")
        assert response is not None and response.status == 500
        expect(page.locator("h1")).to_have_text("Something went wrong")
        assert page.locator("html").get_attribute("lang") == "en"
        touch_targets_are_44_px(page)
        both_widths(page)
        snap(page, "seeker2-500")
