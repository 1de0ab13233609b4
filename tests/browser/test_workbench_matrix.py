"""The matrix in Chromium at 320 and 1280 px with axe: a researcher opens a cell and reads
its units, then goes to one unit's place in the transcript."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.workbench.models import Analysis
from tests.browser.conftest import WIDTHS, check_axe
from tests.browser.test_workbench_steps34 import analysis, researcher_page  # noqa: F401
from tests.workbench.steps34 import SENTENCES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", list(WIDTHS.values()))
def test_a_researcher_opens_a_matrix_cell_and_reads_its_units(
    researcher_page: Page,  # noqa: F811
    live_server: Any,
    analysis: Analysis,  # noqa: F811
    width: int,
) -> None:
    page = researcher_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("workbench:matrix", args=[analysis.pk]))
    table = page.get_by_role("region", name="Meaning units per participant and code group")
    expect(table).to_be_visible()
    check_axe(page)
    # The scrolling region takes the keyboard focus (it can be scrolled with the arrows).
    table.focus()
    expect(table).to_be_focused()
    page.get_by_role("link", name="2 units of P01 in Trust").click()
    expect(page.get_by_role("heading", name="P01 in Trust")).to_be_visible()
    for sentence in SENTENCES["Trust"]:
        expect(page.get_by_text(sentence)).to_be_visible()
    expect(page.get_by_text(SENTENCES["Exhaustion"][0])).to_have_count(0)
    check_axe(page)
    page.get_by_role("link", name="Open its place in the transcript").first.click()
    page.wait_for_url("**/coding/**")
