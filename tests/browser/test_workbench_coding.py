"""Steps 1 and 2 in Chromium: an analysis of three de-identified transcripts, themes noted,
shared and suggested, twenty units coded with mouse and keyboard, suggestions accepted, a
second researcher coding blind, and the agreement compared and a difference settled.
axe at 320 and 1280 px on every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kollega.core import roles
from kollega.research import actions as research
from kollega.workbench import actions
from kollega.workbench.models import (
    Analysis,
    CodeSuggestionRun,
    Coding,
    CodingOrigin,
    MeaningUnit,
    RoundDifference,
    SuggestionDecision,
    ThemeState,
    ThemeSuggestionRun,
)
from tests.browser.conftest import WIDTHS, check_axe, open_page, sign_in, snap
from tests.cast import Cast, Member, make_member
from tests.workbench.conftest import deidentified, new_interview

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = [
    "Jeg var sliten etter mange nattevakter. Jeg sov nesten ikke. Familien merket det først.",
    "Lederen forsto ikke hvor mye vi jobbet. Jeg turte ikke si fra. Det føltes som å svikte.",
    "En kollega nevnte tjenesten. Hun sa at ingen journal ble skrevet. Det gjorde det lettere.",
    "Jeg ville bare snakke med en som forsto. Jeg trengte råd om sykemelding. Samtalen hjalp.",
]


def turns(offset: int) -> list[tuple[str, str]]:
    out = []
    for i in range(4):
        out.append(("interviewer", "Kan du fortelle mer?"))
        out.append(("participant", ANSWERS[(i + offset) % 4]))
    return out


def look(page: Page, name: str) -> None:
    """axe finds nothing serious at phone and desktop width; screenshots for the record."""
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    snap(page, f"workbench-{name}")


@pytest.fixture
def colleague(cast: Cast, settings: Any) -> Member:
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    owner = cast.researcher
    other = make_member("rune", roles.RESEARCHER, first_name="Rune")
    study = research.do_create_study(owner.user, title="Hjelp", aims="", language="nb")
    study.researchers.add(other.user)
    for n in range(3):
        deidentified(new_interview(owner, study, f"P0{n + 1}"), turns(n))
    return other


def signed_in(browser: Browser, live_server: Any, member: Member) -> tuple[Page, list[str]]:
    problems: list[str] = []
    page = open_page(browser, problems)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, member)
    return page, problems


@pytest.fixture
def owner_page(browser: Browser, live_server: Any, cast: Cast) -> Iterator[Page]:
    page, problems = signed_in(browser, live_server, cast.researcher)
    yield page
    page.context.close()
    assert not problems, f"browser console errors: {problems}"


def units_heading(page: Page, count: int) -> None:
    expect(page.locator("#units-heading")).to_have_text(f"My meaning units ({count})")


def quiet(page: Page) -> None:
    """Empty the live region, so that the next announcement can be waited for."""
    page.evaluate("document.getElementById('announcer').textContent = ''")


def back_in_turn(page: Page) -> None:
    """Wait until the re-rendered workspace has settled and focus is back in a turn, as the
    coder's next key press needs (htmx settles a moment after the answer is announced)."""
    expect(page.locator("#workspace .turn__text:focus")).to_have_count(1)


def keyboard_unit(page: Page, digit: str | None, count: int) -> None:
    """From the focused turn: select the next sentence, mark it, and sort it by number key."""
    quiet(page)
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Enter")
    units_heading(page, count)
    expect(page.locator("#announcer")).to_contain_text("New meaning unit")
    back_in_turn(page)
    if digit:
        quiet(page)
        page.keyboard.press(digit)
        expect(page.locator("#announcer")).to_contain_text("The unit is sorted into")
        back_in_turn(page)


def participant_turn(page: Page, n: int) -> Any:
    return page.locator(".turn--participant .turn__text").nth(n)


def double_click_word(page: Page, turn: int, word: str) -> None:
    """A real mouse double-click on ``word`` in participant turn ``turn``: selects the word."""
    box = participant_turn(page, turn).evaluate(
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


def test_steps_one_and_two_with_blind_double_coding(
    owner_page: Page, browser: Browser, live_server: Any, cast: Cast, colleague: Member
) -> None:
    page, url = owner_page, live_server.url
    page.goto(f"{url}/staff/")
    page.get_by_role("link", name="Analyses").click()
    page.get_by_label("Name").fill("Why doctors seek help")
    page.get_by_role("button", name="Create the analysis").click()
    for _ in range(3):
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("The transcript is added.")
    expect(page.get_by_role("link", name="code", exact=True)).to_have_count(3)
    look(page, "analysis")
    analysis = Analysis.objects.get()

    # Step 1: read, note a theme, share it, ask for suggestions and decide on them.
    page.get_by_role("link", name="1 Total impression").click()
    expect(page.locator(".turn--participant")).to_have_count(4)
    page.get_by_label("New theme").fill("Utmattelse og skam")
    page.get_by_role("button", name="Note the theme").click()
    page.get_by_role("button", name="Share my 1 theme with the others").click()
    page.get_by_role("button", name="Suggest themes").click()
    expect(page.get_by_label("Theme suggestion progress")).to_be_visible()
    actions.run_theme_suggestions(ThemeSuggestionRun.objects.get().pk)  # the worker's part
    page.get_by_role("link", name="Show them").click(timeout=15_000)
    suggested = list(analysis.themes.filter(state=ThemeState.SUGGESTED))
    assert suggested
    page.get_by_role("button", name=f"Accept the suggested theme {suggested[0].label}").click()
    expect(page.locator(".theme--suggested")).to_have_count(len(suggested) - 1)
    look(page, "impression")

    # Step 2: code groups, then units by mouse (double-click, drag) and by keyboard.
    page.get_by_role("link", name="2 Meaning units and code groups").click()
    for added, name in enumerate(("Exhaustion", "Work", "Trust", "Advice"), start=1):
        if page.locator("details", has_text="Add a code group").get_attribute("open") is None:
            page.locator("summary", has_text="Add a code group").click()
        expect(page.locator("#group-name")).to_be_visible()
        page.locator("#group-name").fill(name)
        page.locator("#group-description").fill(f"Units about {name.lower()}")
        expect(page.locator("#group-name")).to_have_value(name)
        # Wait for the post's answer, not only the click: on a busy machine the next group's
        # fields were otherwise filled in the page that was being replaced. In a whole-suite run
        # on two busy cores the answer once took over the default 10 s: allow 30.
        with page.expect_navigation(timeout=30_000):
            page.get_by_role("button", name="Add the code group").click()
        # Each group is a form post and a new page: the next is added on the new one, once it
        # has loaded whole (its groups are counted while the rest of it may still be arriving).
        expect(page.locator(".group__button")).to_have_count(added)
        page.wait_for_load_state("load")
    double_click_word(page, 0, "nattevakter")
    page.get_by_role("button", name="Mark as a meaning unit").click()
    units_heading(page, 1)
    page.locator(".group__button", has_text="Exhaustion").click()
    expect(page.locator(".unit-list")).to_contain_text("Exhaustion")
    double_click_word(page, 1, "Lederen")
    page.get_by_role("button", name="Mark as a meaning unit").click()
    units_heading(page, 2)
    page.locator(".unit").nth(1).drag_to(page.locator(".group", has_text="Work"))
    expect(page.locator(".group__button", has_text="Work")).to_contain_text("(1)")

    # Keyboard only: every sentence of each participant turn, sorted by the turn's number.
    count = 2
    for turn, digit in enumerate(["1", "2", "3", "4"]):
        participant_turn(page, turn).focus()
        for _ in range(3):
            count += 1
            keyboard_unit(page, digit, count)
    units_heading(page, 14)
    look(page, "coding")
    first_version = analysis.transcripts.order_by("pk").first()
    assert first_version is not None

    # The second transcript: one turn sorted, one left for the suggestions.
    page.get_by_role("link", name="P02 · First interview").click()
    participant_turn(page, 0).focus()
    for n in range(3):
        keyboard_unit(page, "2", n + 1)
    participant_turn(page, 1).focus()
    for n in range(3):
        keyboard_unit(page, None, n + 4)
    assert MeaningUnit.objects.filter(coder=cast.researcher.user).count() == 20

    page.get_by_role("button", name="Suggest code groups").click()
    expect(page.get_by_label("Code group suggestion progress")).to_be_visible()
    actions.run_code_suggestions(CodeSuggestionRun.objects.get().pk)  # the worker's part
    offered = page.locator("#suggestions .suggestion")
    expect(offered).to_have_count(3, timeout=15_000)
    expect(page.locator("#suggestions .suggestions__trust")).to_contain_text("your coding")
    for _ in range(3):
        quiet(page)
        page.locator("#suggestions .suggestion").first.get_by_role(
            "button", name="Accept"
        ).first.click()
        expect(page.locator("#announcer")).to_contain_text("Suggestion accepted")
    expect(page.locator("#suggestions .suggestion")).to_have_count(0)
    accepted = Coding.objects.filter(origin=CodingOrigin.SUGGESTION, coder=cast.researcher.user)
    assert accepted.count() == 3
    assert (
        SuggestionDecision.objects.filter(accepted=True, model__startswith="hashing").count() == 3
    )
    assert not MeaningUnit.objects.filter(coder=cast.researcher.user, coding__isnull=True).exists()

    # The second researcher codes the same transcript blind.
    other, problems = signed_in(browser, live_server, colleague)
    other.goto(f"{url}/research/analyses/{analysis.pk}/coding/{first_version.pk}/")
    units_heading(other, 0)
    expect(other.locator(".turn__text mark")).to_have_count(0)
    for turn, digit in ((0, "1"), (1, "1"), (2, "3")):
        participant_turn(other, turn).focus()
        keyboard_unit(other, digit, turn + 1)
    other.get_by_role("link", name="Compare with the other coders").click()
    look(other, "compare-ask")
    other.get_by_role("button", name="Compare the coding").click()
    expect(other.get_by_role("table", name="Agreement")).to_be_visible()
    expect(other.locator("#differences")).to_contain_text("to settle")
    look(other, "compare")
    before = RoundDifference.objects.filter(settled_at__isnull=False).count()
    other.locator(".disagreement").first.get_by_label("Agreed code group").select_option(
        label="Work"
    )
    other.locator(".disagreement").first.get_by_role("button", name="Settle").click()
    expect(other.locator(".messages")).to_contain_text("Settled")
    assert RoundDifference.objects.filter(settled_at__isnull=False).count() == before + 1
    other.context.close()
    assert not problems, f"browser console errors: {problems}"
