"""Browser tests: Playwright drives Debian's chromium, headless, against a live server.

Helpers: `check_axe(page)` fails on serious or critical accessibility violations,
`snap(page, name)` saves 320 px and 1280 px screenshots into KOLLEGA_SCREENSHOT_DIR
(default: screenshots/ in the checkout), and `sign_in(page, live_server, member)` signs a
staff member in through the real form with a fresh TOTP code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kollega.accounts.demo import current_code
from tests.cast import PASSWORD, Member

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KOLLEGA_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = Path(os.environ.get("KOLLEGA_SCREENSHOT_DIR", REPO / "screenshots"))
WIDTHS = {"phone": 320, "desktop": 1280}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: make test installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser: Browser, problems: list[str]) -> Page:
    """A page in a fresh browser context (own cookies) that reports problems into `problems`.

    A Content-Security-Policy violation, a script error or a missing file is a bug the user
    would hit. A page itself may answer 4xx on purpose (a form with errors, a wrong link), so
    failed loads are judged by their response, where only sub-resources count.
    """
    context = browser.new_context(
        viewport={"width": WIDTHS["desktop"], "height": 900}, locale="nb-NO"
    )
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    # A busy shared machine may need longer: KOLLEGA_BROWSER_TIMEOUT_MS raises it, for actions
    # and for expect()'s assertions alike (a first suggestion loads scikit-learn cold).
    timeout_ms = int(os.environ.get("KOLLEGA_BROWSER_TIMEOUT_MS", "10000"))
    page.set_default_timeout(timeout_ms)
    expect.set_options(timeout=timeout_ms)
    return page


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    problems: list[str] = []
    page = open_page(browser, problems)
    yield page
    page.context.close()
    assert not problems, f"browser console errors: {problems}"


def check_axe(page: Page) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation."""
    # evaluate() runs outside the page's CSP, so the page keeps its strict policy.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


def snap(page: Page, name: str) -> list[Path]:
    """Screenshot the page at phone and desktop width; returns the files written."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    original = page.viewport_size or {"width": WIDTHS["desktop"], "height": 900}
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        path = SCREENSHOT_DIR / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
    page.set_viewport_size(original)
    return written


def sign_in(page: Page, live_server: Any, member: Member) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    page.locator("input[name=username]").fill(member.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=otp_token]").fill(current_code(member.device))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/staff/")


@pytest.fixture
def staff_page(browser: Browser) -> Iterator[Any]:
    """``open_for(member, live_server, language=None)``: a separate browser (own cookies) per
    staff member, signed in unless ``member`` is None, in ``language`` when given; every page
    fails the test on console errors."""
    pages: list[Page] = []
    problems: list[str] = []

    def open_for(member: Member | None, live_server: Any, language: str | None = None) -> Page:
        page = open_page(browser, problems)
        if language:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        pages.append(page)
        if member is not None:
            sign_in(page, live_server, member)
        return page

    yield open_for
    for page in pages:
        page.context.close()
    assert not problems, f"browser console errors: {problems}"


@pytest.fixture
def researcher_page(browser: Browser, live_server: Any, cast: Any) -> Iterator[Page]:
    """A page signed in as the cast's researcher, in English, that fails on console errors."""
    problems: list[str] = []
    page = open_page(browser, problems)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, cast.researcher)
    yield page
    page.context.close()
    assert not problems, f"browser console errors: {problems}"
