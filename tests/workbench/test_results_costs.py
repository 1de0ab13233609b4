"""What the results page, the downloads and the check cost, asserted without timing (issue 23):
queries that do not grow with the analysis, one build per analysis version, and a build that
follows every change."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.workbench import actions, adapters, snapshot
from kollega.workbench.actions import condensation
from kollega.workbench.models import Condensate, MeaningUnit
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import synthesised

TABLE_DOWNLOADS = [
    (name, fmt)
    for name in ("steps", "results", "participants", "coreq")
    for fmt in ("csv", "md", "docx")
]


@pytest.fixture(autouse=True)
def _nothing_built_yet() -> Iterator[None]:
    snapshot.forget()
    yield
    snapshot.forget()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the whole analysis was read: ``data`` (with the check) or ``check`` alone."""
    calls: list[str] = []
    both, check = adapters.project_data_and_check, adapters.recontextualisation

    def counted_both(analysis: Any) -> Any:
        calls.append("data")
        return both(analysis)

    def counted_check(analysis: Any) -> Any:
        calls.append("check")
        return check(analysis)

    def counted_data(analysis: Any) -> Any:
        calls.append("data only")
        return data(analysis)

    data = adapters.project_data_only
    monkeypatch.setattr(adapters, "project_data_and_check", counted_both)
    monkeypatch.setattr(adapters, "recontextualisation", counted_check)
    monkeypatch.setattr(adapters, "project_data_only", counted_data)
    return calls


def download(bench: Bench, name: str, fmt: str) -> str:
    return reverse("workbench:download", args=[bench.analysis.pk, name, fmt])


def rows(bench: Bench, name: str) -> list[list[str]]:
    response = bench.owner.client().get(download(bench, name, "csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def more_units(bench: Bench, n: int) -> None:
    """``n`` more coded units, a word each, from both researchers, in the first group."""
    text = bench.version.text
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i] != " "]
    for i, start in enumerate(starts[:n]):
        end = text.index(" ", start) if " " in text[start:] else len(text)
        who = bench.owner if i % 2 else bench.colleague
        unit = MeaningUnit.objects.create(
            transcript=bench.version, start=start, end=end, coder=who.user
        )
        actions.do_code_unit(who.user, unit, bench.groups[0])


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_results_page_and_each_download_take_as_many_queries_for_many_units(
    bench: Bench, django_assert_max_num_queries: Any
) -> None:
    synthesised(bench)
    client = bench.owner.client()
    page = reverse("workbench:results", args=[bench.analysis.pk])
    urls = [page, *(download(bench, n, f) for n, f in TABLE_DOWNLOADS)]
    few = {}
    for url in urls:
        snapshot.forget()
        few[url] = queries(client, url)  # built from nothing
    more_units(bench, 20)
    for url in urls:
        snapshot.forget()
        with django_assert_max_num_queries(few[url]):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(few[url]):  # and again, from the cache
            assert client.get(url).status_code == 200


def test_the_participants_table_never_reads_the_analysis(bench: Bench, builds: list[str]) -> None:
    synthesised(bench)
    for fmt in ("csv", "md", "docx"):
        response = bench.owner.client().get(download(bench, "participants", fmt))
        assert response.status_code == 200
    assert builds == []


def test_a_second_download_of_an_unchanged_analysis_builds_nothing(
    bench: Bench, builds: list[str]
) -> None:
    synthesised(bench)
    client = bench.owner.client()
    client.get(reverse("workbench:results", args=[bench.analysis.pk]))
    for name, fmt in [("report", "docx"), ("report", "md"), *TABLE_DOWNLOADS]:
        assert client.get(download(bench, name, fmt)).status_code == 200
    assert client.get(reverse("workbench:check", args=[bench.analysis.pk])).status_code == 200
    assert builds == ["data"]


def test_the_check_alone_reads_no_more_than_it_needs(bench: Bench, builds: list[str]) -> None:
    synthesised(bench)
    client = bench.owner.client()
    check = reverse("workbench:check", args=[bench.analysis.pk])
    assert client.get(check).status_code == 200
    assert client.get(check).status_code == 200
    assert builds == ["check"]
    assert client.get(download(bench, "steps", "csv")).status_code == 200
    assert client.get(check).status_code == 200
    assert builds == ["check", "data only"]  # the check of this version is kept


def test_a_download_shows_a_unit_coded_after_the_last_download(
    bench: Bench, builds: list[str]
) -> None:
    synthesised(bench)
    assert ["2 Meaning units", "meaning units", "4"] in rows(bench, "steps")
    start, end = bench.span("Hva forventet du?")
    actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[2]
    )
    assert ["2 Meaning units", "meaning units", "5"] in rows(bench, "steps")
    assert any(row[1] == "Advice" for row in rows(bench, "results"))
    assert builds == ["data", "data"]


def test_a_download_shows_a_unit_moved_to_another_code_group(bench: Bench) -> None:
    synthesised(bench)
    assert not any(row[1] == "Advice" for row in rows(bench, "results"))
    unit = MeaningUnit.objects.filter(transcript=bench.version).first()
    assert unit is not None
    actions.do_code_unit(bench.owner.user, unit, bench.groups[2])
    assert any(row[1] == "Advice" for row in rows(bench, "results"))


def test_a_download_shows_an_edited_condensate(bench: Bench) -> None:
    synthesised(bench)
    assert any("I felt exhaustion." in row for row in rows(bench, "results"))
    condensate = Condensate.objects.get(subgroup__code_group__name="Exhaustion")
    condensation.do_save_condensate(
        bench.owner.user,
        condensate.subgroup,
        text="I was worn out.",
        unit_pks=list(condensate.units.values_list("pk", flat=True)),
        condensate=condensate,
        version=condensate.version,
    )
    cells = [cell for row in rows(bench, "results") for cell in row]
    assert "I was worn out." in cells and "I felt exhaustion." not in cells


def test_the_check_follows_a_change_after_it_ran(bench: Bench) -> None:
    synthesised(bench)
    client = bench.owner.client()
    check = reverse("workbench:check", args=[bench.analysis.pk])
    assert "The check passes" in client.get(check).content.decode()
    start, end = bench.span("Hva forventet du?")
    actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[2]
    )
    body = client.get(check).content.decode()
    assert "The code group has no condensate." in body and "Fix it: Advice" in body


def test_the_check_page_takes_as_many_queries_for_many_findings(
    bench: Bench, django_assert_max_num_queries: Any
) -> None:
    client = bench.owner.client()
    check = reverse("workbench:check", args=[bench.analysis.pk])
    start, end = bench.span("Hva forventet du?")
    actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[0]
    )
    few = queries(client, check)  # one group without a condensate or text
    for words in ("Jeg var sliten", "Jeg ville ha noen"):
        group = actions.do_add_code_group(bench.owner.user, bench.analysis, name=words)
        start, end = bench.span(words)
        actions.do_create_unit(
            bench.owner.user, bench.version, start=start, end=end, code_group=group
        )
    with django_assert_max_num_queries(few):
        body = client.get(check).content.decode()
    assert body.count("The code group has no condensate.") == 3


def test_a_researcher_of_another_study_gets_404_for_every_download(bench: Bench) -> None:
    synthesised(bench)
    client = bench.stranger.client()
    pk = bench.analysis.pk
    urls = [
        reverse("workbench:results", args=[pk]),
        reverse("workbench:check", args=[pk]),
        reverse("workbench:export_qdpx", args=[pk]),
        reverse("workbench:export_qdc", args=[pk]),
        download(bench, "report", "docx"),
        download(bench, "report", "md"),
        *(download(bench, n, f) for n, f in TABLE_DOWNLOADS),
    ]
    bench.owner.client().get(urls[0])  # built and cached for the owner
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_fast_plain_copy_is_the_librarys_own(bench: Bench) -> None:
    synthesised(bench)
    unit = MeaningUnit.objects.filter(transcript=bench.version).first()
    assert unit is not None
    unit.coding.origin, unit.coding.model = "suggestion", "model-x"
    unit.coding.model_settings = {"threshold": 0.5}
    unit.coding.save()
    project = adapters.stc_project(bench.analysis)
    assert adapters.plain_project(project) == project.to_dict()
    assert adapters.project_data_only(bench.analysis) == adapters.project_data(bench.analysis)


def test_a_text_written_without_a_new_version_still_shows(bench: Bench) -> None:
    """The stamp reads each encrypted column's head (its random IV), not only the versions."""
    synthesised(bench)
    assert any("I felt exhaustion." in row for row in rows(bench, "results"))
    condensate = Condensate.objects.get(subgroup__code_group__name="Exhaustion")
    condensate.text = "Same version, new words."
    condensate.save(update_fields=["text"])
    cells = [cell for row in rows(bench, "results") for cell in row]
    assert "Same version, new words." in cells
