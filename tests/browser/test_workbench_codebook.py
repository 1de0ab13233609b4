"""The code book in Chromium, at 320 and 1280 px under axe: merge two groups and undo it, the
colours and coding stripes on the coding page, and a stale form in a second tab."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.workbench.models import CodeGroup, Coding
from tests.browser.conftest import WIDTHS, check_axe, snap
from tests.browser.test_workbench_coding import double_click_word
from tests.workbench.conftest import Bench, bench  # noqa: F401 (a fixture)
from tests.workbench.steps34 import coded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _axe_at_both_widths(page: Page) -> None:
    for width in (WIDTHS["phone"], WIDTHS["desktop"]):
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
        # Nothing runs off a 320 px screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_merging_two_groups_and_undoing_it_puts_the_units_back(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    units = coded(bench)
    trust = CodeGroup.objects.get(analysis=bench.analysis, name="Trust")
    page = researcher_page
    page.goto(live_server.url + reverse("workbench:codebook", args=[bench.analysis.pk]))
    _axe_at_both_widths(page)
    snap(page, "workbench-codebook")
    page.get_by_role("link", name="Change the code group Trust").click()
    _axe_at_both_widths(page)
    snap(page, "workbench-group-edit")
    page.get_by_label("Merge Trust into").select_option(label="Exhaustion")
    page.get_by_role("button", name="Merge…").click()
    expect(page.get_by_role("heading", name="Merge Trust into Exhaustion?")).to_be_visible()
    _axe_at_both_widths(page)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_text("Trust is merged into Exhaustion.")).to_be_visible()
    expect(page.locator(".codebook")).not_to_contain_text("Trust")
    expect(page.locator(".codebook")).to_contain_text("my units: 4")
    assert not CodeGroup.objects.filter(pk=trust.pk).exists()
    _axe_at_both_widths(page)
    page.get_by_role("button", name="Undo: merging Trust into Exhaustion").click()
    expect(page.get_by_text("Undone: merging Trust into Exhaustion.")).to_be_visible()
    expect(page.locator(".codebook")).to_contain_text("Trust")
    for name, group_units in units.items():
        assert {c.code_group.name for c in Coding.objects.filter(unit__in=group_units)} == {name}


def test_the_coding_page_shows_each_groups_colour_and_stripes_and_passes_axe(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    coded(bench)
    page = researcher_page
    page.goto(
        live_server.url + reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    stripes = page.locator(".turn").nth(1).locator(".stripe")
    expect(stripes).to_have_count(2)
    colours = [
        stripes.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(2)
    ]
    assert colours == ["rgb(29, 78, 216)", "rgb(21, 128, 61)"]
    assert stripes.nth(1).bounding_box()["width"] > 0  # type: ignore[index]
    _axe_at_both_widths(page)
    snap(page, "workbench-coding-stripes")


def test_a_stale_form_in_a_second_tab_is_refused_with_a_clear_word(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    trust = CodeGroup.objects.get(analysis=bench.analysis, name="Trust")
    url = live_server.url + reverse("workbench:group_edit", args=[bench.analysis.pk, trust.pk])
    tabs = [researcher_page, researcher_page.context.new_page()]
    for tab in tabs:
        tab.goto(url)
    tabs[0].get_by_label("Put it inside").select_option(label="Advice")
    tabs[0].get_by_role("button", name="Move the code group").click()
    expect(tabs[0].get_by_text("Trust is moved.")).to_be_visible()
    tabs[1].get_by_label("Merge Trust into").select_option(label="Exhaustion")
    tabs[1].get_by_role("button", name="Merge…").click()
    tabs[1].get_by_role("button", name="Merge", exact=True).click()
    expect(
        tabs[1].get_by_text("Someone changed this code group after you opened the page")
    ).to_be_visible()
    assert CodeGroup.objects.get(pk=trust.pk).parent.name == "Advice"  # type: ignore[union-attr]


def test_undo_on_the_coding_page_takes_back_a_sort(
    researcher_page: Page,
    live_server: Any,
    bench: Bench,  # noqa: F811
) -> None:
    page = researcher_page
    page.goto(
        live_server.url + reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    double_click_word(page, 0, "sliten")
    page.get_by_role("button", name="Mark as a meaning unit").click()
    expect(page.locator("#units-heading")).to_have_text("My meaning units (1)")
    page.locator(".group__button", has_text="Trust").click()
    expect(page.locator(".unit-list")).to_contain_text("Trust")
    expect(page.locator(".turn .stripe")).to_have_count(1)
    page.get_by_role("button", name="Undo: sorting a unit into Trust").click()
    expect(page.locator("#announcer")).to_have_text("Undone: sorting a unit into Trust.")
    expect(page.locator(".unit-list")).to_contain_text("not sorted")
    expect(page.locator(".turn .stripe")).to_have_count(0)
    assert not Coding.objects.exists()
