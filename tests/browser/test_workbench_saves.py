"""Saves that never duplicate or move the wrong thing, in Chromium: two tabs writing a new
condensate for one subgroup, a code-group click while words, not a unit, are selected, and
marking a missed identifier while Replace/Keep choices are still unsaved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.research import actions as research
from kollega.research.models import Finding, FindingDecision, Interview
from kollega.workbench import actions
from kollega.workbench.actions import condensation
from kollega.workbench.models import Analysis, CodeGroup, Coding, Condensate
from tests.browser.test_recording_player import interview  # noqa: F401 (a fixture)
from tests.browser.test_workbench_coding import double_click_word
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


def test_a_group_click_with_words_selected_sorts_no_earlier_unit_and_says_so(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    analysis: Analysis,  # noqa: F811
) -> None:
    version = analysis.transcripts.get()
    words = "Jeg visste ikke hvem jeg skulle spørre."
    start = version.text.index(words)
    earlier = actions.do_create_unit(
        cast.researcher.user, version, start=start, end=start + len(words)
    )
    page = researcher_page
    page.goto(live_server.url + reverse("workbench:coding", args=[analysis.pk, version.pk]))
    expect(page.locator("#code-unit")).to_have_value(str(earlier.pk))
    # The coder selects other words and clicks a group before marking them as a unit.
    double_click_word(page, 0, "sliten")
    expect(page.locator("#code-unit")).to_have_value("")
    page.locator(".group__button", has_text="Trust").click()
    expect(page.locator(".ds-alert")).to_contain_text("No unit is chosen under “Unit to sort”")
    assert not Coding.objects.filter(unit=earlier).exists()
    # Choosing the unit by hand sorts exactly that one.
    page.locator("#code-unit").select_option(str(earlier.pk))
    page.locator(".group__button", has_text="Trust").click()
    expect(page.locator("#announcer")).to_contain_text("The unit is sorted into Trust.")
    assert Coding.objects.get(unit=earlier).code_group.name == "Trust"


def test_marking_a_missed_identifier_keeps_the_unsaved_choices(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    interview: Interview,  # noqa: F811
) -> None:
    research.propose_identifiers(interview.transcript)
    research.do_add_finding(
        cast.researcher.user, interview.transcript, words="nattevaktene", kind="place"
    )
    finding = Finding.objects.get()
    page = researcher_page
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/identifiers/")
    keep = page.locator(f"#decision-{finding.pk}-{FindingDecision.REJECTED}")
    keep.check()
    page.get_by_label("Words the rules missed").fill("to små barn")
    page.get_by_label("What they are").select_option("age")
    page.get_by_role("button", name="Mark to be replaced").click()
    expect(page.get_by_text("Marked in 1 place, to be replaced.")).to_be_visible()
    expect(page.locator(f"#decision-{finding.pk}-{FindingDecision.REJECTED}")).to_be_checked()
    finding.refresh_from_db()
    assert finding.decision == FindingDecision.REJECTED
