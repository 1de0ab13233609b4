"""Transcript versions: only de-identified transcripts go in; an edit makes a new version and
lists the units whose own words it changed; stale saves are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kollega.core.errors import ActionRefused
from kollega.research import actions as research_actions
from kollega.research.models import Transcript
from kollega.workbench import actions
from kollega.workbench.models import AnalysisTranscript, CodeGroup, MeaningUnit, Theme
from tests.research.conftest import add_transcript
from tests.workbench.conftest import Bench, new_interview


@pytest.mark.django_db
def test_a_transcript_not_yet_de_identified_cannot_be_added(bench: Bench) -> None:
    interview = new_interview(bench.owner, bench.study, "P02")
    add_transcript(interview, [("participant", "Mitt navn er Kari Nordmann.")])
    with pytest.raises(ActionRefused, match="de-identified"):
        actions.do_add_transcript(bench.owner.user, bench.analysis, interview)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:analysis", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert "1 transcript of this study is not de-identified yet" in page
    response = bench.owner.client("en").post(
        reverse("workbench:transcript_add", args=[bench.analysis.pk]), {"interview": interview.pk}
    )
    assert response.status_code == 302
    assert bench.analysis.transcripts.count() == 1


@pytest.mark.django_db
def test_an_interview_of_another_study_cannot_be_added(bench: Bench) -> None:
    other = research_actions.do_create_study(
        bench.owner.user, title="Other", aims="", language="nb"
    )
    interview = new_interview(bench.owner, other, "P01")
    with pytest.raises(ActionRefused):
        actions.do_add_transcript(bench.owner.user, bench.analysis, interview)


def _edit(bench: Bench, index: int, text: str) -> None:
    """Change one turn's words, and pass the transcript through identifier review again
    (nothing found): analyses follow it only then."""
    turns = bench.source.turns
    turns[index]["text"] = text
    research_actions.do_save_transcript(
        bench.owner.user, bench.source, turns=turns, version=bench.source.version
    )
    review_again(bench)


def review_again(bench: Bench) -> None:
    Transcript.objects.filter(pk=bench.source.pk).update(proposals_made=timezone.now())
    research_actions.do_apply_deidentification(bench.owner.user, bench.source)


@pytest.mark.django_db
def test_an_edit_makes_a_new_version_and_lists_only_the_broken_units(bench: Bench) -> None:
    user, v = bench.owner.user, bench.version
    early = actions.do_create_unit(
        user, v, start=bench.span("sliten")[0], end=bench.span("sliten")[1]
    )
    late = actions.do_create_unit(
        user, v, *(), **dict(zip(("start", "end"), bench.span("ingen på jobben"), strict=True))
    )
    # The fourth turn changes; the second turn (and its unit) stands where it stood.
    _edit(bench, 3, "Jeg ville snakke med noen. Ingen på jobben skulle vite det.")
    versions = list(AnalysisTranscript.objects.order_by("number"))
    assert [(x.number, x.current) for x in versions] == [(1, False), (2, True)]
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.transcript == versions[1]
    assert (early.start, early.end) == bench.span("sliten")
    # The broken unit is not moved: it stays on version 1, at its old offsets, to be fixed.
    assert late.transcript == versions[0]
    assert late.text == "ingen på jobben"
    assert list(actions.broken_units(bench.analysis)) == [late]
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:analysis", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert "Units to fix after a transcript was edited" in page
    assert "ingen på jobben" in page


@pytest.mark.django_db
def test_a_broken_unit_is_placed_again_only_when_the_researcher_says_so(bench: Bench) -> None:
    v = bench.version
    start, end = bench.span("Jeg trengte råd om sykemelding.")
    unit = actions.do_create_unit(bench.owner.user, v, start=start, end=end)
    _edit(
        bench,
        3,
        "Jeg ville ha noen å snakke med. Jeg trengte hjelp med sykemelding. "
        "Det var viktig at ingen på jobben fikk vite det.",
    )
    unit.refresh_from_db()
    assert not unit.transcript.current
    url = reverse("workbench:unit_place", args=[bench.analysis.pk, unit.pk])
    assert bench.owner.client("en").post(url).status_code == 302
    unit.refresh_from_db()
    assert unit.transcript.current
    assert unit.text == "Jeg trengte hjelp med sykemelding."
    # Nothing points at version 1 any more, so it is gone.
    assert AnalysisTranscript.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_that_changes_no_words_keeps_the_version(bench: Bench) -> None:
    turns = bench.source.turns
    turns[0]["speaker"] = "moderator"
    research_actions.do_save_transcript(
        bench.owner.user, bench.source, turns=turns, version=bench.source.version
    )
    assert AnalysisTranscript.objects.get().number == 1


@pytest.mark.django_db
def test_coding_an_old_version_is_refused(bench: Bench) -> None:
    old = bench.version
    start, end = bench.span("sliten")
    actions.do_create_unit(bench.owner.user, old, start=start, end=end)  # keeps v1 alive
    _edit(bench, 1, "Helt nye ord.")
    old.refresh_from_db()
    with pytest.raises(ActionRefused, match="newer version"):
        actions.do_create_unit(bench.owner.user, old, start=0, end=5)
    url = reverse("workbench:coding", args=[bench.analysis.pk, old.pk])
    assert bench.owner.client("en").get(url).status_code == 404


@pytest.mark.django_db
def test_a_stale_theme_save_is_refused_and_the_text_kept(bench: Bench) -> None:
    theme = actions.do_add_theme(bench.owner.user, bench.analysis, label="Utmattelse")
    url = reverse("workbench:theme_edit", args=[bench.analysis.pk, theme.pk])
    client = bench.owner.client("en")
    first = {"label": "Utmattelse etter vakter", "description": "", "version": 1}
    assert client.post(url, first).status_code == 302
    second = {"label": "Min tekst som ikke må forsvinne", "description": "", "version": 1}
    response = client.post(url, second)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone saved this after you opened it." in page
    assert "Min tekst som ikke må forsvinne" in page
    theme.refresh_from_db()
    assert theme.label == "Utmattelse etter vakter"
    assert theme.version == 2


@pytest.mark.django_db
def test_a_stale_code_group_save_is_refused(bench: Bench) -> None:
    group = bench.groups[0]
    actions.do_edit_code_group(
        bench.owner.user, group, name="Tired", description="", codable=True, version=1
    )
    with pytest.raises(ActionRefused):
        actions.do_edit_code_group(
            bench.colleague.user, group, name="Worn out", description="", codable=True, version=1
        )
    assert CodeGroup.objects.get(pk=group.pk).name == "Tired"


@pytest.mark.django_db
def test_only_the_owner_edits_a_theme(bench: Bench) -> None:
    theme = actions.do_add_theme(bench.owner.user, bench.analysis, label="Skam")
    actions.do_share_themes(bench.owner.user, bench.analysis)
    with pytest.raises(ActionRefused):
        actions.do_edit_theme(bench.colleague.user, theme, label="Annet", description="", version=1)
    assert Theme.objects.get().label == "Skam"
    assert MeaningUnit.objects.count() == 0
