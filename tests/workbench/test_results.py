"""Results downloads (.docx, .md, .csv), the COREQ checklist, and CSV formula neutralising."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import docx
import pytest
from django.urls import reverse
from django.utils import translation

from kollega.core.models import AuditEvent
from kollega.workbench import actions, coreq, results
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import synthesised


def url(bench: Bench, name: str, fmt: str) -> str:
    return reverse("workbench:download", args=[bench.analysis.pk, name, fmt])


def test_the_docx_report_holds_every_table_and_the_analytic_texts(bench: Bench) -> None:
    synthesised(bench)
    response = bench.owner.client().get(url(bench, "report", "docx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Exhaustion" in headings and "Trust" in headings
    assert len(document.tables) == 4
    coreq_rows = document.tables[3].rows
    assert len(coreq_rows) == 1 + 32
    results_cells = [c.text for row in document.tables[1].rows for c in row.cells]
    assert "Reaching out" in results_cells and "P01" in results_cells
    assert "I felt exhaustion." in results_cells
    assert AuditEvent.objects.filter(
        action="workbench.results.download", details__format="docx"
    ).exists()


def test_the_results_table_goes_category_code_group_subgroup_quote(bench: Bench) -> None:
    synthesised(bench)
    response = bench.owner.client().get(url(bench, "results", "csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["Reaching out", "Exhaustion", "Exhaustion in short"]
    assert rows[1][4] == "“Jeg var sliten etter mange vakter.”" and rows[1][5] == "P01"


def test_csv_cells_that_would_run_as_formulas_are_neutralised(bench: Bench) -> None:
    actions.do_add_code_group(bench.owner.user, bench.analysis, name='=HYPERLINK("x","y")')
    group = bench.analysis.code_groups.get(name__startswith="=")
    start, end = bench.span("Hva forventet du?")
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end, code_group=group)
    body = bench.owner.client().get(url(bench, "results", "csv")).content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert '\'=HYPERLINK("x","y")' in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1"])
def test_neutralise_prefixes_every_formula_start(cell: str) -> None:
    assert results.neutralise(cell) == "'" + cell


def test_neutralise_leaves_plain_text_alone() -> None:
    assert results.neutralise("Jeg var sliten") == "Jeg var sliten"


def test_the_markdown_coreq_lists_what_is_missing(bench: Bench) -> None:
    synthesised(bench)
    body = bench.owner.client().get(url(bench, "coreq", "md")).content.decode()
    assert body.count("\n| ") == 33  # the header and 32 items
    assert "Systematic text condensation" in body
    assert "items 2, 3, 4" in body


def test_an_unknown_download_is_404(bench: Bench) -> None:
    client = bench.owner.client()
    assert client.get(url(bench, "report", "csv")).status_code == 404
    assert client.get(url(bench, "secrets", "md")).status_code == 404
    assert client.get(url(bench, "steps", "exe")).status_code == 404


def test_the_results_page_shows_the_steps_and_the_checklist(bench: Bench) -> None:
    synthesised(bench)
    response = bench.owner.client().get(reverse("workbench:results", args=[bench.analysis.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "COREQ" in body and url(bench, "report", "docx") in body


def test_the_checklist_answers_from_the_records_and_leaves_the_rest_missing() -> None:
    facts = coreq.StudyFacts(
        researchers=["Sara", "Rune"],
        participants=3,
        study_participants=5,
        withdrawn=1,
        first_interviews=3,
        follow_ups=1,
        first_date=date(2026, 1, 5),
        last_date=date(2026, 3, 1),
        recorded=4,
        durations_s=[1800.0, 3600.0],
        coders=["rune", "sara"],
        code_groups=5,
        top_level_groups=4,
        themes=6,
        theme_researchers=2,
        categories=["What brought them", "Barriers"],
        golden_quotes=8,
        quotes_identified=8,
        check_problems=0,
        software="Kollega 0.1.0",
    )
    items = coreq.checklist(facts)
    assert [i.number for i in items] == list(range(1, 33))
    answered = {i.number: i.answer for i in items if not i.missing}
    assert "30 to 60 minutes" in answered[21]
    assert "2 coders: rune, sara" in answered[24]
    assert "1 participant withdrew" in answered[13]
    assert "1 follow-up interview" in answered[18]
    assert {2, 3, 4, 5, 10, 11, 17, 20, 22, 23, 28} <= {i.number for i in items if i.missing}


def test_a_failed_check_leaves_item_30_missing() -> None:
    items = coreq.checklist(coreq.StudyFacts(check_problems=3))
    assert items[29].missing


def test_a_new_analysis_downloads_without_errors(bench: Bench) -> None:
    client = bench.owner.client()
    for name, fmt in [("report", "docx"), ("report", "md"), ("results", "csv"), ("coreq", "csv")]:
        assert client.get(url(bench, name, fmt)).status_code == 200, (name, fmt)
    assert client.get(reverse("workbench:export_qdpx", args=[bench.analysis.pk])).status_code == 200
    empty = actions.do_create_analysis(bench.owner.user, bench.study, name="Empty")
    response = client.get(reverse("workbench:export_qdc", args=[empty.pk]), follow=True)
    assert "no code groups" in response.content.decode()


def test_the_word_report_is_a4_and_names_no_library_as_author(bench: Bench, settings: Any) -> None:
    settings.KOLLEGA_ORGANISATION = "Legeforeningen"
    synthesised(bench)
    document = docx.Document(
        io.BytesIO(bench.owner.client().get(url(bench, "report", "docx")).content)
    )
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert document.core_properties.author == "Legeforeningen"
    assert "python-docx" not in (
        document.core_properties.last_modified_by + document.core_properties.comments
    )


def test_golden_quotes_in_the_report_body_carry_their_pseudonym(bench: Bench) -> None:
    synthesised(bench)
    body = bench.owner.client().get(url(bench, "report", "md")).content.decode()
    assert "> “Jeg var sliten etter mange vakter.” (P01)" in body


def test_the_checklist_answers_from_the_protocol_and_the_recruitment_records() -> None:
    facts = coreq.StudyFacts(
        theme_researchers=1,
        themes=2,
        sampling_dimensions=["Gender", "Specialty"],
        target_sample=12,
        invited=10,
        accepted=6,
        declined=3,
        unanswered=1,
        excluded=1,
        from_service=6,
        guide_topics=["Why you made contact", "What you expected"],
        guide_prompts=5,
    )
    answered = {i.number: i.answer for i in coreq.checklist(facts) if not i.missing}
    assert "maximum variation in: Gender, Specialty" in answered[10]
    assert "Target sample: 12" in answered[10]
    assert "10 invited, 6 accepted, 3 declined, 1 did not answer" in answered[11]
    assert "3 of 10 invited declined" in answered[13]
    assert "1 participant was excluded" in answered[13]
    assert "6 participants were recruited" in answered[14]
    assert "2 topics (5 prompts): Why you made contact; What you expected" in answered[17]
    assert "by 1 researcher after" in answered[26]


def test_the_coreq_table_reads_the_study_protocol(bench: Bench) -> None:
    bench.study.guide_topics.create(topic="Why you made contact", prompts="When?\nWho?")
    bench.study.dimensions = ["gender"]
    bench.study.target_sample = 12
    bench.study.save()
    body = bench.owner.client().get(url(bench, "coreq", "csv")).content.decode("utf-8-sig")
    rows = {r[0]: r[3] for r in csv.reader(io.StringIO(body)) if len(r) == 4}
    assert "1 topic (2 prompts): Why you made contact" in rows["17"]
    assert "Target sample: 12" in rows["10"] and "Gender" in rows["10"]
    assert not rows["17"].startswith("Missing")


@pytest.mark.parametrize("language", ["nb", "zh-hans"])
def test_the_coreq_item_names_are_translated(language: str) -> None:
    english = [i.topic for i in coreq.checklist(coreq.StudyFacts())]
    with translation.override(language):
        items = coreq.checklist(coreq.StudyFacts(theme_researchers=1, themes=2, guide_topics=["A"]))
    assert all(i.topic != en for i, en in zip(items, english, strict=True))
    assert "researcher after" not in items[25].answer and "interview guide" not in items[16].answer
