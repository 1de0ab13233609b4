"""The workbench as seen in Chromium: htmx swaps that keep the strict Content-Security-Policy,
the pages at 320 px under axe, and the links between a study and its analyses."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from kollega.accounts.demo import ensure_demo_users
from kollega.accounts.models import User
from kollega.research import demo as research_demo
from kollega.research.models import Study
from kollega.service import demo as service_demo
from kollega.workbench import actions
from kollega.workbench.models import Theme, ThemeState
from tests.browser.conftest import AXE_JS, WIDTHS, check_axe, open_page, sign_in
from tests.browser.test_workbench_coding import double_click_word
from tests.cast import Cast, Member
from tests.workbench.conftest import Bench, bench  # noqa: F401 (a fixture)
from tests.workbench.steps34 import synthesised

pytestmark = pytest.mark.django_db(transaction=True)

# Collects every CSP violation the page reports, before any of its own scripts run.
COUNT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + (event.sourceFile || ''));
});
"""


def test_htmx_swaps_cause_no_csp_violation(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    page = researcher_page
    page.context.add_init_script(COUNT_VIOLATIONS)
    page.goto(f"{live_server.url}/research/analyses/{bench.analysis.pk}/coding/{bench.version.pk}/")
    for n, word in enumerate(("sliten", "kollega"), start=1):
        double_click_word(page, 0, word)
        page.get_by_role("button", name="Mark as a meaning unit").click()
        expect(page.locator("#units-heading")).to_have_text(f"My meaning units ({n})")
        page.locator(".group__button", has_text="Exhaustion").click()
        expect(page.locator(".unit-list")).to_contain_text("Exhaustion")
    page.wait_for_timeout(200)  # htmx settles a moment after the swap
    assert page.evaluate("window.__violations") == []
    # htmx's own indicator style would be an inline <style> the policy refuses.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    check_axe(page)


def axe_rules(page: Page, *rules: str) -> list[str]:
    """The named axe rules' violations on the current page, whatever their impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async (rules) => (await window.axe.run(document, {runOnly: rules})).violations",
        list(rules),
    )
    return [f"{v['id']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_the_recruitment_tables_scroll_by_keyboard_at_320_px(
    browser: Browser, live_server: Any, cast: Cast
) -> None:
    ensure_demo_users()
    service_demo.load(io.StringIO())
    research_demo.load(io.StringIO())
    study = Study.objects.get()
    sara = Member(User.objects.get(username="sara"), TOTPDevice.objects.get(user__username="sara"))
    problems: list[str] = []
    page = open_page(browser, problems)
    sign_in(page, live_server, sara)
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    for name in ("recruitment", "pool", "study"):
        page.goto(f"{live_server.url}{reverse(f'research:{name}', args=[study.pk])}")
        assert axe_rules(page, "scrollable-region-focusable", "landmark-unique") == [], name
        check_axe(page)
    page.context.close()
    assert not problems, problems


def test_the_synthesis_and_results_pages_have_unique_landmarks_at_320_px(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    synthesised(bench)
    page = researcher_page
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    for name in ("synthesis", "results"):
        page.goto(f"{live_server.url}{reverse(f'workbench:{name}', args=[bench.analysis.pk])}")
        assert axe_rules(page, "landmark-unique", "scrollable-region-focusable") == [], name
        check_axe(page)


def test_a_long_model_name_stays_on_a_320_px_screen(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    theme = actions.do_add_theme(bench.owner.user, bench.analysis, label="Skam")
    Theme.objects.filter(pk=theme.pk).update(
        state=ThemeState.SUGGESTED, model="sentence-transformers/paraphrase-multilingual-MiniLM"
    )
    page = researcher_page
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.goto(f"{live_server.url}{reverse('workbench:impression', args=[bench.analysis.pk])}")
    tag = page.locator(".ds-tag", has_text="paraphrase-multilingual")
    expect(tag).to_be_visible()
    right = tag.evaluate("el => el.getBoundingClientRect().right")
    assert right <= WIDTHS["phone"], right
    assert "ready below" not in page.content()
