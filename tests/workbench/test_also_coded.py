"""A meaning unit sorted into more than one code group, without a duplicate unit (issue 21.4)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.stc.steps.synthesis import recontextualise
from kollega.workbench import actions, adapters
from kollega.workbench.actions import condensation, matrix, search
from kollega.workbench.adapters.project import stc_project
from kollega.workbench.models import AlsoCoded, CodeGroup, Coding, MeaningUnit
from kollega.workbench.results import results_table
from kollega.workbench.snapshot import snapshot, stamp
from tests.cast import Cast
from tests.workbench.conftest import Bench, htmx

WORDS = "Jeg var sliten etter mange vakter."


def _two_groups(bench: Bench) -> MeaningUnit:
    """One unit of the owner's, first in Exhaustion and also in Trust."""
    exhaustion, trust = bench.groups[0], bench.groups[1]
    start, end = bench.span(WORDS)
    unit = actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=exhaustion
    )
    actions.do_also_code(bench.owner.user, unit, trust)
    return unit


def _post(client: Client, bench: Bench, **data: object) -> str:
    url = reverse("workbench:unit_also", args=[bench.analysis.pk])
    return str(htmx(client).post(url, data).content.decode())


@pytest.mark.django_db
def test_the_coding_page_sorts_a_unit_into_a_second_group_and_shows_both(bench: Bench) -> None:
    start, end = bench.span(WORDS)
    unit = actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[0]
    )
    page = _post(bench.owner.client("en"), bench, unit=unit.pk, group=bench.groups[1].pk)
    assert "The unit is also sorted into Trust." in page
    # Both groups count it, its row names both, and the turn's stripes show both.
    assert 'Exhaustion <span class="group__count">(1)</span>' in page
    assert 'Trust <span class="group__count">(1)</span>' in page
    assert "Remove unit 1 from Trust" in page
    stripes = page.split('aria-label="Code groups in this turn"')[1].split("</ul>")[0]
    assert 'title="Exhaustion"' in stripes and 'title="Trust"' in stripes
    # Still one unit, in its first group; the second is a further group.
    assert MeaningUnit.objects.count() == 1
    assert Coding.objects.get(unit=unit).code_group == bench.groups[0]
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]
    event = AuditEvent.objects.filter(action="workbench.unit.also_code").get()
    assert event.details["code_group"] == bench.groups[1].pk


@pytest.mark.django_db
def test_a_further_group_can_be_taken_away_again(bench: Bench) -> None:
    unit = _two_groups(bench)
    page = _post(
        bench.owner.client("en"), bench, unit=unit.pk, group=bench.groups[1].pk, remove="1"
    )
    assert "The unit is no longer also in Trust." in page
    assert 'Trust <span class="group__count">(0)</span>' in page
    assert not AlsoCoded.objects.exists()
    assert Coding.objects.get(unit=unit).code_group == bench.groups[0]
    assert AuditEvent.objects.filter(action="workbench.unit.also_uncode").count() == 1


@pytest.mark.django_db
def test_twice_in_a_group_or_also_in_its_first_is_refused_with_a_message(bench: Bench) -> None:
    unit = _two_groups(bench)
    client = bench.owner.client("en")
    for group in bench.groups[:2]:
        page = _post(client, bench, unit=unit.pk, group=group.pk)
        assert f"The unit is already in {group.name}." in page
    assert AlsoCoded.objects.count() == 1
    page = _post(client, bench, unit=unit.pk, group=bench.groups[2].pk, remove="1")
    assert "The unit is not also in Advice." in page
    page = _post(client, bench, unit=unit.pk, group="")
    assert "Choose the further code group for this unit." in page
    assert AlsoCoded.objects.count() == 1


@pytest.mark.django_db
def test_an_unsorted_unit_or_a_heading_is_refused(bench: Bench) -> None:
    start, end = bench.span(WORDS)
    unit = actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    with pytest.raises(ActionRefused, match="Sort the unit into a code group first"):
        actions.do_also_code(bench.owner.user, unit, bench.groups[1])
    heading = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Body", codable=False
    )
    actions.do_code_unit(bench.owner.user, unit, bench.groups[0])
    with pytest.raises(ActionRefused, match="is a heading"):
        actions.do_also_code(bench.owner.user, unit, heading)
    assert not AlsoCoded.objects.exists()


@pytest.mark.django_db
def test_another_coder_cannot_add_to_or_take_from_my_unit(bench: Bench) -> None:
    unit = _two_groups(bench)
    client = bench.colleague.client("en")
    page = _post(client, bench, unit=unit.pk, group=bench.groups[2].pk)
    assert "Only the coder who marked a unit can sort it." in page
    page = _post(client, bench, unit=unit.pk, group=bench.groups[1].pk, remove="1")
    assert "Only the coder who marked a unit can sort it." in page
    assert list(AlsoCoded.objects.values_list("code_group_id", flat=True)) == [bench.groups[1].pk]


@pytest.mark.django_db
def test_a_unit_in_two_groups_is_read_once_in_each(bench: Bench) -> None:
    unit = _two_groups(bench)
    exhaustion, trust, advice = bench.groups
    # Step 3: each group's page lists the unit once; the index counts it in both.
    for group in (exhaustion, trust):
        assert [u.pk for u in condensation.group_units(group)] == [unit.pk]
        page = (
            bench.owner.client("en")
            .get(reverse("workbench:condensation", args=[bench.analysis.pk, group.pk]))
            .content.decode()
        )
        assert page.count(WORDS) >= 1
    assert condensation.group_units(advice) == []
    # Retrieval: once in each group; under a heading holding both, once under each group.
    for group in (exhaustion, trust):
        assert [p.unit for p in search.retrieve(bench.owner.user, group)] == [unit.pk]
    heading = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Body", codable=False
    )
    CodeGroup.objects.filter(pk__in=[exhaustion.pk, trust.pk]).update(parent=heading)
    heading.refresh_from_db()
    passages = search.retrieve(bench.owner.user, heading)
    assert sorted(p.group for p in passages) == ["Exhaustion", "Trust"]
    # The matrix: 1 in each group's column, and 1 (not 2) in the heading's that holds both.
    built = matrix.build(bench.owner.user, bench.analysis)
    counts = {
        c["group"].name: n for c, n in zip(built.columns, built.rows[0]["counts"], strict=True)
    }
    assert counts == {"Body": 1, "Exhaustion": 1, "Trust": 1, "Advice": 0}
    cell = matrix.cell(bench.owner.user, bench.analysis, bench.participant.pk, trust)
    assert [(row["unit"].pk, row["group"].name) for row in cell] == [(unit.pk, "Trust")]


@pytest.mark.django_db
def test_the_code_book_counts_a_unit_in_each_of_its_groups(bench: Bench) -> None:
    _two_groups(bench)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:codebook", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert page.count("my units: 1") == 2 and page.count("my units: 0") == 1


@pytest.mark.django_db
def test_the_results_stamp_changes_with_a_further_group(bench: Bench) -> None:
    unit = _two_groups(bench)
    before = stamp(bench.analysis)
    actions.do_unalso_code(bench.owner.user, unit, bench.groups[1])
    assert stamp(bench.analysis) != before


@pytest.mark.django_db
def test_results_and_the_check_name_a_group_holding_only_further_units(bench: Bench) -> None:
    _two_groups(bench)
    data = snapshot(bench.analysis).data
    assert data is not None
    assert {row[1] for row in results_table(data).rows} == {"Exhaustion", "Trust"}
    report = recontextualise(stc_project(bench.analysis))
    missing = {p.record_id for p in report.problems if p.kind == "no_condensate"}
    assert missing == {f"g{bench.groups[0].pk}", f"g{bench.groups[1].pk}"}


@pytest.mark.django_db
def test_export_writes_two_codings_of_one_selection_and_import_makes_one_unit(
    bench: Bench, tmp_path: Path
) -> None:
    _two_groups(bench)
    out = tmp_path / "a.qdpx"
    adapters.write_qdpx(bench.analysis, out)
    with zipfile.ZipFile(out) as zf:
        root = SafeET.fromstring(zf.read("project.qde"))
    ns = "{urn:QDA-XML:project:1.0}"
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{ns}Code")}
    selections = [
        s for s in root.iter(f"{ns}PlainTextSelection") if s.get("name") != "Golden quote"
    ]
    assert len(selections) == 1
    coded = [names[c.find(f"{ns}CodeRef").get("targetGUID")] for c in selections[0]]
    assert coded == ["Exhaustion", "Trust"]
    # Read back: one unit, first in Exhaustion and also in Trust.
    data = adapters.read_qdpx(out)
    assert len(data["meaning_units"]) == 1
    back = data["meaning_units"][0]
    groups = {g["id"]: g["name"] for g in data["code_groups"]}
    assert groups[back["code_group_id"]] == "Exhaustion"
    assert [groups[g] for g in back["also_code_group_ids"]] == ["Trust"]
    # Imported as a new analysis: one unit in two groups.
    analysis, made = actions.do_import_qdpx(
        bench.owner.user, bench.study, out, name="Again", deidentified=True
    )
    assert made["units"] == 1
    unit = MeaningUnit.objects.get(transcript__analysis=analysis)
    assert unit.coding.code_group.name == "Exhaustion"
    assert [a.code_group.name for a in unit.also_coded.all()] == ["Trust"]


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Coded elsewhere" origin="OtherQDA">
 <Users><User guid="11111111-1111-4111-8111-111111111111" name="anna"/></Users>
 <CodeBook><Codes>
  <Code guid="22222222-2222-4222-8222-222222222222" name="Work" isCodable="true"/>
  <Code guid="33333333-3333-4333-8333-333333333333" name="Sleep" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="66666666-6666-4666-8666-666666666666" name="Interview D7" plainTextPath="internal://66666666-6666-4666-8666-666666666666.txt">
   <PlainTextSelection guid="77777777-7777-4777-8777-777777777777" startPosition="3" endPosition="33" creatingUser="11111111-1111-4111-8111-111111111111">
    <Coding guid="88888888-8888-4888-8888-888888888888" creatingUser="11111111-1111-4111-8111-111111111111"><CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/></Coding>
    <Coding guid="99999999-9999-4999-8999-999999999999" creatingUser="11111111-1111-4111-8111-111111111111"><CodeRef targetGUID="33333333-3333-4333-8333-333333333333"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>
"""
FOREIGN_TEXT = "D: The night shifts wore me down.\n\nI: Go on.\n\nD: I could not sleep."


@pytest.mark.django_db
def test_a_selection_with_two_codes_from_another_program_is_one_unit(
    bench: Bench, tmp_path: Path
) -> None:
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", FOREIGN)
        zf.writestr("Sources/66666666-6666-4666-8666-666666666666.txt", FOREIGN_TEXT)
    analysis, made = actions.do_import_qdpx(
        bench.owner.user, bench.study, path, name="", deidentified=True
    )
    assert made["units"] == 1
    unit = MeaningUnit.objects.get(transcript__analysis=analysis)
    assert unit.coding.code_group.name == "Work"
    assert [a.code_group.name for a in unit.also_coded.all()] == ["Sleep"]


# --- the code book keeps a unit once per group -------------------------------------------


@pytest.mark.django_db
def test_merging_into_the_units_first_group_drops_the_duplicate_and_undo_restores_it(
    bench: Bench,
) -> None:
    unit = _two_groups(bench)
    exhaustion, trust, advice = bench.groups
    actions.do_merge_groups(bench.owner.user, trust, exhaustion, version=trust.version)
    assert Coding.objects.get(unit=unit).code_group == exhaustion
    assert not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert list(AlsoCoded.objects.values_list("unit_id", "code_group__name")) == [
        (unit.pk, "Trust")
    ]
    # Merging the first group into the further one: the unit is in Trust once.
    trust = CodeGroup.objects.get(name="Trust")
    exhaustion.refresh_from_db()
    actions.do_merge_groups(bench.owner.user, exhaustion, trust, version=exhaustion.version)
    assert Coding.objects.get(unit=unit).code_group == trust
    assert not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert Coding.objects.get(unit=unit).code_group.name == "Exhaustion"
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]
    # Merging the further group into a third one moves the row there.
    trust = CodeGroup.objects.get(name="Trust")
    actions.do_merge_groups(bench.owner.user, trust, advice, version=trust.version)
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Advice"]
    actions.do_undo(bench.owner.user, bench.analysis)
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]


@pytest.mark.django_db
def test_deleting_a_group_removes_its_further_rows_and_undo_restores_them(bench: Bench) -> None:
    unit = _two_groups(bench)
    exhaustion, trust, _advice = bench.groups
    actions.do_delete_group(bench.owner.user, trust, version=trust.version)
    assert not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]
    # Deleting the first group sends the unit back to "to sort" from every group.
    exhaustion.refresh_from_db()
    actions.do_delete_group(bench.owner.user, exhaustion, version=exhaustion.version)
    assert not Coding.objects.filter(unit=unit).exists() and not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert Coding.objects.get(unit=unit).code_group.name == "Exhaustion"
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]


@pytest.mark.django_db
def test_sorting_into_the_further_group_or_out_keeps_one_row_per_group(bench: Bench) -> None:
    unit = _two_groups(bench)
    exhaustion, trust, _advice = bench.groups
    # The further group becomes the first one: it is no longer also a further one.
    actions.do_code_unit(bench.owner.user, unit, trust)
    assert Coding.objects.get(unit=unit).code_group == trust
    assert not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert Coding.objects.get(unit=unit).code_group == exhaustion
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]
    # Taken out of its group, the unit is out of every group; undo puts both back.
    actions.do_uncode_unit(bench.owner.user, unit)
    assert not AlsoCoded.objects.exists()
    actions.do_undo(bench.owner.user, bench.analysis)
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]
    # Deleting the unit and undoing it puts back its further group too.
    actions.do_delete_unit(bench.owner.user, unit)
    actions.do_undo(bench.owner.user, bench.analysis)
    assert list(AlsoCoded.objects.values_list("code_group__name", flat=True)) == ["Trust"]


# --- who may use the new URL ------------------------------------------------------------


def _url(bench: Bench) -> str:
    return reverse("workbench:unit_also", args=[bench.analysis.pk])


@pytest.mark.django_db
def test_a_stranger_is_sent_to_sign_in(bench: Bench, client: Client) -> None:
    unit = _two_groups(bench)
    response = client.post(_url(bench), {"unit": unit.pk, "group": bench.groups[2].pk})
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert AlsoCoded.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator"])
def test_other_roles_get_403(bench: Bench, cast: Cast, role: str) -> None:
    unit = _two_groups(bench)
    client = cast.members()[role].client("en")
    response = client.post(_url(bench), {"unit": unit.pk, "group": bench.groups[2].pk})
    assert response.status_code == 403
    assert AlsoCoded.objects.count() == 1


@pytest.mark.django_db
def test_a_researcher_of_another_study_gets_404(bench: Bench) -> None:
    unit = _two_groups(bench)
    client = bench.stranger.client("en")
    response = client.post(_url(bench), {"unit": unit.pk, "group": bench.groups[2].pk})
    assert response.status_code == 404
    assert AlsoCoded.objects.count() == 1


@pytest.mark.django_db
def test_a_unit_of_another_analysis_is_not_found_and_get_is_refused(bench: Bench) -> None:
    unit = _two_groups(bench)
    other = actions.do_create_analysis(bench.owner.user, bench.study, name="Second")
    client = bench.owner.client("en")
    url = reverse("workbench:unit_also", args=[other.pk])
    assert client.post(url, {"unit": unit.pk, "group": bench.groups[2].pk}).status_code == 404
    assert client.get(_url(bench)).status_code == 405
    assert AlsoCoded.objects.count() == 1


@pytest.mark.django_db
def test_an_agreed_unit_keeps_the_further_groups_and_their_step_3_work(bench: Bench) -> None:
    """Closing a round agrees on the first group; a further group one coder gave the passage,
    and the subgroup that held it there, carry over to the agreed unit."""
    exhaustion, trust, _advice = bench.groups
    start, end = bench.span(WORDS)
    mine = _two_groups(bench)
    actions.do_create_unit(
        bench.colleague.user, bench.version, start=start, end=end, code_group=exhaustion
    )
    subgroup = actions.do_add_subgroup(bench.owner.user, trust, name="Safe", unit_pks=[mine.pk])
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    actions.do_close_round(bench.owner.user, round_)
    (agreed,) = condensation.group_units(trust)
    assert agreed.agreed_in == round_ and agreed.coding.code_group == exhaustion
    assert [u.pk for u in condensation.group_units(exhaustion)] == [agreed.pk]
    assert list(subgroup.units.all()) == [agreed]
    # The agreed unit belongs to both coders: the colleague may take it out of Trust.
    actions.do_unalso_code(bench.colleague.user, agreed, trust)
    assert condensation.group_units(trust) == []
