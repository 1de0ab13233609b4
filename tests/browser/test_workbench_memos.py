"""Memos in Chromium: a researcher writes a memo beside a meaning unit on the coding page and
finds it in the memo list and the downloaded report; two tabs editing one memo, the second save
refused with its text kept; deleting after a confirmation. axe at 320 and 1280 px on every page
on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.workbench import actions
from kollega.workbench.models import Analysis, Memo
from tests.browser.conftest import WIDTHS, check_axe
from tests.browser.test_workbench_steps34 import analysis  # noqa: F401 (a fixture)
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def look(page: Page) -> None:
    """axe finds nothing serious at phone and desktop width."""
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def test_a_memo_written_beside_a_unit_is_in_the_report(
    researcher_page: Page,
    live_server: Any,
    analysis: Analysis,  # noqa: F811
) -> None:
    page = researcher_page
    version = analysis.transcripts.get()
    page.goto(live_server.url + reverse("workbench:coding", args=[analysis.pk, version.pk]))
    # On a phone the panel opens far below the link: it is brought into view.
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 640})
    page.get_by_role("link", name="Memo on unit 1", exact=True).click()
    beside = page.locator("#unit-memo")
    expect(beside.get_by_role("heading", name="Memos")).to_be_in_viewport()
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    beside.get_by_label("New memo").fill("Tiredness comes first, before the fear of being seen.")
    beside.get_by_role("button", name="Add the memo").click()
    expect(beside.locator(".memo__text")).to_have_text(
        "Tiredness comes first, before the fear of being seen."
    )
    look(page)
    memo = Memo.objects.get()
    assert memo.target.startswith("unit:")

    page.get_by_role("link", name="Memos", exact=True).click()
    expect(
        page.get_by_text("Tiredness comes first, before the fear of being seen.")
    ).to_be_visible()
    page.get_by_role("link", name="Meaning units", exact=True).click()
    expect(page.get_by_text("Tiredness comes first")).to_be_visible()
    look(page)

    page.goto(live_server.url + reverse("workbench:results", args=[analysis.pk]))
    with page.expect_download() as report:
        page.get_by_role("link", name=".md").first.click()
    body = Path(report.value.path()).read_text(encoding="utf-8")
    assert "## Memos" in body
    assert "Tiredness comes first, before the fear of being seen." in body
    assert f"{memo.author.get_username()} on meaning unit" in body

    # A code group's memos beside its edit form and on a page of their own, without htmx too.
    group = analysis.code_groups.first()
    assert group is not None
    page.goto(live_server.url + reverse("workbench:group_edit", args=[analysis.pk, group.pk]))
    page.get_by_label("New memo").fill("Is this group too wide?")
    page.get_by_role("button", name="Add the memo").click()
    expect(page.locator(".memo__text")).to_have_text("Is this group too wide?")
    look(page)
    page.goto(
        live_server.url
        + reverse("workbench:memos_on", args=[analysis.pk])
        + f"?target=code_group:{group.pk}"
    )
    expect(page.locator(".memo__text")).to_have_text("Is this group too wide?")
    look(page)


def test_the_second_tab_saving_one_memo_is_refused_and_keeps_its_text(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    analysis: Analysis,  # noqa: F811
) -> None:
    memo = actions.do_add_memo(cast.researcher.user, analysis, target="", text="First draft.")
    path = live_server.url + reverse("workbench:analysis", args=[analysis.pk])
    tabs = [researcher_page, researcher_page.context.new_page()]
    for tab, words in zip(tabs, ("First tab's words.", "Second tab's words."), strict=True):
        tab.goto(path)
        item = tab.locator(f"#memo-{memo.pk}")
        item.get_by_text("Edit the memo").click()
        item.get_by_label("Memo").fill(words)
    for tab in tabs:
        tab.locator(f"#memo-{memo.pk}").get_by_role("button", name="Save the memo").click()
        if tab is tabs[0]:
            expect(tab.locator(f"#memo-{memo.pk} .memo__text")).to_have_text("First tab's words.")
    second = tabs[1]
    expect(second.get_by_text("Someone saved this after you opened it.")).to_be_visible()
    expect(second.locator(f"#memo-text-{memo.pk}")).to_have_value("Second tab's words.")
    look(second)
    memo.refresh_from_db()
    assert (memo.text, memo.version) == ("First tab's words.", 2)
    # Deleting asks first, on a page of its own.
    page = tabs[0]
    page.goto(live_server.url + reverse("workbench:memos", args=[analysis.pk]))
    page.get_by_role("link", name="Delete the memo").click()
    expect(page.get_by_role("heading", name="Delete the memo?")).to_be_visible()
    look(page)
    page.get_by_role("button", name="Delete the memo").click()
    expect(page.get_by_text("The memo is deleted.")).to_be_visible()
    assert not Memo.objects.exists()
