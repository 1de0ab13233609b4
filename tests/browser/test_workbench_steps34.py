"""Steps 3 and 4 in Chromium: subgroups, condensates and golden quotes made, analytic texts
written, the check passes, the .docx report and the .qdpx downloaded, and the .qdpx validates
and re-imports into an equal analysis. axe at 320 and 1280 px on every page on the way."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Browser, Page, expect

from kollega.workbench import actions, adapters
from kollega.workbench.models import Analysis, Condensate, GoldenQuote, Subgroup
from tests.browser.conftest import WIDTHS, check_axe, open_page, sign_in, snap
from tests.cast import Cast
from tests.workbench.conftest import deidentified, new_interview
from tests.workbench.steps34 import SENTENCES
from tests.workbench.test_exchange import canonical

pytestmark = pytest.mark.django_db(transaction=True)


def look(page: Page, name: str) -> None:
    """axe finds nothing serious at phone and desktop width; screenshots for the record."""
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
    snap(page, f"workbench-{name}")


@pytest.fixture
def analysis(cast: Cast, settings: Any) -> Analysis:
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    from kollega.research import actions as research

    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Help", aims="", language="nb")
    interview = new_interview(owner, study, "P01")
    deidentified(interview)
    made = actions.do_create_analysis(owner.user, study, name="Browser analysis")
    version = actions.do_add_transcript(owner.user, made, interview)
    for name, sentences in SENTENCES.items():
        group = actions.do_add_code_group(owner.user, made, name=name)
        for words in sentences:
            start = version.text.index(words)
            actions.do_create_unit(
                owner.user, version, start=start, end=start + len(words), code_group=group
            )
    return made


@pytest.fixture
def researcher_page(browser: Browser, live_server: Any, cast: Cast) -> Iterator[Page]:
    problems: list[str] = []
    page = open_page(browser, problems)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, cast.researcher)
    yield page
    page.context.close()
    assert not problems, f"browser console errors: {problems}"


def test_steps_3_and_4_to_a_report_and_a_qdpx_that_re_imports(
    researcher_page: Page, live_server: Any, analysis: Analysis, tmp_path: Path
) -> None:
    page = researcher_page
    base = f"{live_server.url}/research/analyses/{analysis.pk}"
    page.goto(f"{base}/condensation/")
    look(page, "condensation-index")

    # Exhaustion: suggested subgroups, an extractive draft rewritten, a ranked golden quote.
    page.get_by_role("link", name="Exhaustion", exact=True).click()
    page.wait_for_url(re.compile(r"/condensation/\d+/$"))  # the group's page, not the index
    page.get_by_role("button", name="Suggest subgroups").click()
    page.get_by_role("button", name="Accept these subgroups").click()
    expect(page.locator("section.subgroup")).to_have_count(1)
    look(page, "condensation")
    page.get_by_role("button", name="Draft from the units").click()
    editor = page.locator("section.subgroup textarea[name=text]")
    expect(editor).to_contain_text("vakter")
    editor.fill("I was worn out after many night shifts and needed advice about sick leave.")
    page.get_by_role("button", name="Save the condensate").click()
    expect(page.get_by_text("The condensate is saved.")).to_be_visible()
    page.get_by_role("button", name="Suggest golden quotes").click()
    page.get_by_role("button", name="Choose candidate 1").click()
    expect(page.get_by_text("The golden quote is chosen.")).to_be_visible()

    # Trust: a subgroup by hand, the condensate typed, the quote picked by hand.
    page.goto(f"{base}/condensation/")
    page.get_by_role("link", name="Trust", exact=True).click()
    page.wait_for_url(re.compile(r"/condensation/\d+/$"))  # the group's page, not the index
    page.get_by_text("Make a subgroup by hand").click()
    page.get_by_label("Name of the subgroup").fill("Kept from work")
    page.get_by_role("button", name="Add the subgroup").click()
    page.locator("section.subgroup textarea[name=text]").fill(
        "A colleague told me it was safe, and nobody at work would know."
    )
    page.get_by_role("button", name="Save the condensate").click()
    page.get_by_text("Choose a quote by hand").click()
    page.locator("section.subgroup textarea[name=words]").fill(
        "En kollega sa at tjenesten var trygg."
    )
    page.get_by_role("button", name="Choose this quote").click()
    expect(page.get_by_text("The golden quote is chosen.")).to_be_visible()
    assert Subgroup.objects.count() == 2
    assert Condensate.objects.count() == 2 and GoldenQuote.objects.count() == 2

    # Step 4: an analytic text per code group citing what it rests on, a category, a typology.
    page.goto(f"{base}/synthesis/")
    look(page, "synthesis")
    for name in ("Exhaustion", "Trust"):
        form = page.locator("form", has=page.get_by_role("heading", name=f"Code group: {name}"))
        form.get_by_label("Analytic text").fill(f"What {name.lower()} meant to the participant.")
        for box in form.locator("input[type=checkbox]").all():
            box.check()
        form.get_by_role("button", name="Save the analytic text").click()
        expect(page.get_by_text("The analytic text is saved.")).to_be_visible()
    page.get_by_text("Add a category").click()
    page.locator("#new-category-name").fill("Reaching out")
    page.locator("label[for^=new-category-group-]").first.click()
    page.get_by_role("button", name="Add the category").click()
    page.get_by_label("P01: Reaching out").check()
    page.get_by_role("button", name="Save the typology").click()
    expect(page.get_by_text("The typology is saved.")).to_be_visible()

    page.goto(f"{base}/check/")
    expect(page.get_by_text("The check passes")).to_be_visible()
    look(page, "check")

    page.goto(f"{base}/results/")
    look(page, "results")
    with page.expect_download() as report:
        page.get_by_role("link", name=".docx").first.click()
    document = docx.Document(io.BytesIO(Path(report.value.path()).read_bytes()))
    assert len(document.tables) == 4
    with page.expect_download() as exported:
        page.get_by_role("link", name=".qdpx", exact=True).click()
    qdpx = tmp_path / "analysis.qdpx"
    exported.value.save_as(qdpx)
    adapters.validate_qdpx(qdpx)

    page.get_by_role("link", name="Import a whole project (.qdpx) as a new analysis").click()
    look(page, "import")
    page.get_by_label("Name of the new analysis").fill("Re-imported")
    page.get_by_label("REFI-QDA project (.qdpx)").set_input_files(str(qdpx))
    page.get_by_label("The transcripts in this file are de-identified.").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 1 transcripts")).to_be_visible()
    again = Analysis.objects.get(name="Re-imported")
    assert canonical(again) == canonical(analysis)
