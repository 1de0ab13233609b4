"""The pages every visitor and staff member meets first, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe, sign_in, snap
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Kollegastøtte for leger"),
        ("en", "Peer support for doctors"),
        ("zh-hans", "医生同伴支持"),
    ],
)
def test_front_page_speaks_each_language_and_passes_axe(
    page: Page, live_server: Any, language: str, heading: str
) -> None:
    page.goto(f"{live_server.url}/")
    page.select_option("#language-select", language)
    page.locator(".language-switcher button").click()
    expect(page.locator("h1")).to_contain_text(heading)
    assert page.locator("html").get_attribute("lang") == language
    check_axe(page)
    snap(page, f"front-page-{language}")


def test_front_page_fits_a_320_px_phone(page: Page, live_server: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at 320px"


def test_skip_link_moves_focus_to_the_main_content(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_staff_sign_in_with_password_and_code(page: Page, live_server: Any, cast: Cast) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    check_axe(page)
    snap(page, "staff-login")
    sign_in(page, live_server, cast.coordinator)
    expect(page.locator("h1")).to_contain_text("Kari")
    check_axe(page)
    snap(page, "staff-home")


def test_a_wrong_code_keeps_the_door_shut(page: Page, live_server: Any, cast: Cast) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    page.locator("input[name=username]").fill(cast.coordinator.username)
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("input[name=otp_token]").fill("000000")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("[role=alert]")).to_be_visible()
    assert page.url.endswith("/staff/login/")
    check_axe(page)
