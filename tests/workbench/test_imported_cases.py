"""Cases of an imported project: out of the study's figures, and linked to a recruited
participant only when the researcher confirms it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research import actions as research_actions
from kollega.research.models import Participant
from kollega.workbench import actions, exchange
from kollega.workbench.actions import synthesis
from kollega.workbench.models import AnalysisTranscript
from kollega.workbench.snapshot import snapshot
from tests.cast import Cast
from tests.workbench.conftest import Bench, deidentified


def _imported(bench: Bench, pseudonym: str = "D7") -> tuple[Participant, AnalysisTranscript]:
    """An imported case with a transcript in the bench's analysis, as an import makes it."""
    case = research_actions.do_add_participant(
        bench.owner.user,
        bench.study,
        pseudonym=pseudonym,
        imported=True,
        attributes={"Gender": "woman"},
    )
    interview = research_actions.do_create_interview(
        bench.owner.user, case, kind="first", scheduled_on=None, language="nb"
    )
    deidentified(interview)
    version = actions.do_add_transcript(bench.owner.user, bench.analysis, interview)
    return case, version


@pytest.mark.django_db
def test_imported_cases_never_count_as_the_studys_participants(bench: Bench) -> None:
    _imported(bench, "D7")
    _imported(bench, "D8")
    data = snapshot(bench.analysis).data
    assert data is not None
    facts = exchange.facts(bench.analysis, data, None)
    assert facts.study_participants == 1  # P01 only: D7 and D8 were never recruited
    assert facts.participants == 3  # but all three are in the analysis
    page = bench.owner.client("en").get(reverse("research:studies")).content.decode()
    assert "1 participant" in page and "3 participants" not in page
    study = bench.owner.client("en").get(reverse("research:study", args=[bench.study.pk]))
    assert study.content.decode().count("imported case, not recruited") == 2


@pytest.mark.django_db
def test_the_analysis_page_lists_imported_cases_with_the_recruited_to_link_to(
    bench: Bench,
) -> None:
    case, _version = _imported(bench)
    html = (
        bench.owner.client("en")
        .get(reverse("workbench:analysis", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert 'id="cases-heading"' in html
    assert "Gender: woman" in html
    select = html[html.index(f'id="case-{case.pk}-participant"') :]
    select = select[: select.index("</select>")]
    assert f'value="{bench.participant.pk}">P01<' in select
    assert "D7" not in select  # an imported case is no one to link to


@pytest.mark.django_db
def test_linking_a_case_moves_its_transcripts_ticks_and_variables_and_is_audited(
    bench: Bench,
) -> None:
    case, version = _imported(bench)
    start = version.text.index("Jeg var sliten")
    unit = actions.do_create_unit(
        bench.owner.user, version, start=start, end=start + 14, code_group=bench.groups[0]
    )
    category = synthesis.do_add_category(
        bench.owner.user, bench.analysis, name="Tired", group_pks=[bench.groups[0].pk]
    )
    category.participants.add(case)
    client = bench.owner.client("en")
    url = reverse("workbench:case_link", args=[bench.analysis.pk])
    response = client.post(
        url, {"case": case.pk, "participant": bench.participant.pk, "confirm": "1"}
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=case.pk).exists()
    version.refresh_from_db()
    assert version.interview.participant == bench.participant
    unit.refresh_from_db()
    assert unit.transcript.interview.participant == bench.participant  # the unit stays
    assert list(category.participants.all()) == [bench.participant]
    bench.participant.refresh_from_db()
    assert bench.participant.attributes == {"Gender": "woman"}
    event = AuditEvent.objects.get(action="workbench.case.link")
    assert event.details["case"] == case.pk and event.details["interviews"] == 1
    page = client.get(reverse("workbench:analysis", args=[bench.analysis.pk])).content.decode()
    assert "now P01" in page and 'id="cases-heading"' not in page


@pytest.mark.django_db
def test_a_link_is_refused_without_confirming_or_to_a_case_or_unknown_person(
    bench: Bench,
) -> None:
    case, _version = _imported(bench)
    other, _v = _imported(bench, "D8")
    client = bench.owner.client("en")
    url = reverse("workbench:case_link", args=[bench.analysis.pk])
    tries = [
        ({"case": case.pk, "participant": bench.participant.pk}, "Confirm that the case is"),
        ({"case": case.pk, "participant": other.pk, "confirm": "1"}, "recruited participants"),
        (
            {"case": bench.participant.pk, "participant": bench.participant.pk, "confirm": "1"},
            "Unknown imported case.",
        ),
        ({"case": case.pk, "participant": "x", "confirm": "1"}, "whole number"),
    ]
    for data, message in tries:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert Participant.objects.filter(pk=case.pk, imported=True).exists()
    assert not AuditEvent.objects.filter(action="workbench.case.link").exists()


@pytest.mark.django_db
def test_the_link_url_refuses_everyone_else(bench: Bench, cast: Cast, client: object) -> None:
    case, _version = _imported(bench)
    url = reverse("workbench:case_link", args=[bench.analysis.pk])
    data = {"case": case.pk, "participant": bench.participant.pk, "confirm": "1"}
    response = client.post(url, data)  # type: ignore[attr-defined]
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert cast.counsellor.client("en").post(url, data).status_code == 403
    assert bench.stranger.client("en").post(url, data).status_code == 404
    assert bench.owner.client("en").get(url).status_code == 405
    # A researcher of another study, naming this study's case in their own analysis: refused.
    other = research_actions.do_create_study(bench.stranger.user, title="O", aims="", language="nb")
    theirs = actions.do_create_analysis(bench.stranger.user, other, name="Theirs")
    url = reverse("workbench:case_link", args=[theirs.pk])
    bench.stranger.client("en").post(url, data)
    assert Participant.objects.filter(pk=case.pk, imported=True).exists()
