"""A unit sorted into a second code group from the coding page, in Chromium at 320 and 1280 px
under axe: both stripes show, and the further group can be taken away again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.workbench import actions
from kollega.workbench.models import AlsoCoded
from tests.browser.conftest import WIDTHS, check_axe
from tests.workbench.conftest import Bench, bench  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _axe_at_both_widths(page: Page) -> None:
    for width in (WIDTHS["phone"], WIDTHS["desktop"]):
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
        # Nothing runs off a 320 px screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_a_unit_sorted_into_a_second_group_shows_both_stripes(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[0]
    )
    page = researcher_page
    page.goto(
        live_server.url + reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    stripes = page.locator(".turn").nth(1).locator(".stripe")
    expect(stripes).to_have_count(1)
    _axe_at_both_widths(page)
    # By keyboard: choose the group, then press the button.
    page.get_by_label("Also in", exact=True).focus()
    page.get_by_label("Also in", exact=True).select_option(label="Trust")
    page.get_by_role("button", name="Add to this group too").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("The unit is also sorted into Trust.")
    expect(stripes).to_have_count(2)
    expect(stripes.nth(0)).to_have_attribute("title", "Exhaustion")
    expect(stripes.nth(1)).to_have_attribute("title", "Trust")
    expect(page.locator(".unit-list")).to_contain_text("Trust")
    assert AlsoCoded.objects.count() == 1
    _axe_at_both_widths(page)
    page.get_by_role("button", name="Remove unit 1 from Trust").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("The unit is no longer also in Trust.")
    expect(stripes).to_have_count(1)
    assert not AlsoCoded.objects.exists()
