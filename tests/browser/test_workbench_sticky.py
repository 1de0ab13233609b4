"""The step-2 coding page's sticky parts in Chromium at 320 and 1280 px: the code-group panel
never lies over "My meaning units" as the page scrolls, and the last line of a long transcript
is clear of the "Mark as a meaning unit" bar when it is taken into view, so it can be selected."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.research import actions as research
from kollega.workbench import actions
from kollega.workbench.models import Analysis
from tests.browser.conftest import WIDTHS, check_axe
from tests.cast import Cast
from tests.workbench.conftest import deidentified, new_interview

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = (
    "Jeg var sliten etter mange nattevakter, og jeg visste ikke hvem jeg skulle spørre om hjelp. "
    "En kollega sa at tjenesten var trygg, og at ingen journal ble skrevet."
)
LAST = "Det siste jeg vil si er at samtalen hjalp meg mer enn jeg trodde den ville."


@pytest.fixture
def analysis(cast: Cast, settings: Any) -> Analysis:
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Help", aims="", language="nb")
    interview = new_interview(owner, study, "P01")
    turns = [("interviewer", "Kan du fortelle mer?"), ("participant", ANSWER)] * 12
    deidentified(interview, [*turns, ("participant", LAST)])
    made = actions.do_create_analysis(owner.user, study, name="Sticky parts")
    version = actions.do_add_transcript(owner.user, made, interview)
    groups = [actions.do_add_code_group(owner.user, made, name=f"Gruppe {n}") for n in range(6)]
    at = 0
    for n in range(12):
        start = version.text.index("En kollega", at)
        actions.do_create_unit(
            owner.user, version, start=start, end=start + 10, code_group=groups[n % 6]
        )
        at = start + 10
    return made


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_panel_and_the_mark_bar_cover_no_text(
    researcher_page: Page, live_server: Any, analysis: Analysis, width: int
) -> None:
    page = researcher_page
    version = analysis.transcripts.get()
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(live_server.url + reverse("workbench:coding", args=[analysis.pk, version.pk]))
    expect(page.locator("#units-heading")).to_contain_text("My meaning units (12)")
    check_axe(page)
    # All the way down the page: the panel never lies over the unit list.
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 150):
        page.evaluate(f"window.scrollTo(0, {y})")
        panel = box(page, ".workspace .panel")
        for part in ("#units-heading", ".unit-list"):
            assert not overlap(panel, box(page, part)), f"the panel covers {part} at {y} px"
    # The last turn, taken into view from above (the keyboard, a link, a search) lies clear
    # of the bar; its last word is the topmost thing where it is, so a pointer selects it.
    page.evaluate("window.scrollTo(0, 0)")
    last = page.locator(".turn__text").last
    last.evaluate("p => p.scrollIntoView({block: 'end'})")
    bar = box(page, "#unit-form")
    text = box(page, ".turn:last-child .turn__text")
    assert text["y"] + text["height"] <= bar["y"] + 1, (text, bar)
    hit = page.evaluate(
        """() => {
            const p = [...document.querySelectorAll('.turn__text')].pop();
            const range = document.createRange();
            range.selectNodeContents(p);
            const rects = range.getClientRects();
            const r = rects[rects.length - 1];
            const el = document.elementFromPoint(r.right - 4, r.top + r.height / 2);
            return el === p || p.contains(el);
        }"""
    )
    assert hit, "the last line of the transcript is under something else"
    # Selected with the mouse, the last words are in the selection.
    words = last.bounding_box()
    assert words is not None
    last.dblclick(position={"x": 5, "y": words["height"] - 8})
    assert page.evaluate("document.getSelection().toString().trim()") != ""
