"""Issue 21 in Chromium: "Suggest code groups" shows its progress while the worker runs, a
second click starts nothing more, and the suggestions appear when the run is done."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.research import actions as research
from kollega.workbench import actions
from kollega.workbench.models import CodeSuggestionRun, RunStatus
from tests.browser.conftest import check_axe
from tests.browser.test_workbench_coding import owner_page  # noqa: F401 - a fixture
from tests.cast import Cast
from tests.workbench.conftest import deidentified, new_interview

pytestmark = pytest.mark.django_db(transaction=True)

SORTED = (
    ("Jeg var sliten etter mange nattevakter.", "Exhaustion"),
    ("Lederen forsto ikke hvor mye vi jobbet.", "Work"),
    ("En kollega nevnte tjenesten for leger.", "Advice"),
)
OPEN = "Jeg sov nesten ikke etter nattevaktene."


@pytest.fixture
def coded(cast: Cast, settings: Any) -> tuple[int, int, int]:
    """A transcript with three units sorted by hand and one left to sort."""
    settings.KOLLEGA_STC_EMBEDDER = "hashing"  # the packaged model is slow to load
    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Hjelp", aims="", language="nb")
    interview = new_interview(owner, study, "P01")
    deidentified(interview, [("participant", " ".join([*(w for w, _ in SORTED), OPEN]))])
    analysis = actions.do_create_analysis(owner.user, study, name="Why doctors seek help")
    version = actions.do_add_transcript(owner.user, analysis, interview)
    groups = {
        name: actions.do_add_code_group(owner.user, analysis, name=name, description=name)
        for _, name in SORTED
    }
    text = version.text
    for words, name in SORTED:
        start = text.index(words)
        actions.do_create_unit(
            owner.user, version, start=start, end=start + len(words), code_group=groups[name]
        )
    start = text.index(OPEN)
    unit = actions.do_create_unit(owner.user, version, start=start, end=start + len(OPEN))
    return analysis.pk, version.pk, unit.pk


def test_suggest_code_groups_shows_progress_then_the_suggestions(
    owner_page: Page,  # noqa: F811 - the fixture imported above
    live_server: Any,
    coded: tuple[int, int, int],
) -> None:
    page = owner_page
    analysis, version, unit = coded
    page.goto(f"{live_server.url}/research/analyses/{analysis}/coding/{version}/")
    page.get_by_role("button", name="Suggest code groups").click()
    progress = page.get_by_label("Code group suggestion progress")
    expect(progress).to_be_visible()
    expect(page.locator("#suggestions")).to_contain_text("Suggesting code groups in the background")
    # A second click while it runs shows the same run and starts no other.
    page.get_by_role("button", name="Suggest code groups").click()
    expect(progress).to_be_visible()
    assert CodeSuggestionRun.objects.count() == 1
    check_axe(page)
    run = CodeSuggestionRun.objects.get()
    assert actions.run_code_suggestions(run.pk) == RunStatus.DONE  # the worker's part
    # The page's poll brings the suggestions without a reload.
    offered = page.locator(f"#suggestion-{unit}")
    expect(offered).to_be_visible(timeout=15_000)
    expect(progress).to_have_count(0)
    expect(offered).to_contain_text(OPEN)
    expect(offered.get_by_role("button", name="Accept")).to_have_count(3)
    check_axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    check_axe(page)
