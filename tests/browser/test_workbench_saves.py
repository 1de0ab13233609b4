"""Two tabs on one subgroup in step 3: the second new condensate is refused, keeping its text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.workbench.actions import condensation
from kollega.workbench.models import Analysis, CodeGroup, Condensate
from tests.browser.test_workbench_steps34 import analysis  # noqa: F401 (a fixture)
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_tab_saving_a_new_condensate_is_refused_and_keeps_its_text(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    analysis: Analysis,  # noqa: F811
) -> None:
    group = CodeGroup.objects.get(analysis=analysis, name="Exhaustion")
    units = [u.pk for u in condensation.group_units(group)]
    sg = condensation.do_add_subgroup(cast.researcher.user, group, name="Nights", unit_pks=units)
    path = f"{live_server.url}/research/analyses/{analysis.pk}/condensation/{group.pk}/"
    # Two tabs of one signed-in browser (one authenticator code signs in once).
    tabs = [researcher_page, researcher_page.context.new_page()]
    for tab, words in zip(tabs, ("First tab's words.", "Second tab's words."), strict=True):
        tab.goto(path)
        tab.locator(f"#condensate-{sg.pk}").fill(words)
    for tab in tabs:
        tab.locator(f"#condensate-{sg.pk}").locator("xpath=ancestor::form").get_by_role(
            "button", name="Save the condensate"
        ).click()
        if tab is tabs[0]:
            expect(tab.get_by_text("The condensate is saved.")).to_be_visible()
    expect(tabs[1].get_by_text("Someone saved this after you opened it.")).to_be_visible()
    expect(tabs[1].locator(f"#condensate-{sg.pk}")).to_have_value("Second tab's words.")
    assert [c.text for c in Condensate.objects.filter(subgroup=sg)] == ["First tab's words."]
