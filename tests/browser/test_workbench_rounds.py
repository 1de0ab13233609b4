"""Two researchers code one transcript blind in Chromium, compare (a missed passage and a
different boundary both count), settle into agreed units, and find the first round in the
report they download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from kollega.research.models import Study
from kollega.workbench import actions
from kollega.workbench.models import CodingRound, MeaningUnit
from tests.browser.test_workbench_coding import (
    colleague,  # noqa: F401 (a fixture)
    double_click_word,
    keyboard_unit,
    look,
    owner_page,  # noqa: F401 (a fixture)
    participant_turn,
    signed_in,
    units_heading,
)
from tests.cast import Cast, Member

pytestmark = pytest.mark.django_db(transaction=True)


def _settle(page: Page, n: int, boundary: str, told: str) -> None:
    difference = page.locator(".disagreement").nth(n)
    difference.get_by_label("Agreed code group").select_option(label="Exhaustion")
    difference.get_by_label("Agreed boundary").select_option(value=boundary)
    difference.get_by_role("button", name="Settle").click()
    expect(page.locator(".messages")).to_contain_text(told)


def test_two_coders_compare_settle_and_find_the_first_round_in_the_report(
    owner_page: Page,  # noqa: F811
    browser: Browser,
    live_server: Any,
    cast: Cast,
    colleague: Member,  # noqa: F811
) -> None:
    owner = cast.researcher
    study = Study.objects.get()
    analysis = actions.do_create_analysis(owner.user, study, name="Two coders")
    interview = study.participants.get(pseudonym="P01").interviews.get()
    version = actions.do_add_transcript(owner.user, analysis, interview)
    for name in ("Exhaustion", "Trust"):
        actions.do_add_code_group(owner.user, analysis, name=name, description="")
    coding = live_server.url + reverse("workbench:coding", args=[analysis.pk, version.pk])

    # The owner sorts the first two sentences of the first answer into Exhaustion.
    page = owner_page
    page.goto(coding)
    participant_turn(page, 0).focus()
    keyboard_unit(page, "1", 1)
    keyboard_unit(page, "1", 2)

    # The colleague, blind, marks one word of the first sentence and misses the second.
    other, problems = signed_in(browser, live_server, colleague)
    other.goto(coding)
    units_heading(other, 0)
    expect(other.locator(".turn__text mark")).to_have_count(0)
    double_click_word(other, 0, "nattevakter")
    other.get_by_role("button", name="Mark as a meaning unit").click()
    units_heading(other, 1)
    other.locator(".group__button", has_text="Exhaustion").click()
    expect(other.locator(".unit-list")).to_contain_text("Exhaustion")

    # Compare: the figures count both differences, and the page names each kind.
    other.get_by_role("link", name="Compare with the other coders").click()
    other.get_by_role("button", name="Compare the coding").click()
    expect(other.get_by_role("table", name="Agreement")).to_be_visible()
    round_ = CodingRound.objects.get()
    assert round_.figures["kappa"] < 1
    expect(other.get_by_role("heading", name="Round 1, open")).to_be_visible()
    expect(other.locator("#differences")).to_contain_text("2 differences · 2 to settle")
    expect(other.locator(".difference-kind")).to_have_text(
        ["The coders cut this passage differently", "Only one coder coded this passage"]
    )
    kappa = f"{round_.figures['kappa']:.2f}"
    expect(other.get_by_role("table", name="Agreement")).to_contain_text(kappa)
    look(other, "rounds-compare")

    # Settle both on the owner's boundary: the round closes with one unit per passage.
    _settle(other, 0, str(owner.user.pk), "Settled.")
    _settle(other, 1, str(owner.user.pk), "the round is closed")
    expect(other.get_by_role("heading", name="Round 1, closed")).to_be_visible()
    expect(other.get_by_role("table", name="Agreement")).to_contain_text(kappa)
    live = MeaningUnit.objects.in_analysis().filter(transcript=version)
    assert live.count() == 2
    assert set(live.values_list("agreed_in", flat=True)) == {round_.pk}
    look(other, "rounds-closed")
    other.context.close()
    assert not problems, f"browser console errors: {problems}"

    # The report names the first round with its figures as computed then.
    page.goto(live_server.url + reverse("workbench:results", args=[analysis.pk]))
    with page.expect_download() as report:
        page.get_by_role("link", name=".md").first.click()
    text = Path(report.value.path()).read_text(encoding="utf-8")
    assert "Agreement between coders" in text
    assert f"first round (round 1, {round_.opened_at.date().isoformat()})" in text
    assert f"2 coders, Cohen's kappa {kappa}" in text
    assert "2 differences, 2 settled." in text
