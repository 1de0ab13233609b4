"""Search across the transcripts, units made of the results, retrieval and jump to place."""

from __future__ import annotations

import csv
import io
from typing import Any

import docx
import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.workbench import actions
from kollega.workbench.models import MeaningUnit
from tests.cast import Cast
from tests.workbench.conftest import Bench, deidentified, new_interview

SECOND = [
    ("interviewer", "Hvordan var det å ta kontakt?"),
    (
        "participant",
        "Det var trygt. Jeg trengte RÅDENE fra en kollega, og kollegaen ringte tilbake.",
    ),
    ("participant", "=SUM(A1) er ikke en formel her. Café-samtalen hjalp."),
]


@pytest.fixture
def second(bench: Bench) -> Any:
    """A second participant with case variables, whose transcript is in the analysis."""
    interview = new_interview(bench.owner, bench.study, "P02")
    interview.participant.attributes = {"gender": "female"}
    interview.participant.save()
    deidentified(interview, SECOND)
    return actions.do_add_transcript(bench.owner.user, bench.analysis, interview)


def _search(client: Client, bench: Bench, **params: str) -> Any:
    return client.get(reverse("workbench:search", args=[bench.analysis.pk]), params)


def _make(client: Client, bench: Bench, values: list[str], **extra: str) -> Any:
    url = reverse("workbench:search_units", args=[bench.analysis.pk])
    return client.post(url, {"result": values, "q": "x", **extra}, follow=True)


def _values(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('name="result" value="')[1:]]


@pytest.mark.django_db
def test_a_phrase_is_found_in_every_transcript_in_context_with_pseudonym_and_place(
    bench: Bench, second: Any
) -> None:
    page = _search(bench.owner.client("en"), bench, q="trengte råd").content.decode()
    assert "2 places found." in page
    # P01's "trengte råd" and P02's "trengte RÅDENE": case, the å and the word form ignored.
    assert "<mark>trengte råd</mark> om sykemelding." in page
    assert "<mark>trengte RÅDENE</mark> fra en kollega" in page
    assert "P01 · First interview · turn 4" in page
    assert "P02 · First interview · turn 2" in page
    start, end = bench.span("trengte råd")
    url = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    assert f'href="{url}?at={start}-{end}#at"' in page
    # The audit row counts; the words searched for are not stored.
    event = AuditEvent.objects.get(action="workbench.search")
    assert event.details["results"] == 2
    assert "trengte" not in str(event.details)


@pytest.mark.django_db
def test_a_search_that_finds_nothing_says_so_and_what_to_try(bench: Bench, second: Any) -> None:
    client = bench.owner.client("nb")
    page = _search(client, bench, q="zzzqqq").content.decode()
    assert "Ingen treff. Prøv færre ord eller en kortere form av et ord." in page
    assert "0 treff" not in page
    page = _search(client, bench, q="zzzqqq", attr="gender=female").content.decode()
    assert "Ingen treff blant de valgte deltakerne. Prøv alle deltakere" in page


@pytest.mark.django_db
def test_accents_are_ignored_and_the_filter_keeps_participants_with_the_attribute(
    bench: Bench, second: Any
) -> None:
    client = bench.owner.client("en")
    page = _search(client, bench, q="cafe").content.decode()
    assert "<mark>Café</mark>-samtalen" in page
    assert "gender: female" in page
    everyone = _search(client, bench, q="kollega").content.decode()
    # P01's and P02's "kollega"; Snowball's Norwegian stem of "kollegaen" is another.
    assert "2 places found." in everyone
    only = _search(client, bench, q="kollega", attr="gender=female").content.decode()
    assert "1 place found." in only
    assert "P01 ·" not in only
    refused = _search(client, bench, q="kollega", attr="gender=made-up")
    assert refused.status_code == 400
    assert "Choose a participant attribute from the list." in refused.content.decode()


@pytest.mark.django_db
def test_ticked_results_become_units_of_their_sentences_and_duplicates_are_skipped(
    bench: Bench, second: Any
) -> None:
    owner = bench.owner.client("en")
    values = _values(_search(owner, bench, q="jeg").content.decode())
    assert len(values) == 6
    # One sentence already marked by hand is skipped, as is the second "jeg" of a sentence.
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    page = _make(owner, bench, values).content.decode()
    assert "4 meaning units made; 2 skipped" in page
    texts = sorted(u.text for u in MeaningUnit.objects.filter(coder=bench.owner.user))
    assert texts == [
        "Jeg trengte RÅDENE fra en kollega, og kollegaen ringte tilbake.",
        "Jeg trengte råd om sykemelding.",
        "Jeg var sliten etter mange vakter.",
        "Jeg ville ha noen å snakke med.",
        "Jeg visste ikke hvem jeg skulle spørre.",
    ]
    event = AuditEvent.objects.get(action="workbench.search.units")
    assert (event.details["made"], event.details["skipped"]) == (4, 2)
    assert sorted(event.details["units"]) == sorted(
        MeaningUnit.objects.filter(coder=bench.owner.user)
        .exclude(start=start)
        .values_list("pk", flat=True)
    )
    # The same post again makes nothing.
    again = _make(owner, bench, values).content.decode()
    assert "0 meaning units made; 6 skipped" in again


@pytest.mark.django_db
def test_only_the_matched_words_when_asked_and_bad_results_change_nothing(
    bench: Bench, second: Any
) -> None:
    owner = bench.owner.client("en")
    values = _values(_search(owner, bench, q="sykemelding").content.decode())
    page = _make(owner, bench, values, extent="match").content.decode()
    assert "1 meaning unit made." in page
    assert MeaningUnit.objects.get().text == "sykemelding"
    stale = "A chosen result is not one the search gave; search again."
    for bad, message in (
        ("1:2", stale),
        ("a:b:c", stale),
        ("999999:0:3", stale),
        (f"{second.pk}:0:99999", "Select some words of the transcript first."),
    ):
        page = _make(owner, bench, [*values, bad], extent="match").content.decode()
        assert "meaning unit" not in page, bad
        assert message in page, bad
    page = _make(owner, bench, []).content.decode()
    assert "Tick at least one result to make a meaning unit of." in page
    assert MeaningUnit.objects.count() == 1


@pytest.mark.django_db
def test_units_made_are_the_coders_own_and_another_coders_stay_hidden(
    bench: Bench, second: Any
) -> None:
    colleague = bench.colleague.client("en")
    values = _values(_search(colleague, bench, q="trygg").content.decode())
    _make(colleague, bench, values, extent="match")
    # The owner's identical result is not a duplicate of the colleague's unit, and the
    # message says nothing of it.
    page = _make(bench.owner.client("en"), bench, values, extent="match").content.decode()
    assert "1 meaning unit made." in page
    assert "skipped" not in page
    assert MeaningUnit.objects.filter(coder=bench.colleague.user).count() == 1
    coding = bench.owner.client("en").get(
        reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    assert coding.content.decode().count("<mark data-units=") == 1


@pytest.mark.django_db
def test_retrieval_gathers_a_group_and_its_children_across_transcripts(
    bench: Bench, second: Any
) -> None:
    owner = bench.owner
    parent = bench.groups[1]
    child = actions.do_add_code_group(owner.user, bench.analysis, name="Safe", parent=parent)

    def unit(version: Any, words: str, group: Any, coder: Any = owner.user) -> MeaningUnit:
        start = version.text.index(words)
        return actions.do_create_unit(
            coder, version, start=start, end=start + len(words), code_group=group
        )

    unit(bench.version, "En kollega sa at tjenesten var trygg.", parent)
    unit(second, "Det var trygt.", child)
    unit(second, "=SUM(A1) er ikke en formel her.", child)
    unit(bench.version, "Hva forventet du?", bench.groups[0])
    hidden = unit(second, "Café-samtalen hjalp.", child, coder=bench.colleague.user)
    url = reverse("workbench:retrieval", args=[bench.analysis.pk, parent.pk])
    page = owner.client("en").get(url).content.decode()
    assert "3 passages." in page
    assert "En kollega sa at tjenesten var trygg." in page
    assert "Det var trygt." in page
    assert "Hva forventet du?" not in page
    assert "Café-samtalen" not in page  # the colleague's, before any comparison
    start, end = bench.span("En kollega sa at tjenesten var trygg.")
    coding = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    assert f'href="{coding}?at={start}-{end}#at"' in page
    actions.do_request_comparison(owner.user, second)
    page = owner.client("en").get(url).content.decode()
    assert "4 passages." in page and hidden.text in page

    csv_response = owner.client("en").get(
        reverse("workbench:retrieval_download", args=[bench.analysis.pk, parent.pk, "csv"])
    )
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["code group", "participant", "start", "end", "text"]
    assert rows[2][:2] == ["Safe", "P02"]
    assert "'=SUM(A1) er ikke en formel her." in [r[-1] for r in rows if r]

    word = owner.client("en").get(
        reverse("workbench:retrieval_download", args=[bench.analysis.pk, parent.pk, "docx"])
    )
    assert 'filename="first-analysis-trust.docx"' in word["Content-Disposition"]
    document = docx.Document(io.BytesIO(word.content))
    assert document.core_properties.author != "python-docx"
    assert round(document.sections[0].page_width.mm) == 210
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "En kollega sa at tjenesten var trygg." in cells
    assert AuditEvent.objects.filter(action="workbench.retrieval.download").count() == 2


@pytest.mark.django_db
def test_a_jump_link_opens_the_transcript_with_the_passage_highlighted(bench: Bench) -> None:
    start, end = bench.span("Jeg trengte råd om sykemelding.")
    url = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    client = bench.owner.client("en")
    page = client.get(f"{url}?at={start}-{end}").content.decode()
    assert '<mark class="jump" id="at">Jeg trengte råd om sykemelding.</mark>' in page
    # Inside a unit of the coder's, the highlight sits within the unit's mark.
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    page = client.get(f"{url}?at={start + 4}-{end}").content.decode()
    assert '<mark class="jump" id="at">trengte råd om sykemelding.</mark></mark>' in page
    for bad in ("", "x-y", f"{end}-{start}", "0-999999"):
        page = client.get(f"{url}?at={bad}").content.decode()
        assert 'class="jump"' not in page, bad


@pytest.mark.django_db
def test_step3_links_units_and_quotes_to_their_place(bench: Bench) -> None:
    start, end = bench.span("Jeg trengte råd om sykemelding.")
    unit = actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[2]
    )
    subgroup = actions.do_add_subgroup(
        bench.owner.user, bench.groups[2], name="Råd", unit_pks=[unit.pk]
    )
    actions.do_choose_quote(bench.owner.user, subgroup, unit_pk=unit.pk, start=start, end=end)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:condensation", args=[bench.analysis.pk, bench.groups[2].pk]))
        .content.decode()
    )
    url = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    assert page.count(f'href="{url}?at={start}-{end}#at"') == 2
    retrieval = reverse("workbench:retrieval", args=[bench.analysis.pk, bench.groups[2].pk])
    assert f'href="{retrieval}"' in page


def _urls(bench: Bench) -> dict[str, tuple[str, str]]:
    a, g = bench.analysis.pk, bench.groups[0].pk
    return {
        "search": ("get", reverse("workbench:search", args=[a]) + "?q=jeg"),
        "search_units": ("post", reverse("workbench:search_units", args=[a])),
        "retrieval": ("get", reverse("workbench:retrieval", args=[a, g])),
        "docx": ("get", reverse("workbench:retrieval_download", args=[a, g, "docx"])),
        "csv": ("get", reverse("workbench:retrieval_download", args=[a, g, "csv"])),
    }


@pytest.mark.django_db
def test_every_new_url_refuses_strangers_wrong_roles_other_studies_and_wrong_methods(
    bench: Bench, cast: Cast, client: Client
) -> None:
    start, end = bench.span("sliten")
    data = {"result": f"{bench.version.pk}:{start}:{end}"}
    for name, (method, url) in _urls(bench).items():
        anonymous = getattr(client, method)(url, data)
        assert anonymous.status_code == 302, name
        assert anonymous["Location"].startswith("/staff/login/"), name
        for role in ("counsellor", "coordinator", "administrator", "outsider"):
            other = cast.members()[role].client("en")
            assert getattr(other, method)(url, data).status_code == 403, (name, role)
        stranger = bench.stranger.client("en")
        assert getattr(stranger, method)(url, data).status_code == 404, name
        wrong = "post" if method == "get" else "get"
        assert getattr(bench.owner.client("en"), wrong)(url, data).status_code == 405, name
    assert not MeaningUnit.objects.exists()
    owner = bench.owner.client("en")
    missing = reverse("workbench:retrieval_download", args=[bench.analysis.pk, 999999, "csv"])
    assert owner.get(missing).status_code == 404
    pdf = reverse(
        "workbench:retrieval_download", args=[bench.analysis.pk, bench.groups[0].pk, "pdf"]
    )
    assert owner.get(pdf).status_code == 404
