"""A recording plays from a clicked turn, in Chromium: the audio element gets the decrypted
stream (with byte ranges) and seeks to the turn's time. The review pages at 320 px: whole text in
every box, the save button clear of the fields, a missed identifier marked by selecting it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kollega.research import actions
from kollega.research.models import Finding, Interview
from tests.browser.conftest import check_axe
from tests.cast import Cast
from tests.research.conftest import add_transcript, tone_wav, upload

pytestmark = pytest.mark.django_db(transaction=True)

LONG = (
    "Jeg har to små barn, og etter nattevaktene var jeg så sliten at jeg ikke husket hvordan "
    "jeg kom meg hjem. Det gikk i flere måneder før jeg sa det til noen, og da var det fordi "
    "en kollega spurte meg rett ut om hvordan jeg hadde det."
)


@pytest.fixture
def interview(cast: Cast) -> Interview:
    user = cast.researcher.user
    study = actions.do_create_study(user, title="Nattevakter", aims="", language="nb")
    participant = actions.do_add_participant(user, study, pseudonym="P01")
    found = actions.do_create_interview(
        user, participant, kind="first", scheduled_on=None, language="nb"
    )
    actions.do_store_recording(user, found, upload(tone_wav(12.0)))
    add_transcript(
        found,
        [("interviewer", "Hvordan har du det?"), ("participant", LONG), ("interviewer", "Takk.")],
    )
    return found


def both_widths(page: Page) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        check_axe(page)


def test_a_recording_plays_from_a_clicked_turn(
    researcher_page: Page, live_server: Any, interview: Interview
) -> None:
    page = researcher_page
    audio_responses: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            audio_responses.append((r.status, r.headers.get("content-range", "")))
            if "/recording/audio" in r.url
            else None
        ),
    )
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/transcript/read/")
    player = page.locator("#recording-player")
    expect(player).to_have_attribute("src", f"/research/interviews/{interview.pk}/recording/audio")
    # The browser decoded the decrypted stream: it knows the recording is 12 seconds long.
    page.wait_for_function(
        "Math.abs(document.getElementById('recording-player').duration - 12) < 0.1"
    )
    both_widths(page)
    page.get_by_role("button", name="Play from 0:20 (turn 3)").click()
    page.wait_for_function("document.getElementById('recording-player').currentTime >= 9.9")
    assert page.evaluate("document.getElementById('recording-player').currentTime") < 12.1
    assert any(status == 206 and rng.startswith("bytes ") for status, rng in audio_responses)
    # The interview page has the player too, under its one "Recording" heading.
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/")
    expect(page.get_by_role("heading", name="Recording")).to_have_count(1)
    page.wait_for_function(
        "Math.abs(document.getElementById('recording-player').duration - 12) < 0.1"
    )
    both_widths(page)


def test_the_editor_at_320_px_shows_whole_texts_and_its_button_covers_nothing(
    researcher_page: Page, live_server: Any, interview: Interview
) -> None:
    page = researcher_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/transcript/")
    box = page.locator("#text-1")
    expect(box).to_have_value(LONG)
    cut = box.evaluate("b => b.scrollHeight - b.clientHeight")
    assert cut <= 2, f"the box hides {cut} px of its text"
    # The player is here too, and a turn's button seeks it.
    page.get_by_role("button", name="Play from 0:10 (turn 2)").click()
    page.wait_for_function("document.getElementById('recording-player').currentTime >= 9.9")
    # Going through every field with the keyboard, none is under the save button.
    button = page.get_by_role("button", name="Save the transcript")
    for field in ("#speaker-0", "#text-0", "#speaker-1", "#text-1", "#speaker-2", "#text-2"):
        page.locator(field).focus()
        covered = page.evaluate(
            """([field, button]) => {
                const f = document.querySelector(field).getBoundingClientRect();
                const b = button.getBoundingClientRect();
                return f.bottom > b.top && f.top < b.bottom && f.right > b.left && f.left < b.right;
            }""",
            [field, button.element_handle()],
        )
        assert not covered, field
    both_widths(page)


def test_a_missed_identifier_is_selected_and_marked(
    researcher_page: Page, live_server: Any, interview: Interview
) -> None:
    actions.propose_identifiers(interview.transcript)
    page = researcher_page
    page.goto(f"{live_server.url}/research/interviews/{interview.pk}/identifiers/")
    both_widths(page)
    page.evaluate(
        """() => {
            const root = document.getElementById('review-text');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf('to små barn');
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + 'to små barn'.length);
                    const selection = document.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
        }"""
    )
    field = page.get_by_label("Words the rules missed")
    expect(field).to_have_value("to små barn")
    # The rest by keyboard only.
    field.focus()
    page.keyboard.press("Tab")
    kind = page.get_by_label("What they are")
    expect(kind).to_be_focused()
    kind.select_option("age")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Mark to be replaced")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Marked in 1 place, to be replaced.")).to_be_visible()
    assert [(f.kind, f.text) for f in Finding.objects.filter(source="researcher")] == [
        ("age", "to små barn")
    ]
    expect(page.get_by_text("marked by a researcher")).to_be_visible()
