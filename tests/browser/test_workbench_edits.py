"""Units that survive edits, in Chromium: a researcher corrects a coded transcript near its
start in the editor; it goes back to identifier review, and once de-identified again every
unit stands on the same words in the analysis, with nothing listed to fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from kollega.research import actions as research
from kollega.research.models import Transcript
from kollega.workbench import actions
from kollega.workbench.models import AnalysisTranscript, MeaningUnit
from tests.browser.conftest import WIDTHS, check_axe
from tests.browser.test_workbench_coding import signed_in
from tests.cast import Cast
from tests.workbench.conftest import TURNS, deidentified, new_interview
from tests.workbench.test_edits import SEVEN

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transcript_edited_near_its_start_keeps_every_unit_placed(
    browser: Browser, live_server: Any, cast: Cast
) -> None:
    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Hjelp", aims="", language="nb")
    interview = new_interview(owner, study, "P01")
    source = deidentified(interview, TURNS)
    analysis = actions.do_create_analysis(owner.user, study, name="Hjelp")
    version = actions.do_add_transcript(owner.user, analysis, interview)
    for words in SEVEN:
        start = version.text.index(words)
        actions.do_create_unit(owner.user, version, start=start, end=start + len(words))

    page, problems = signed_in(browser, live_server, owner)
    page.goto(live_server.url + reverse("research:transcript", args=[interview.pk]))
    page.locator("#text-0").fill("Så, kan du fortelle meg hvorfor du tok kontakt?")
    page.get_by_role("button", name="Save the transcript").click()
    expect(page.get_by_text("Not yet de-identified")).to_be_visible()
    # Identifier review finds nothing new (the review page is its own journey).
    Transcript.objects.filter(pk=source.pk).update(proposals_made=source.updated)
    research.do_apply_deidentification(owner.user, Transcript.objects.get(pk=source.pk))

    page.goto(live_server.url + reverse("workbench:analysis", args=[analysis.pk]))
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text("Units to fix after a transcript was edited")).to_have_count(0)
    current = AnalysisTranscript.objects.get(current=True)
    assert current.number == 2
    assert [u.text for u in MeaningUnit.objects.filter(transcript=current)] == SEVEN
    page.goto(live_server.url + reverse("workbench:coding", args=[analysis.pk, current.pk]))
    expect(page.locator("#units-heading")).to_have_text(f"My meaning units ({len(SEVEN)})")

    # A correction inside a unit's own words lists that unit alone, old and new words side
    # by side, and it is placed on the new words with one button.
    page.goto(live_server.url + reverse("research:transcript", args=[interview.pk]))
    text = page.locator("#text-1").input_value()
    page.locator("#text-1").fill(text.replace("mange vakter", "lange nattevakter"))
    page.get_by_role("button", name="Save the transcript").click()
    expect(page.get_by_text("Not yet de-identified")).to_be_visible()
    source.refresh_from_db()
    Transcript.objects.filter(pk=source.pk).update(proposals_made=source.updated)
    research.do_apply_deidentification(owner.user, Transcript.objects.get(pk=source.pk))
    page.goto(live_server.url + reverse("workbench:analysis", args=[analysis.pk]))
    fixes = page.locator("ul.broken > li")
    expect(fixes).to_have_count(1)
    expect(fixes.locator("dd").first).to_have_text("sliten etter mange vakter")
    expect(fixes.locator("dd").last).to_have_text("sliten etter lange nattevakter")
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
    fixes.get_by_role("button", name="Place on the new words").click()
    expect(page.locator("ul.broken")).to_have_count(0)
    assert MeaningUnit.objects.filter(transcript__current=True).count() == len(SEVEN)
    page.context.close()
    assert not problems, f"browser console errors: {problems}"
