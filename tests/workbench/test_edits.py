"""Units that survive edits: every stored offset is carried through a transcript edit; only
a unit or quote whose own words changed is listed to fix, and an edit after de-identification
sends the transcript back through identifier review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.research import actions as research_actions
from kollega.research.models import Transcript
from kollega.workbench import actions
from kollega.workbench.models import AnalysisTranscript, GoldenQuote, MeaningUnit
from tests.workbench.conftest import Bench
from tests.workbench.test_versions import review_again

# Words of the bench transcript, from its first turn to its last.
SEVEN = [
    "hvorfor du tok kontakt",
    "sliten etter mange vakter",
    "Jeg visste ikke hvem jeg skulle spørre.",
    "tjenesten var trygg",
    "Hva forventet du?",
    "Jeg trengte råd om sykemelding.",
    "ingen på jobben fikk vite det",
]


def _edit_turn(bench: Bench, index: int, text: str) -> None:
    """Change one turn's words in the transcript editor's action."""
    source = Transcript.objects.get(pk=bench.source.pk)
    edits = [{"speaker": t["speaker"], "text": t["text"]} for t in source.turns]
    edits[index]["text"] = text
    research_actions.do_edit_transcript(
        bench.owner.user, source, edits=edits, version=source.version
    )


def _analysis_page(bench: Bench) -> str:
    url = reverse("workbench:analysis", args=[bench.analysis.pk])
    return str(bench.owner.client("en").get(url).content.decode())


def _units(bench: Bench, words: list[str]) -> list[MeaningUnit]:
    return [
        actions.do_create_unit(bench.owner.user, bench.version, start=s, end=e)
        for s, e in (bench.span(w) for w in words)
    ]


@pytest.mark.django_db
def test_inserting_two_words_near_the_start_keeps_every_unit_placed(bench: Bench) -> None:
    units = _units(bench, SEVEN)
    _edit_turn(bench, 0, "Så, kan du fortelle meg hvorfor du tok kontakt?")
    review_again(bench)
    current = AnalysisTranscript.objects.get(current=True)
    assert current.number == 2
    for unit, words in zip(units, SEVEN, strict=True):
        unit.refresh_from_db()
        assert (unit.transcript_id, unit.text) == (current.pk, words)
    assert list(actions.broken_units(bench.analysis)) == []
    # Nothing points at the old version any more.
    assert AnalysisTranscript.objects.count() == 1


@pytest.mark.django_db
def test_a_unit_whose_own_words_changed_is_shown_with_old_and_new_words(bench: Bench) -> None:
    changed, kept = _units(bench, ["sliten etter mange vakter", "tjenesten var trygg"])
    _edit_turn(
        bench,
        1,
        "Jeg var sliten etter lange nattevakter. Jeg visste ikke hvem jeg skulle spørre. "
        "En kollega sa at tjenesten var trygg.",
    )
    review_again(bench)
    changed.refresh_from_db()
    kept.refresh_from_db()
    assert kept.transcript.current and kept.text == "tjenesten var trygg"
    assert list(actions.broken_units(bench.analysis)) == [changed]
    assert changed.text == "sliten etter mange vakter"
    assert actions.to_fix(bench.analysis) == (
        [(changed, "sliten etter lange nattevakter")],
        [],
    )
    page = _analysis_page(bench)
    assert "Units to fix after a transcript was edited" in page
    assert "sliten etter mange vakter" in page
    assert "sliten etter lange nattevakter" in page
    assert "tjenesten var trygg" not in page
    url = reverse("workbench:unit_place", args=[bench.analysis.pk, changed.pk])
    assert bench.owner.client("en").post(url).status_code == 302
    changed.refresh_from_db()
    assert changed.transcript.current and changed.text == "sliten etter lange nattevakter"


@pytest.mark.django_db
def test_a_flagged_golden_quote_is_placed_again(bench: Bench) -> None:
    user = bench.owner.user
    (unit,) = _units(bench, ["Jeg trengte råd om sykemelding."])
    actions.do_code_unit(user, unit, bench.groups[0])
    subgroup = actions.do_add_subgroup(user, bench.groups[0], name="Råd", unit_pks=[unit.pk])
    start, end = bench.span("råd om sykemelding")
    quote = actions.do_choose_quote(user, subgroup, unit_pk=unit.pk, start=start, end=end)
    _edit_turn(
        bench,
        3,
        "Jeg ville ha noen å snakke med. Jeg trengte råd om sykmelding. "
        "Det var viktig at ingen på jobben fikk vite det.",
    )
    review_again(bench)
    assert list(actions.broken_quotes(bench.analysis)) == [quote]
    page = _analysis_page(bench)
    assert "råd om sykmelding" in page
    url = reverse("workbench:quote_place", args=[bench.analysis.pk, quote.pk])
    assert bench.owner.client("en").post(url).status_code == 302
    quote = GoldenQuote.objects.get(pk=quote.pk)
    assert quote.transcript.current and quote.text == "råd om sykmelding"
    assert list(actions.broken_quotes(bench.analysis)) == []


@pytest.mark.django_db
def test_an_edit_after_de_identification_sends_the_transcript_back_to_review(
    bench: Bench,
) -> None:
    (unit,) = _units(bench, ["tjenesten var trygg"])
    _edit_turn(bench, 0, "Kan du fortelle hvorfor du ringte Ola Hansen?")
    source = Transcript.objects.get(pk=bench.source.pk)
    assert source.deidentified is None
    page = (
        bench.owner.client("en")
        .get(reverse("research:transcript", args=[bench.interview.pk]))
        .content.decode()
    )
    assert "Not yet de-identified" in page
    # The analysis keeps the de-identified version until the review is done again.
    assert AnalysisTranscript.objects.get().number == 1
    assert "Ola Hansen" not in AnalysisTranscript.objects.get().text
    review_again(bench)
    unit.refresh_from_db()
    assert unit.transcript.number == 2 and unit.text == "tjenesten var trygg"


@pytest.mark.django_db
def test_an_edit_that_changes_no_words_keeps_the_transcript_de_identified(bench: Bench) -> None:
    source = Transcript.objects.get(pk=bench.source.pk)
    edits = [{"speaker": t["speaker"], "text": t["text"]} for t in source.turns]
    research_actions.do_edit_transcript(
        bench.owner.user, source, edits=edits, version=source.version
    )
    assert Transcript.objects.get(pk=source.pk).deidentified is not None


@pytest.mark.django_db
def test_a_second_review_numbers_new_identifiers_after_the_earlier_ones(bench: Bench) -> None:
    _edit_turn(bench, 0, "Kan du fortelle hvorfor [navn 1] og Ola Hansen tok kontakt?")
    source = Transcript.objects.get(pk=bench.source.pk)
    Transcript.objects.filter(pk=source.pk).update(proposals_made=source.updated)
    research_actions.do_add_finding(bench.owner.user, source, words="Ola Hansen", kind="person")
    research_actions.do_apply_deidentification(bench.owner.user, source)
    source.refresh_from_db()
    assert source.deidentified is not None
    assert source.turns[0]["text"] == "Kan du fortelle hvorfor [navn 1] og [navn 2] tok kontakt?"
