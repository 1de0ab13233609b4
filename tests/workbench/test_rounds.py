"""Rounds of comparing coders: each kept as computed, settled into one agreed unit per
passage, shown in the report and COREQ as the first round and the last."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.research import actions as research_actions
from kollega.workbench import actions, snapshot
from kollega.workbench.actions import matrix, search
from kollega.workbench.actions.condensation import group_units
from kollega.workbench.models import (
    AnalysisTranscript,
    CodingRound,
    Condensate,
    MeaningUnit,
    RoundDifference,
    Subgroup,
)
from tests.cast import Cast
from tests.workbench.conftest import Bench
from tests.workbench.test_versions import _edit

TIRED = "Jeg var sliten etter mange vakter."
ASK = "Jeg visste ikke hvem jeg skulle spørre."
SAFE = "En kollega sa at tjenesten var trygg."
ADVICE = "Jeg trengte råd om sykemelding."


def _unit(bench: Bench, member: object, words: str, group: int, *, cut: int | None = None) -> None:
    start, end = bench.span(words)
    actions.do_create_unit(
        member.user,  # type: ignore[attr-defined]
        bench.version,
        start=start,
        end=start + cut if cut else end,
        code_group=bench.groups[group],
    )


def _first_coding(bench: Bench) -> None:
    """Both code TIRED alike; the colleague cuts ASK after two words and misses SAFE."""
    exhaustion, trust = 0, 1
    _unit(bench, bench.owner, TIRED, exhaustion)
    _unit(bench, bench.owner, ASK, trust)
    _unit(bench, bench.owner, SAFE, trust)
    _unit(bench, bench.colleague, TIRED, exhaustion)
    _unit(bench, bench.colleague, ASK, trust, cut=len("Jeg visste"))


def _compare_url(bench: Bench) -> str:
    return reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])


@pytest.mark.django_db
def test_a_round_is_kept_as_it_was_through_settling_closing_and_a_second_round(
    bench: Bench,
) -> None:
    _first_coding(bench)
    owner = bench.owner.client("en")

    # Compare: round 1, with a missed passage and a different boundary counted.
    assert owner.post(_compare_url(bench)).status_code == 302
    first = CodingRound.objects.get()
    assert first.number == 1 and first.is_open
    kinds = {d.kind: d for d in first.differences.all()}
    assert set(kinds) == {"boundaries", "only_some"}
    assert first.figures["kappa"] < 1
    kept = dict(first.figures)
    page = owner.get(_compare_url(bench)).content.decode()
    assert "Round 1, open" in page
    assert "Compared by Sara on" in page
    assert "The coders cut this passage differently" in page
    assert "Only one coder coded this passage" in page
    assert f"{kept['kappa']:.2f}" in page

    # Settle the boundary difference: the owner's boundary, Trust. The figures stay.
    settle = reverse("workbench:settle", args=[bench.analysis.pk, bench.version.pk])
    cut = kinds["boundaries"]
    owner.post(
        settle,
        {"difference": cut.pk, "group": bench.groups[1].pk, "boundary": str(bench.owner.user.pk)},
    )
    first.refresh_from_db()
    assert first.figures == kept
    assert first.is_open  # the missed passage is not settled yet

    # Close: the agreed and the settled passage become one unit each; the missed one stays
    # the owner's unit.
    close = reverse("workbench:round_close", args=[bench.analysis.pk, bench.version.pk])
    assert owner.post(close).status_code == 302
    first.refresh_from_db()
    assert not first.is_open
    live = list(MeaningUnit.objects.in_analysis().filter(transcript=bench.version))
    assert len(live) == 3
    ask_start, ask_end = bench.span(ASK)
    settled = next(u for u in live if u.start == ask_start)
    assert (settled.end, settled.agreed_in, settled.coding.code_group) == (
        ask_end,
        first,
        bench.groups[1],
    )
    safe = next(u for u in live if u.start == bench.span(SAFE)[0])
    assert safe.coder == bench.owner.user and safe.agreed_in is None
    assert MeaningUnit.objects.filter(retired_in=first).count() == 4

    # Code more, compare again: round 2 against the units in analysis; round 1 unchanged.
    _unit(bench, bench.colleague, SAFE, 1)
    _unit(bench, bench.owner, ADVICE, 2)
    _unit(bench, bench.colleague, ADVICE, 2)
    assert owner.post(_compare_url(bench)).status_code == 302
    second = CodingRound.objects.get(number=2)
    assert second.differences.count() == 0
    assert second.figures["kappa"] == pytest.approx(1.0)
    first.refresh_from_db()
    assert first.figures == kept
    page = owner.get(_compare_url(bench)).content.decode()
    assert "Round 2, open" in page
    assert "Earlier rounds" in page
    assert f"<td>{kept['kappa']:.2f}</td>" in page


@pytest.mark.django_db
def test_closing_refuses_while_a_passage_both_coded_is_unsettled(bench: Bench) -> None:
    _first_coding(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    close = reverse("workbench:round_close", args=[bench.analysis.pk, bench.version.pk])
    page = bench.owner.client("en").post(close, follow=True).content.decode()
    assert "Settle every passage that several coders coded first: 1 left." in page
    round_.refresh_from_db()
    assert round_.is_open
    assert not MeaningUnit.objects.filter(retired_in__isnull=False).exists()


@pytest.mark.django_db
def test_step_3_counts_a_passage_both_coded_once_after_settling(bench: Bench) -> None:
    _unit(bench, bench.owner, TIRED, 0)
    _unit(bench, bench.colleague, TIRED, 0)
    group = bench.groups[0]
    subgroup = actions.do_add_subgroup(
        bench.owner.user, group, name="Nights", unit_pks=[u.pk for u in group_units(group)]
    )
    index = reverse("workbench:condensation_index", args=[bench.analysis.pk])
    before = bench.owner.client("en").get(index).content.decode()
    assert "Exhaustion</a></th><td>2</td>" in before
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    actions.do_close_round(bench.owner.user, round_)
    after = bench.owner.client("en").get(index).content.decode()
    assert "Exhaustion</a></th><td>1</td>" in after
    units = group_units(group)
    assert len(units) == 1 and units[0].agreed_in == round_
    assert list(subgroup.units.all()) == units
    # The steps table counts the unit once and both coders, though one agreed unit is left.
    steps = bench.owner.client("en").get(
        reverse("workbench:download", args=[bench.analysis.pk, "steps", "csv"])
    )
    rows = steps.content.decode().splitlines()
    assert "2 Meaning units,meaning units,1" in rows
    assert "2 Code groups,coders,2" in rows


@pytest.mark.django_db
def test_the_report_and_coreq_show_the_first_round_and_the_last(bench: Bench) -> None:
    _first_coding(bench)
    first = actions.do_request_comparison(bench.owner.user, bench.version)
    cut = first.differences.get(kind="boundaries")
    actions.do_settle_difference(
        bench.owner.user, cut, group=bench.groups[1], boundary=str(bench.owner.user.pk)
    )
    actions.do_close_round(bench.owner.user, first)
    _unit(bench, bench.colleague, SAFE, 1)
    second = actions.do_request_comparison(bench.owner.user, bench.version)
    client = bench.owner.client("en")
    report = client.get(
        reverse("workbench:download", args=[bench.analysis.pk, "report", "md"])
    ).content.decode()
    kappa = f"{first.figures['kappa']:.2f}"
    assert "Agreement between coders" in report
    assert (
        f"P01 (First interview), first round (round 1, {first.opened_at.date().isoformat()}): "
        f"2 coders, Cohen's kappa {kappa}" in report
    )
    assert "2 differences, 1 settled." in report
    assert "last round (round 2" in report and "still open" in report
    assert f"Cohen's kappa {second.figures['kappa']:.2f}" in report
    coreq = client.get(
        reverse("workbench:download", args=[bench.analysis.pk, "coreq", "md"])
    ).content.decode()
    assert "2 coders:" in coreq
    assert f"first round (round 1, {first.opened_at.date().isoformat()})" in coreq
    assert "last round (round 2" in coreq


@pytest.mark.django_db
def test_the_cache_stamp_changes_when_a_round_changes(bench: Bench) -> None:
    _first_coding(bench)
    before = snapshot.stamp(bench.analysis)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    opened = snapshot.stamp(bench.analysis)
    assert opened != before
    cut = round_.differences.get(kind="boundaries")
    actions.do_settle_difference(bench.owner.user, cut, group=bench.groups[1], boundary="union")
    settled = snapshot.stamp(bench.analysis)
    assert settled != opened
    actions.do_close_round(bench.owner.user, round_)
    assert snapshot.stamp(bench.analysis) != settled


@pytest.mark.django_db
def test_a_bad_boundary_or_group_is_refused_and_changes_nothing(bench: Bench) -> None:
    _first_coding(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    missed = round_.differences.get(kind="only_some")
    settle = reverse("workbench:settle", args=[bench.analysis.pk, bench.version.pk])
    client = bench.owner.client("en")
    # The colleague did not code the missed passage: theirs is no boundary to choose.
    page = client.post(
        settle,
        {
            "difference": missed.pk,
            "group": bench.groups[1].pk,
            "boundary": str(bench.colleague.user.pk),
        },
        follow=True,
    ).content.decode()
    assert "Choose the boundary of a coder who coded this passage." in page
    page = client.post(
        settle, {"difference": missed.pk, "group": "999999", "boundary": "union"}, follow=True
    ).content.decode()
    assert "Unknown code group." in page
    missed.refresh_from_db()
    assert not missed.settled


def _urls(bench: Bench) -> list[str]:
    a, v = bench.analysis.pk, bench.version.pk
    return [
        reverse("workbench:settle", args=[a, v]),
        reverse("workbench:round_close", args=[a, v]),
    ]


@pytest.mark.django_db
def test_the_new_urls_refuse_strangers_other_roles_other_studies_and_get(
    bench: Bench, cast: Cast, client: Client
) -> None:
    _first_coding(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    d = round_.differences.first()
    assert d is not None
    data = {"difference": d.pk, "group": bench.groups[2].pk, "boundary": "union"}
    for url in _urls(bench):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
        assert bench.stranger.client("en").post(url, data).status_code == 404
        assert cast.members()["counsellor"].client("en").post(url, data).status_code == 403
        assert bench.owner.client("en").get(url).status_code == 405
    assert not RoundDifference.objects.filter(settled_at__isnull=False).exists()
    round_.refresh_from_db()
    assert round_.is_open


@pytest.mark.django_db
def test_withdrawing_the_participant_deletes_their_rounds_and_every_unit(bench: Bench) -> None:
    _first_coding(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    cut = round_.differences.get(kind="boundaries")
    actions.do_settle_difference(bench.owner.user, cut, group=bench.groups[1], boundary="union")
    actions.do_close_round(bench.owner.user, round_)
    assert MeaningUnit.objects.filter(retired_in=round_).exists()
    research_actions.do_withdraw_participant(bench.owner.user, bench.participant)
    assert not CodingRound.objects.exists()
    assert not RoundDifference.objects.exists()
    assert not MeaningUnit.objects.exists()


@pytest.mark.django_db
def test_withdrawal_after_an_edit_carried_the_agreed_units_on_deletes_all_and_flags_citers(
    bench: Bench,
) -> None:
    """The round stays on version 1; its agreed unit moved to version 2 with the edit. The
    versions go one by one: nothing refuses, and the condensate citing it is flagged."""
    _unit(bench, bench.owner, TIRED, 0)
    _unit(bench, bench.colleague, TIRED, 0)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    actions.do_close_round(bench.owner.user, round_)
    _edit(bench, 3, "Jeg ville snakke med noen. Ingen på jobben skulle vite det.")
    agreed = MeaningUnit.objects.in_analysis().get()
    assert agreed.transcript.current and agreed.transcript_id != round_.transcript_id
    subgroup = Subgroup.objects.create(code_group=bench.groups[0], name="Tired")
    subgroup.units.set([agreed])
    citing = Condensate.objects.create(subgroup=subgroup, text="Jeg var sliten.")
    citing.units.set([agreed])
    research_actions.do_withdraw_participant(bench.owner.user, bench.participant)
    assert not CodingRound.objects.exists()
    assert not MeaningUnit.objects.exists()
    assert not AnalysisTranscript.objects.exists()
    citing.refresh_from_db()
    assert citing.sources_withdrawn


@pytest.mark.django_db
def test_an_edit_under_an_open_round_keeps_its_figures_and_refuses_settling_it(
    bench: Bench,
) -> None:
    _first_coding(bench)
    first = actions.do_request_comparison(bench.owner.user, bench.version)
    kept = dict(first.figures)
    _edit(bench, 3, "Jeg ville snakke med noen. Ingen på jobben skulle vite det.")
    new = AnalysisTranscript.objects.get(current=True)
    assert new.pk != bench.version.pk
    first.refresh_from_db()
    assert first.transcript_id == bench.version.pk  # the old version stays, for its offsets
    cut = first.differences.get(kind="boundaries")
    with pytest.raises(ActionRefused, match="edited after this round opened"):
        actions.do_settle_difference(bench.owner.user, cut, group=bench.groups[1], boundary="union")
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:compare", args=[bench.analysis.pk, new.pk]))
        .content.decode()
    )
    assert "Round 1, open" in page
    assert "The transcript was edited after this round opened" in page
    second = actions.do_request_comparison(bench.owner.user, new)
    first.refresh_from_db()
    assert second.number == 2 and not first.is_open and first.figures == kept
    assert not MeaningUnit.objects.filter(retired_in=first).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "nb",
            ["Runde 1, åpen", "Koderne avgrenset dette avsnittet ulikt", "Avslutt denne runden"],
        ),
        ("zh-hans", ["第 1 轮\uff0c进行中", "只有一位编码者编码了这段文字", "结束本轮"]),
    ],
)
def test_the_round_page_is_translated(
    bench: Bench, settings: object, language: str, words: list[str]
) -> None:
    settings.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    _first_coding(bench)
    actions.do_request_comparison(bench.owner.user, bench.version)
    page = bench.owner.client(language).get(_compare_url(bench)).content.decode()
    for expected in words:
        assert expected in page


@pytest.mark.django_db
def test_the_matrix_and_retrieval_show_a_passage_both_coded_once_after_settling(
    bench: Bench,
) -> None:
    """After a round closes, a passage both coded is one agreed unit everywhere the analysis
    is read: the matrix counts it once and retrieval lists it once, for either coder."""
    _unit(bench, bench.owner, TIRED, 0)
    _unit(bench, bench.colleague, TIRED, 0)
    group = bench.groups[0]
    person = bench.version.interview.participant_id
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    # Under comparison both coders' units are shown, one each.
    assert len(search.retrieve(bench.owner.user, group)) == 2
    assert len(matrix.cell(bench.owner.user, bench.analysis, person, group)) == 2
    actions.do_close_round(bench.owner.user, round_)
    for member in (bench.owner, bench.colleague):
        passages = search.retrieve(member.user, group)
        assert [(p.start, p.end) for p in passages] == [bench.span(TIRED)]
        assert len(matrix.cell(member.user, bench.analysis, person, group)) == 1


@pytest.mark.django_db
def test_both_coders_find_the_agreed_unit_on_their_coding_page_and_may_sort_it(
    bench: Bench,
) -> None:
    """The agreed unit is made in the name of whoever closed the round, but it is the coders'
    shared unit: the other coder sees it where their own was, and may sort it again."""
    _unit(bench, bench.owner, TIRED, 0)
    _unit(bench, bench.colleague, TIRED, 0)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    actions.do_close_round(bench.owner.user, round_)
    agreed = MeaningUnit.objects.in_analysis().get(transcript=bench.version)
    coding = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    for member in (bench.owner, bench.colleague):
        page = member.client("en").get(coding).content.decode()
        assert f'data-units="{agreed.pk}"' in page
    actions.do_code_unit(bench.colleague.user, agreed, bench.groups[1])
    agreed.refresh_from_db()
    assert agreed.coding.code_group == bench.groups[1]
    # A coder's own unit stays theirs alone.
    _unit(bench, bench.owner, SAFE, 1)
    own = MeaningUnit.objects.in_analysis().get(transcript=bench.version, agreed_in=None)
    with pytest.raises(ActionRefused):
        actions.do_code_unit(bench.colleague.user, own, bench.groups[0])
