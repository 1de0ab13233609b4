"""The workbench as seen in Chromium: htmx swaps that keep the strict Content-Security-Policy,
the pages at 320 px under axe, and the links between a study and its analyses."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import WIDTHS, check_axe
from tests.workbench.conftest import Bench, bench  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# Collects every CSP violation the page reports, before any of its own scripts run.
COUNT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + (event.sourceFile || ''));
});
"""


def double_click_word(page: Page, word: str) -> None:
    """A real mouse double-click on ``word`` in the first participant turn."""
    box = page.locator(".turn--participant .turn__text").first.evaluate(
        """(el, word) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(word);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + word.length);
                    const r = range.getBoundingClientRect();
                    return {x: r.x + r.width / 2, y: r.y + r.height / 2};
                }
            }
            return null;
        }""",
        word,
    )
    assert box, word
    page.mouse.dblclick(box["x"], box["y"])


def test_htmx_swaps_cause_no_csp_violation(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    page = researcher_page
    page.context.add_init_script(COUNT_VIOLATIONS)
    page.goto(f"{live_server.url}/research/analyses/{bench.analysis.pk}/coding/{bench.version.pk}/")
    for n, word in enumerate(("sliten", "kollega"), start=1):
        double_click_word(page, word)
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
