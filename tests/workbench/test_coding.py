"""Step 2: marking meaning units, sorting them, code groups, suggestions."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.workbench import actions
from kollega.workbench.actions import coding as coding_actions
from kollega.workbench.models import (
    CodeSuggestionRun,
    Coding,
    CodingOrigin,
    MeaningUnit,
    RunStatus,
    SuggestionDecision,
)
from tests.workbench.conftest import Bench, deidentified, htmx, new_interview


def _suggested(bench: Bench, client: Any, version: Any) -> str:
    """Ask for suggestions as the page does, let the worker run, and read what the page's
    poll then shows."""
    url = reverse("workbench:suggestions", args=[bench.analysis.pk, version.pk])
    asked = client.post(url).content.decode()
    run = CodeSuggestionRun.objects.filter(requested_by=bench.owner.user).first()
    assert (
        run is not None and f"suggestions/{run.pk}/" in asked and 'hx-trigger="every 1s"' in asked
    )
    assert actions.run_code_suggestions(run.pk) == RunStatus.DONE
    poll = reverse("workbench:suggestion_run", args=[bench.analysis.pk, version.pk, run.pk])
    return str(client.get(poll).content.decode())


def _create(bench: Bench, words: str, **extra: object) -> object:
    start, end = bench.span(words)
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    return htmx(bench.owner.client("en")).post(url, {"start": start, "end": end, **extra})


@pytest.mark.django_db
def test_a_selection_becomes_a_unit_at_its_offsets_and_is_announced(bench: Bench) -> None:
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    # The selection takes in the line break before and the space after.
    response = htmx(bench.owner.client("en")).post(url, {"start": start - 1, "end": end + 1})
    assert response.status_code == 200
    unit = MeaningUnit.objects.get()
    # Surrounding white space is trimmed; the unit stores offsets, not a copy of the words.
    assert unit.text == "Jeg var sliten etter mange vakter."
    assert (unit.start, unit.end) == bench.span("Jeg var sliten etter mange vakter.")
    page = response.content.decode()
    assert 'id="announcer" hx-swap-oob="innerHTML"' in page
    assert "New meaning unit: “Jeg var sliten etter mange vakter.”" in page
    assert '<mark data-units="' in page


@pytest.mark.django_db
def test_an_empty_or_outside_selection_is_refused_with_a_message(bench: Bench) -> None:
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    client = htmx(bench.owner.client("en"))
    for data in ({"start": 5, "end": 5}, {"start": 0, "end": 10**6}, {"start": "x", "end": 3}):
        page = client.post(url, data).content.decode()
        assert "Select some words of the transcript first." in page
    assert not MeaningUnit.objects.exists()


@pytest.mark.django_db
def test_a_unit_cannot_span_two_turns(bench: Bench) -> None:
    text = bench.version.text
    start = text.index("hvorfor")
    end = text.index("sliten")
    with pytest.raises(ActionRefused):
        actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)


@pytest.mark.django_db
def test_sorting_by_click_updates_the_counts(bench: Bench) -> None:
    _create(bench, "Jeg var sliten etter mange vakter.")
    unit = MeaningUnit.objects.get()
    client = htmx(bench.owner.client("en"))
    url = reverse("workbench:unit_code", args=[bench.analysis.pk])
    page = client.post(url, {"unit": unit.pk, "group": bench.groups[0].pk}).content.decode()
    coding = Coding.objects.get(unit=unit)
    assert coding.code_group == bench.groups[0]
    assert coding.origin == CodingOrigin.HAND
    assert coding.decided_by == bench.owner.user
    assert 'Exhaustion <span class="group__count">(1)</span>' in page
    assert "The unit is sorted into Exhaustion." in page


@pytest.mark.django_db
def test_a_click_with_no_unit_chosen_sorts_nothing_and_says_so(bench: Bench) -> None:
    """Words selected but not yet marked leave "Unit to sort" empty: no earlier unit moves."""
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    earlier = actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    url = reverse("workbench:unit_code", args=[bench.analysis.pk])
    client = htmx(bench.owner.client("en"))
    page = client.post(
        url, {"unit": "", "shown": "", "t": bench.version.pk, "group": bench.groups[0].pk}
    ).content.decode()
    assert "No unit is chosen under “Unit to sort”" in page
    choice = page.split('id="code-unit"')[1].split("</select>")[0]
    assert " selected>" not in choice  # "Unit to sort" shows none chosen
    assert not Coding.objects.filter(unit=earlier).exists()


@pytest.mark.django_db
def test_a_click_sorts_only_the_unit_the_page_shows_chosen(bench: Bench) -> None:
    """A failed choice on the page (``shown`` differs from the posted unit) moves nothing."""
    units = []
    for words in ("Jeg var sliten etter mange vakter.", "Jeg trengte råd om sykemelding."):
        start, end = bench.span(words)
        units.append(actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end))
    url = reverse("workbench:unit_code", args=[bench.analysis.pk])
    client = htmx(bench.owner.client("en"))
    post = {"unit": units[0].pk, "t": bench.version.pk, "group": bench.groups[0].pk}
    page = client.post(url, {**post, "shown": units[1].pk}).content.decode()
    assert "No unit is chosen under “Unit to sort”" in page
    assert not Coding.objects.exists()
    client.post(url, {**post, "shown": units[0].pk})
    assert Coding.objects.get().unit == units[0]


@pytest.mark.django_db
def test_a_plain_form_post_redirects_back_to_the_page(bench: Bench) -> None:
    start, end = bench.span("Jeg trengte råd om sykemelding.")
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    response = bench.owner.client("en").post(
        url, {"start": start, "end": end, "group": bench.groups[2].pk}
    )
    assert response.status_code == 302
    assert MeaningUnit.objects.get().coding.code_group == bench.groups[2]


@pytest.mark.django_db
def test_a_heading_group_takes_no_units_and_children_nest(bench: Bench) -> None:
    parent = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Seeking help", codable=False
    )
    child = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="First contact", parent=parent
    )
    start, end = bench.span("En kollega sa at tjenesten var trygg.")
    unit = actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    with pytest.raises(ActionRefused):
        actions.do_code_unit(bench.owner.user, unit, parent)
    actions.do_code_unit(bench.owner.user, unit, child)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk]))
        .content.decode()
    )
    assert 'class="group group--depth-1"' in page
    assert '<span class="group__heading">Seeking help</span>' in page


@pytest.mark.django_db
def test_someone_elses_unit_cannot_be_sorted(bench: Bench) -> None:
    start, end = bench.span("Jeg var sliten")
    unit = actions.do_create_unit(bench.colleague.user, bench.version, start=start, end=end)
    url = reverse("workbench:unit_code", args=[bench.analysis.pk])
    page = (
        htmx(bench.owner.client("en"))
        .post(url, {"unit": unit.pk, "group": bench.groups[0].pk})
        .content.decode()
    )
    assert "Only the coder who marked a unit can sort it." in page
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_suggestions_rank_three_groups_and_each_decision_is_recorded(bench: Bench) -> None:
    user, v = bench.owner.user, bench.version
    for words, group in (
        ("Jeg var sliten etter mange vakter.", 0),
        ("En kollega sa at tjenesten var trygg.", 1),
        ("Jeg trengte råd om sykemelding.", 2),
    ):
        start, end = bench.span(words)
        actions.do_create_unit(user, v, start=start, end=end, code_group=bench.groups[group])
    start, end = bench.span("Jeg ville ha noen å snakke med.")
    uncoded = actions.do_create_unit(user, v, start=start, end=end)
    client = htmx(bench.owner.client("en"))
    page = _suggested(bench, client, v)
    assert f'id="suggestion-{uncoded.pk}"' in page
    assert page.count("% sure") == 3
    assert "Suggested by hashing" in page
    import re

    tokens = re.findall(r'name="token" value="([^"]+)"', page)
    assert len(tokens) == 3
    url = reverse("workbench:suggestion_decide", args=[bench.analysis.pk, uncoded.pk])
    client.post(url, {"token": tokens[0], "accept": "0"})
    answer = client.post(url, {"token": tokens[1], "accept": "1"}).content.decode()
    assert f'id="suggestion-{uncoded.pk}" hx-swap-oob="delete"' in answer
    decisions = list(SuggestionDecision.objects.order_by("decided_at", "pk"))
    assert [d.accepted for d in decisions] == [False, True]
    assert [d.rank for d in decisions] == [1, 2]
    assert all(d.decided_by == user and d.model.startswith("hashing") for d in decisions)
    coding = Coding.objects.get(unit=uncoded)
    assert coding.origin == CodingOrigin.SUGGESTION
    assert coding.model.startswith("hashing")
    assert coding.code_group == decisions[1].code_group


@pytest.mark.django_db
def test_a_forged_suggestion_is_refused(bench: Bench) -> None:
    start, end = bench.span("Jeg var sliten")
    unit = actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    url = reverse("workbench:suggestion_decide", args=[bench.analysis.pk, unit.pk])
    response = bench.owner.client("en").post(url, {"token": "not-signed", "accept": "1"})
    assert response.status_code == 404
    assert not Coding.objects.exists()


SLEEP = [
    "Jeg sov dårlig om natten.",
    "Søvnen ble borte i flere uker.",
    "Jeg lå våken og fikk ikke sove.",
    "Om natten sov jeg bare tre timer.",
    "Jeg våknet tidlig og sov ikke igjen.",
    "Søvnen var urolig hver natt.",
    "Jeg tok sovemedisin for å sove.",
    "Natten var lang og søvnløs.",
    # Two on the border with the other group, so that the threshold is not set on luck.
    "Lederen ringte om natten, så jeg sov ikke.",
    "Etter møtet med lederen lå jeg våken.",
]
LEADER = [
    "Lederen min ringte meg hver dag.",
    "Leder og tillitsvalgt møtte meg.",
    "Lederen ville vite når jeg kom tilbake.",
    "Min leder var streng og kald.",
    "Jeg fikk et brev fra lederen.",
    "Lederen snakket med personalavdelingen.",
    "Ny leder kom mens jeg var borte.",
    "Lederen sa at jeg var savnet.",
    "Jeg sov ikke før samtalen med lederen.",
    "Lederen spurte om jeg sov godt om natten.",
]
SLEEPLESS = "Jeg sov dårlig og lå våken om natten."
UNCLEAR = "Været var fint i april."


def _two_groups(bench: Bench) -> tuple[object, object, object]:
    """A transcript with ten units coded in each of two groups, and two left uncoded."""
    interview = new_interview(bench.owner, bench.study, "P02")
    deidentified(interview, [("participant", " ".join([*SLEEP, *LEADER, SLEEPLESS, UNCLEAR]))])
    version = actions.do_add_transcript(bench.owner.user, bench.analysis, interview)
    sleep = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Sleep", description="Sleeping badly"
    )
    leader = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Leader", description="The leader at work"
    )
    text = version.text

    def unit(words: str, group: object = None) -> object:
        start = text.index(words)
        return actions.do_create_unit(
            bench.owner.user, version, start=start, end=start + len(words), code_group=group
        )

    for words in SLEEP:
        unit(words, sleep)
    for words in LEADER:
        unit(words, leader)
    return version, unit(SLEEPLESS), unit(UNCLEAR)


@pytest.mark.django_db
def test_a_confident_suggestion_and_an_unsure_one_with_its_reason_and_advice(
    bench: Bench,
) -> None:
    version, sleepless, unclear = _two_groups(bench)
    client = htmx(bench.owner.client("en"))
    page = _suggested(bench, client, version)
    confident = page[page.index(f'id="suggestion-{sleepless.pk}"') :]
    confident = confident[: confident.index("</ol>")]
    unsure = page[page.index(f'id="suggestion-{unclear.pk}"') :]
    unsure = unsure[: unsure.index("</ol>")]
    # The confident one is offered as before: no "unsure" mark, Sleep first.
    assert 'class="suggestion"' in confident
    assert "nsure" not in confident
    assert confident.index("Sleep ·") < confident.index("Leader ·")
    # The unsure one is marked in words, with the reason, and the ranking still offered.
    assert "suggestion--unsure" in unsure
    assert ">Unsure</span>" in unsure
    assert "Not sure enough: “" in unsure
    assert unsure.count("% sure · <em>unsure</em>") == 2
    # What would help is said once for the page, naming the group.
    assert page.count("What would help the suggestions:") == 1
    assert "more units into “" in page
    assert "to get suggestions there" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ["Ikke sikker nok", "for å få forslag der"]),
        ("zh-hans", ["把握不够", "以便在那里得到建议"]),
    ],
)
def test_the_reasons_and_advice_are_in_the_readers_language(
    bench: Bench, language: str, words: list[str]
) -> None:
    """The library gives its reasons as data; the page words them in Norwegian or Chinese,
    with the code group's name, and no English sentence from the library is left."""
    version, _sleepless, _unclear = _two_groups(bench)
    page = _suggested(bench, htmx(bench.owner.client(language)), version)
    for said in words:
        assert said in page
    assert "“Sleep”" in page or "“Leader”" in page
    assert "not sure enough" not in page
    assert "to get suggestions there" not in page


@pytest.mark.django_db
def test_the_calibrated_threshold_is_stored_with_each_decision(bench: Bench) -> None:
    import re

    version, sleepless, _unclear = _two_groups(bench)
    _ranked, _model, calibrated = actions.suggestions_for(bench.owner.user, version)
    client = htmx(bench.owner.client("en"))
    page = _suggested(bench, client, version)
    block = page[page.index(f'id="suggestion-{sleepless.pk}"') :]
    token = re.findall(r'name="token" value="([^"]+)"', block)[0]
    url = reverse("workbench:suggestion_decide", args=[bench.analysis.pk, sleepless.pk])
    client.post(url, {"token": token, "accept": "1"})
    decision = SuggestionDecision.objects.get()
    used = decision.model_settings
    # The threshold calibrated on these examples, not a fixed 0.5.
    assert used["threshold"] == calibrated["threshold"]
    assert 0.0 < used["threshold"] <= 1.0
    assert used["target_precision"] == 0.8
    assert used["confident"] is True
    assert decision.code_group.name == "Sleep"
    assert Coding.objects.get(unit=sleepless).model_settings == used


@pytest.mark.django_db
def test_the_page_says_how_far_this_projects_suggestions_can_be_trusted(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    version, _sleepless, _unclear = _two_groups(bench)
    _ranked, _model, calibrated = actions.suggestions_for(bench.owner.user, version)
    client = htmx(bench.owner.client("en"))
    page = _suggested(bench, client, version)
    if calibrated["estimated_precision"] is None:
        assert "Too few units are coded yet" in page
    elif calibrated["target_met"]:
        threshold = round(calibrated["threshold"] * 100)
        precision = round(calibrated["estimated_precision"] * 100)
        assert (
            f"suggestions from {threshold} % sure matched your coding {precision} % of the time"
            in page
        )
    real = coding_actions._suggest_raw

    def measured_as(**used: object) -> None:
        def fake(*args: Any) -> Any:
            ranked, model, settings = real(*args)
            return ranked, model, {**settings, **used}

        monkeypatch.setattr(coding_actions, "_suggest_raw", fake)

    measured_as(target_met=False, estimated_precision=0.62)
    page = _suggested(bench, client, version)
    assert "Not yet reliable" in page and "reached 80 % agreement" in page
    assert "about 62 % of those matched" in page
    measured_as(target_met=True, estimated_precision=0.9, threshold=0.61)
    page = _suggested(bench, client, version)
    assert "from 61 % sure matched your coding 90 % of the time (the aim is 80 %)" in page
    measured_as(target_met=False, estimated_precision=None)
    assert "Too few units are coded yet" in _suggested(bench, client, version)
