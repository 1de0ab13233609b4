"""Search and retrieval in Chromium: a researcher searches the transcripts for a phrase,
makes units of three results and jumps to one in its transcript; retrieves all text of a code
group and downloads it as .docx and .csv. axe at 320 and 1280 px on every page on the way."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Page, expect

from kollega.research import actions as research
from kollega.workbench import actions
from kollega.workbench.models import Analysis, MeaningUnit
from tests.browser.test_workbench_steps34 import look, researcher_page  # noqa: F401 (a fixture)
from tests.cast import Cast
from tests.workbench.conftest import deidentified, new_interview

pytestmark = pytest.mark.django_db(transaction=True)

TURNS = [
    ("interviewer", "Hva trengte du?"),
    ("participant", "Jeg trengte råd om vaktene. Kona sa jeg trengte hvile."),
    ("interviewer", "Og senere?"),
    ("participant", "Da trengte jeg råd igjen. Vi trengte RÅDENE fra en kollega."),
    ("participant", "Til slutt trengte jeg ro, og jeg trengte råd om sykemelding."),
]


@pytest.fixture
def analysis(cast: Cast, settings: Any) -> Analysis:
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Help", aims="", language="nb")
    interview = new_interview(owner, study, "P01")
    deidentified(interview, TURNS)
    made = actions.do_create_analysis(owner.user, study, name="Browser analysis")
    version = actions.do_add_transcript(owner.user, made, interview)
    trust = actions.do_add_code_group(owner.user, made, name="Trust")
    colleagues = actions.do_add_code_group(owner.user, made, name="Colleagues", parent=trust)
    for words, group in (("Kona sa jeg trengte hvile.", trust), ("fra en kollega", colleagues)):
        start = version.text.index(words)
        actions.do_create_unit(
            owner.user, version, start=start, end=start + len(words), code_group=group
        )
    return made


def test_a_phrase_searched_becomes_three_units_and_opens_in_its_transcript(
    researcher_page: Page,  # noqa: F811
    live_server: Any,
    analysis: Analysis,
) -> None:
    page = researcher_page
    page.goto(f"{live_server.url}/research/analyses/{analysis.pk}/")
    page.get_by_role("navigation", name="Steps of the analysis").get_by_role(
        "link", name="Search"
    ).click()
    look(page, "search")
    page.get_by_label("Words or a phrase").fill("Trengte råd")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("3 places found.")
    expect(page.locator(".search-result mark")).to_have_text(
        ["trengte råd", "trengte RÅDENE", "trengte råd"]
    )
    look(page, "search-results")
    page.get_by_label("only the words found").check()
    page.get_by_role("button", name="Make meaning units of the ticked results").click()
    expect(page.get_by_text("3 meaning units made.")).to_be_visible()
    made = MeaningUnit.objects.filter(coding__isnull=True).order_by("start")
    assert [u.text for u in made] == ["trengte råd", "trengte RÅDENE", "trengte råd"]
    # Jump to the second result: the coding page opens on it, highlighted and in view.
    page.get_by_role("link", name="Open in the transcript (result 2)").click()
    jump = page.locator("#at")
    expect(jump).to_have_text("trengte RÅDENE")
    expect(jump).to_be_in_viewport()
    look(page, "search-jump")


def test_all_text_of_a_group_is_retrieved_and_downloaded(
    researcher_page: Page,  # noqa: F811
    live_server: Any,
    analysis: Analysis,
    tmp_path: Path,
) -> None:
    page = researcher_page
    page.goto(f"{live_server.url}/research/analyses/{analysis.pk}/condensation/")
    page.get_by_role("link", name="All text (Trust)").click()
    expect(page.get_by_role("heading", name="All text coded to Trust")).to_be_visible()
    expect(page.get_by_text("2 passages.")).to_be_visible()
    expect(page.locator(".source-unit")).to_contain_text(
        ["Kona sa jeg trengte hvile.", "fra en kollega"]
    )
    look(page, "retrieval")
    with page.expect_download() as info:
        page.get_by_role("link", name="Word (.docx)").click()
    word = tmp_path / "trust.docx"
    info.value.save_as(word)
    document = docx.Document(str(word))
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "Kona sa jeg trengte hvile." in cells and "fra en kollega" in cells
    with page.expect_download() as info:
        page.get_by_role("link", name="Spreadsheet (.csv)").click()
    sheet = tmp_path / "trust.csv"
    info.value.save_as(sheet)
    body = sheet.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Colleagues,P01" in io.StringIO(body.decode("utf-8-sig")).read()
