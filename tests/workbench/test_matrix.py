"""The matrix (participants by code groups), its cells and CSV, the blind rule, and the
step-4 typology filled from it."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research import actions as research_actions
from kollega.workbench import actions
from kollega.workbench.actions import matrix, synthesis
from kollega.workbench.models import AnalysisTranscript, Category, CodeGroup, MeaningUnit
from tests.cast import Cast
from tests.workbench.conftest import Bench, deidentified, new_interview

SECOND = [
    ("interviewer", "Hvordan var det?"),
    ("participant", "Jeg sov dårlig i mange uker. Sjefen min visste ingenting."),
]


@dataclass
class Coded:
    bench: Bench
    second: AnalysisTranscript
    child: CodeGroup
    # (coder username, pseudonym, group name) for every unit made, to count independently.
    made: list[tuple[str, str, str]]


def _mark(
    bench: Bench, who: str, version: AnalysisTranscript, words: str, group: CodeGroup
) -> None:
    member = bench.owner if who == "owner" else bench.colleague
    start = version.text.index(words)
    actions.do_create_unit(
        member.user, version, start=start, end=start + len(words), code_group=group
    )


@pytest.fixture
def coded(bench: Bench) -> Coded:
    """Two participants; the owner and the colleague code P01 and disagree; a child group
    ("Sleep") under Exhaustion."""
    owner = bench.owner.user
    exhaustion, trust, advice = bench.groups
    child = actions.do_add_code_group(owner, bench.analysis, name="Sleep", parent=exhaustion)
    P02 = new_interview(bench.owner, bench.study, "P02")
    P02.participant.attributes = {"sector": "hospital", "age": "40-49"}
    P02.participant.save()
    bench.participant.attributes = {"sector": "municipality"}
    bench.participant.save()
    deidentified(P02, SECOND)
    second = actions.do_add_transcript(owner, bench.analysis, P02)
    plan = [
        ("owner", bench.version, "Jeg var sliten etter mange vakter.", exhaustion),
        ("owner", bench.version, "En kollega sa at tjenesten var trygg.", trust),
        ("owner", bench.version, "Det var viktig at ingen på jobben fikk vite det.", trust),
        # The colleague puts the same passage elsewhere, and one the owner left alone.
        ("colleague", bench.version, "Jeg var sliten etter mange vakter.", advice),
        ("colleague", bench.version, "Jeg trengte råd om sykemelding.", advice),
        ("colleague", bench.version, "Det var viktig at ingen på jobben fikk vite det.", trust),
        ("owner", second, "Jeg sov dårlig i mange uker.", child),
        ("owner", second, "Sjefen min visste ingenting.", exhaustion),
    ]
    made = []
    for who, version, words, group in plan:
        _mark(bench, who, version, words, group)
        pseudonym = version.interview.participant.pseudonym
        made.append((getattr(bench, who).user.username, pseudonym, group.name))
    return Coded(bench, second, child, made)


def _csv(bench: Bench, member: str = "owner", query: str = "") -> list[list[str]]:
    client = getattr(bench, member).client("en")
    response = client.get(reverse("workbench:matrix_csv", args=[bench.analysis.pk]) + query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _expected(
    made: list[tuple[str, str, str]], coders: set[str], parents: dict[str, str]
) -> Counter[tuple[str, str]]:
    """Independent count: each unit counts in its group and every group above it."""
    out: Counter[tuple[str, str]] = Counter()
    for coder, pseudonym, group in made:
        if coder not in coders:
            continue
        at: str | None = group
        while at is not None:
            out[(pseudonym, at)] += 1
            at = parents.get(at)
    return out


def _as_counts(rows: list[list[str]]) -> Counter[tuple[str, str]]:
    header, body = rows[0], rows[1:]
    out: Counter[tuple[str, str]] = Counter()
    for row in body:
        for name, value in zip(header, row, strict=True):
            if "/" in name or name in {"Exhaustion", "Trust", "Advice"}:
                out[(row[0], name.rsplit("/", 1)[-1])] += int(value)
    return out


PARENTS = {"Sleep": "Exhaustion"}


@pytest.mark.django_db
def test_before_a_comparison_each_coder_counts_only_their_own_units(coded: Coded) -> None:
    bench = coded.bench
    owner, colleague = bench.owner.user.username, bench.colleague.user.username
    assert _as_counts(_csv(bench, "owner")) == _expected(coded.made, {owner}, PARENTS)
    assert _as_counts(_csv(bench, "colleague")) == _expected(coded.made, {colleague}, PARENTS)
    # The colleague's "Advice" units do not show in the owner's matrix at all.
    assert _as_counts(_csv(bench, "owner"))[("P01", "Advice")] == 0


@pytest.mark.django_db
def test_after_a_comparison_the_compared_transcript_counts_every_coders_units(
    coded: Coded,
) -> None:
    bench = coded.bench
    actions.do_request_comparison(bench.owner.user, bench.version)
    both = {bench.owner.user.username, bench.colleague.user.username}
    counts = _as_counts(_csv(bench, "owner"))
    assert counts == _expected(coded.made, both, PARENTS)
    assert counts[("P01", "Trust")] == 3  # two coders on one passage: two units, as coded
    assert counts[("P01", "Advice")] == 2


@pytest.mark.django_db
def test_a_parents_column_includes_its_children_and_the_page_says_so(coded: Coded) -> None:
    bench = coded.bench
    counts = _as_counts(_csv(bench))
    assert counts[("P02", "Sleep")] == 1
    assert counts[("P02", "Exhaustion")] == 2  # its own unit and Sleep's
    page = bench.owner.client("en").get(reverse("workbench:matrix", args=[bench.analysis.pk]))
    html = page.content.decode()
    assert "(with the groups below)" in html
    assert '<span class="visually-hidden"> (under Exhaustion)</span>' in html  # Sleep's column
    assert "also counts the units in the groups below it" in html
    assert '<caption id="matrix-caption">' in html
    assert 'tabindex="0" role="region" aria-labelledby="matrix-caption"' in html
    assert '<th scope="row">P01</th>' in html
    assert AuditEvent.objects.filter(action="workbench.matrix.view").exists()


@pytest.mark.django_db
def test_the_csv_is_the_exact_table(coded: Coded) -> None:
    bench = coded.bench
    client = bench.owner.client("en")
    response = client.get(reverse("workbench:matrix_csv", args=[bench.analysis.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="first-analysis-matrix.csv"'
    assert (
        response.content
        == (
            "\ufeffParticipant,age,sector,Exhaustion,Exhaustion/Sleep,Trust,Advice\r\n"
            "P01,,municipality,1,0,2,0\r\n"
            "P02,40-49,hospital,2,1,0,0\r\n"
        ).encode()
    )


@pytest.mark.django_db
def test_the_filter_by_attribute_keeps_only_matching_participants(coded: Coded) -> None:
    bench = coded.bench
    page = bench.owner.client("en").get(reverse("workbench:matrix", args=[bench.analysis.pk]))
    html = page.content.decode()
    # Choices are sorted: age: 40-49, sector: hospital, sector: municipality.
    assert '<option value="1">sector: hospital</option>' in html
    rows = _csv(bench, query="?where=1")
    assert [r[0] for r in rows[1:]] == ["P02"]
    # A bad filter shows everyone rather than failing.
    assert [r[0] for r in _csv(bench, query="?where=99")[1:]] == ["P01", "P02"]


@pytest.mark.django_db
def test_a_cell_lists_its_units_with_pseudonym_and_place(coded: Coded) -> None:
    bench = coded.bench
    trust = bench.groups[1]
    url = reverse("workbench:matrix_cell", args=[bench.analysis.pk, bench.participant.pk, trust.pk])
    html = bench.owner.client("en").get(url).content.decode()
    assert "En kollega sa at tjenesten var trygg." in html
    assert "Det var viktig at ingen på jobben fikk vite det." in html
    assert "Jeg var sliten" not in html  # in another group
    # Each unit's link opens the transcript at its words, highlighted (as search and
    # retrieval do), not the list of units below the transcript.
    coding = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    units = MeaningUnit.objects.filter(
        coding__code_group=trust, transcript=bench.version, coder=bench.owner.user
    ).order_by("start")
    places = [f"{coding}?at={u.start}-{u.end}#at" for u in units]
    assert [html.count(f'href="{place}"') for place in places] == [1, 1]
    assert f'href="{coding}#unit-' not in html
    assert html.count("P01 · Trust · <a") == 2
    there = bench.owner.client("en").get(places[0].removesuffix("#at")).content.decode()
    marked = there.split('<mark class="jump" id="at">')[1].split("</mark>")[0]
    assert marked and units[0].text.startswith(marked)
    # The parent's cell holds its child's units too.
    exhaustion = bench.groups[0]
    second = coded.second.interview.participant
    url = reverse("workbench:matrix_cell", args=[bench.analysis.pk, second.pk, exhaustion.pk])
    html = bench.owner.client("en").get(url).content.decode()
    assert "Jeg sov dårlig i mange uker." in html and "Sjefen min visste ingenting." in html


@pytest.mark.django_db
def test_a_cell_keeps_the_other_coders_units_blind_until_they_compare(coded: Coded) -> None:
    bench = coded.bench
    advice = bench.groups[2]
    url = reverse(
        "workbench:matrix_cell", args=[bench.analysis.pk, bench.participant.pk, advice.pk]
    )
    client = bench.owner.client("en")
    assert "Jeg trengte råd om sykemelding." not in client.get(url).content.decode()
    actions.do_request_comparison(bench.owner.user, bench.version)
    html = client.get(url).content.decode()
    assert "Jeg trengte råd om sykemelding." in html
    # The colleague's unit is read on the comparison page (the coding page shows one's own).
    compare = reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])
    assert html.count(f'href="{compare}"') == 2


# --- Who may open it ----------------------------------------------------------------------


def _urls(coded: Coded) -> list[str]:
    bench = coded.bench
    a = bench.analysis.pk
    return [
        reverse("workbench:matrix", args=[a]),
        reverse("workbench:matrix_csv", args=[a]),
        reverse("workbench:matrix_cell", args=[a, bench.participant.pk, bench.groups[0].pk]),
    ]


@pytest.mark.django_db
def test_the_matrix_urls_refuse_everyone_else(coded: Coded, cast: Cast, client: object) -> None:
    for url in _urls(coded):
        assert coded.bench.colleague.client("en").get(url).status_code == 200, url
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url
        assert cast.counsellor.client("en").get(url).status_code == 403, url
        assert coded.bench.stranger.client("en").get(url).status_code == 404, url
        assert coded.bench.owner.client("en").post(url).status_code == 405, url


@pytest.mark.django_db
def test_a_cell_of_another_studys_participant_or_group_is_404(coded: Coded) -> None:
    bench = coded.bench
    other = research_actions.do_create_study(
        bench.stranger.user, title="Other", aims="", language="nb"
    )
    elsewhere = research_actions.do_add_participant(bench.stranger.user, other, pseudonym="X1")
    client = bench.owner.client("en")
    a = bench.analysis.pk
    url = reverse("workbench:matrix_cell", args=[a, elsewhere.pk, bench.groups[0].pk])
    assert client.get(url).status_code == 404
    other_analysis = actions.do_create_analysis(bench.owner.user, bench.study, name="Second")
    group = actions.do_add_code_group(bench.owner.user, other_analysis, name="Elsewhere")
    url = reverse("workbench:matrix_cell", args=[a, bench.participant.pk, group.pk])
    assert client.get(url).status_code == 404


# --- The typology from the matrix -----------------------------------------------------------


@pytest.mark.django_db
def test_fill_from_the_matrix_proposes_ticks_and_saves_nothing(coded: Coded) -> None:
    bench = coded.bench
    owner = bench.owner.user
    exhaustion, trust, advice = bench.groups
    tired = synthesis.do_add_category(
        owner, bench.analysis, name="Tired", group_pks=[exhaustion.pk]
    )
    heard = synthesis.do_add_category(owner, bench.analysis, name="Heard", group_pks=[trust.pk])
    helped = synthesis.do_add_category(owner, bench.analysis, name="Helped", group_pks=[advice.pk])
    p1, p2 = bench.participant, coded.second.interview.participant
    client = bench.owner.client("en")
    url = reverse("workbench:synthesis", args=[bench.analysis.pk])
    html = client.get(url + "?fill=matrix").content.decode()
    assert "proposed from the matrix and not saved yet" in html

    def ticked(person: int, category: int) -> bool:
        box = f'name="cell" value="{person}-{category}"'
        at = html.index(box)
        return " checked" in html[at : html.index(">", at)]

    # P01 has the owner's units in Exhaustion and Trust; P02 in Sleep (under Exhaustion).
    assert ticked(p1.pk, tired.pk) and ticked(p1.pk, heard.pk)
    assert ticked(p2.pk, tired.pk) and not ticked(p2.pk, heard.pk)
    # Advice holds only the colleague's units: blind, so not proposed to the owner.
    assert not ticked(p1.pk, helped.pk)
    assert not Category.objects.filter(participants__isnull=False).exists()
    # Saving the proposal as shown stores it.
    cells = [f"{p1.pk}-{tired.pk}", f"{p1.pk}-{heard.pk}", f"{p2.pk}-{tired.pk}"]
    drawn = synthesis.typology_stamp(bench.analysis)
    client.post(
        reverse("workbench:typology_save", args=[bench.analysis.pk]),
        {"cell": cells, "drawn": drawn},
    )
    assert set(tired.participants.all()) == {p1, p2}
    assert set(heard.participants.all()) == {p1}
    # Without ?fill the page shows what is saved, not a proposal.
    assert "not saved yet" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_proposal_after_a_comparison_counts_every_coder(coded: Coded) -> None:
    bench = coded.bench
    advice = bench.groups[2]
    helped = synthesis.do_add_category(
        bench.owner.user, bench.analysis, name="Helped", group_pks=[advice.pk]
    )
    assert matrix.typology_proposal(bench.owner.user, bench.analysis) == set()
    actions.do_request_comparison(bench.owner.user, bench.version)
    assert matrix.typology_proposal(bench.owner.user, bench.analysis) == {
        (bench.participant.pk, helped.pk)
    }


@pytest.mark.django_db
def test_the_matrix_costs_the_same_queries_however_many_participants_and_units(
    coded: Coded,
) -> None:
    bench = coded.bench
    url = reverse("workbench:matrix", args=[bench.analysis.pk])
    client = bench.owner.client("en")
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for n in range(3, 7):
        interview = new_interview(bench.owner, bench.study, f"P{n:02d}")
        deidentified(interview, SECOND)
        version = actions.do_add_transcript(bench.owner.user, bench.analysis, interview)
        for words, group in (("Jeg sov dårlig", coded.child), ("Sjefen min", bench.groups[1])):
            _mark(bench, "owner", version, words, group)
    assert queries() == before
