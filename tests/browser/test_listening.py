"""Listening while reading, in Chromium at 320 and 1280 px: the recording stays at the top
while the transcript scrolls, plays, pauses, goes back 5 s and changes speed from the keyboard
(in a text box too, typing nothing there), and the turn being played is marked. Chromium has
no sound here: the checks read the player's time and state."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.research import actions
from kollega.research.models import Interview
from tests.browser.conftest import WIDTHS, check_axe
from tests.cast import Cast
from tests.research.conftest import add_transcript, tone_wav, upload

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = (
    "Etter nattevaktene var jeg så sliten at jeg ikke husket hvordan jeg kom meg hjem. Det gikk "
    "i flere måneder før jeg sa det til noen, og da var det fordi en kollega spurte meg rett ut."
)
AUDIO = "document.getElementById('recording-player')"


@pytest.fixture
def interview(cast: Cast) -> Interview:
    user = cast.researcher.user
    study = actions.do_create_study(user, title="Nattevakter", aims="", language="nb")
    participant = actions.do_add_participant(user, study, pseudonym="P01")
    found = actions.do_create_interview(
        user, participant, kind="first", scheduled_on=None, language="nb"
    )
    # Twelve turns of ten seconds each (0-9 s, 10-19 s, ...), long enough to scroll.
    actions.do_store_recording(user, found, upload(tone_wav(120.0)))
    add_transcript(
        found,
        [
            ("interviewer", "Hvordan var det?") if i % 2 == 0 else ("participant", ANSWER)
            for i in range(12)
        ],
    )
    return found


def played(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".turn--playing", "els => els.map(e => e.id || e.querySelector('legend').textContent)"
    )


def dock_in_view(page: Page) -> dict[str, float]:
    return page.evaluate(
        "() => { const r = document.querySelector('.player-dock').getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, height: innerHeight}; }"
    )


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_recording_plays_from_the_keyboard_while_the_transcript_scrolls(
    researcher_page: Page, live_server: Any, interview: Interview, width: int
) -> None:
    page = researcher_page
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/transcript/read/")
    page.wait_for_function(f"() => Math.abs({AUDIO}.duration - 120) < 0.1")
    expect(page.get_by_text("Alt+K plays or pauses")).to_be_visible()
    check_axe(page)
    # Down to the eighth turn: the player is still at the top of the window.
    page.locator("#turn-8").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500
    dock = dock_in_view(page)
    assert dock["top"] >= -1 and dock["bottom"] <= dock["height"] / 2, dock
    # The turn taken into view is not under the player.
    turn_top = page.locator("#turn-8").bounding_box()
    assert turn_top is not None and turn_top["y"] >= dock["bottom"] - 1
    # Alt+K plays.
    page.locator("body").press("Alt+k")
    page.wait_for_function(f"() => !{AUDIO}.paused && {AUDIO}.currentTime > 0.2")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.locator("#turn-1")).to_have_class("turn turn--playing")
    # Somewhere in the third turn, the third turn is marked, and only it.
    page.evaluate(f"{AUDIO}.currentTime = 22.5")
    page.wait_for_function(
        "() => document.getElementById('turn-3').classList.contains('turn--playing')"
    )
    assert played(page) == ["turn-3"]
    # Alt+J goes back 5 seconds, into the second turn.
    page.keyboard.press("Alt+j")
    page.wait_for_function(
        "() => document.getElementById('turn-2').classList.contains('turn--playing')"
    )
    assert 17 <= page.evaluate(f"{AUDIO}.currentTime") < 19
    assert played(page) == ["turn-2"]
    # Alt+L changes the speed, and the button says so.
    page.keyboard.press("Alt+l")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.25
    expect(page.get_by_role("button", name="Speed 1.25\u00d7")).to_be_visible()
    # Alt+K pauses.
    page.keyboard.press("Alt+k")
    page.wait_for_function(f"() => {AUDIO}.paused")
    expect(page.get_by_role("button", name="Play", exact=False).first).to_be_visible()
    # The player is still in view after all that, at the top.
    dock = dock_in_view(page)
    assert dock["top"] >= -1 and dock["bottom"] <= dock["height"] / 2, dock
    check_axe(page)


def test_in_the_editor_the_keys_play_from_a_text_box_and_type_nothing(
    researcher_page: Page, live_server: Any, interview: Interview
) -> None:
    page = researcher_page
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/transcript/")
    page.wait_for_function(f"() => Math.abs({AUDIO}.duration - 120) < 0.1")
    box = page.locator("#text-9")
    box.focus()
    page.keyboard.press("Alt+k")
    page.wait_for_function(f"() => !{AUDIO}.paused")
    expect(box).to_have_value(ANSWER)
    expect(box).to_be_focused()
    page.evaluate(f"{AUDIO}.currentTime = 95")
    page.wait_for_function(
        "() => document.querySelector('#text-9').closest('.turn').classList.contains('turn--playing')"
    )
    # The focused box is not under the player.
    dock = dock_in_view(page)
    field = box.bounding_box()
    assert field is not None and field["y"] >= dock["bottom"] - 1
    page.keyboard.press("Alt+k")
    page.wait_for_function(f"() => {AUDIO}.paused")
    check_axe(page)


def test_on_a_phone_in_norwegian_a_turn_taken_into_view_is_clear_of_the_player(
    staff_page: Any, live_server: Any, interview: Interview, cast: Cast
) -> None:
    """At 320 px the keys' labels are longer in Norwegian: the dock still fits in the room a
    turn scrolls clear of, at another speed too."""
    page = staff_page(cast.researcher, live_server, language="nb")
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 700})
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/transcript/read/")
    page.wait_for_function(f"() => Math.abs({AUDIO}.duration - 120) < 0.1")
    page.locator("body").press("Alt+l")
    expect(page.get_by_role("button", name="Fart 1,25\u00d7")).to_be_visible()
    # As a link to a turn or the keyboard takes it into view: to the top, less the padding.
    page.evaluate("document.getElementById('turn-8').scrollIntoView()")
    dock = dock_in_view(page)
    turn = page.locator("#turn-8").bounding_box()
    assert turn is not None and turn["y"] >= dock["bottom"] - 1, (turn, dock)
    check_axe(page)
