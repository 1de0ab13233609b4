"""REFI-QDA exchange: .qdpx export (schema-valid) and import into a new analysis, .qdc both ways."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kollega.research.models import Interview
from kollega.workbench import actions, adapters
from kollega.workbench.models import Analysis, CodeGroup, Condensate, MeaningUnit
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import synthesised


def canonical(analysis: Analysis) -> dict[str, Any]:
    """The analysis with its database ids replaced by what they point at."""
    p = adapters.project_data(analysis)
    who = {x["id"]: x["pseudonym"] for x in p["participants"]}
    text = {t["id"]: (who.get(t["participant_id"]), t["text"]) for t in p["transcripts"]}
    group = {g["id"]: g["name"] for g in p["code_groups"]}

    def span(s: dict[str, Any]) -> tuple[Any, ...]:
        return (text[s["transcript_id"]], s["start"], s["end"])

    unit = {u["id"]: span(u["span"]) for u in p["meaning_units"]}
    sub = {s["id"]: s["name"] for s in p["subgroups"]}
    cond = {c["id"]: c["text"] for c in p["condensates"]}
    quote = {q["id"]: q["text"] for q in p["golden_quotes"]}
    cat = {c["id"]: c["name"] for c in p["categories"]}
    return {
        "transcripts": sorted(text.values()),
        "themes": sorted((t["label"], t["researcher"], t["description"]) for t in p["themes"]),
        "groups": sorted(
            (g["name"], group.get(g["parent_id"] or ""), g["description"]) for g in p["code_groups"]
        ),
        "units": sorted(
            (unit[u["id"]], group.get(u["code_group_id"] or ""), u["coder"])
            for u in p["meaning_units"]
        ),
        "subgroups": sorted(
            (group[s["code_group_id"]], s["name"], sorted(unit[k] for k in s["meaning_unit_ids"]))
            for s in p["subgroups"]
        ),
        "condensates": sorted(
            (sub[c["subgroup_id"]], c["text"], sorted(unit[k] for k in c["meaning_unit_ids"]))
            for c in p["condensates"]
        ),
        "quotes": sorted((sub[q["subgroup_id"]], span(q["span"])) for q in p["golden_quotes"]),
        "texts": sorted(
            (
                group.get(a["target_id"]) or cat.get(a["target_id"]),
                [x["text"] for x in a["paragraphs"]],
                sorted(cond[c] for x in a["paragraphs"] for c in x["condensate_ids"]),
                sorted(quote[q] for x in a["paragraphs"] for q in x["quote_ids"]),
            )
            for a in p["analytic_texts"]
        ),
        "categories": sorted(
            (c["name"], c["description"], sorted(group[g] for g in c["code_group_ids"]))
            for c in p["categories"]
        ),
        "typology": sorted(
            (who[a["participant_id"]], cat[a["category_id"]]) for a in p["category_assignments"]
        ),
    }


def export(bench: Bench, tmp_path: Path) -> Path:
    response = bench.owner.client().get(reverse("workbench:export_qdpx", args=[bench.analysis.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.qdpx"')
    path = tmp_path / "analysis.qdpx"
    path.write_bytes(response.content)
    return path


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def test_the_qdpx_validates_and_re_imports_into_an_equal_analysis(
    bench: Bench, tmp_path: Path
) -> None:
    synthesised(bench)
    path = export(bench, tmp_path)
    adapters.validate_qdpx(path)
    interviews = Interview.objects.count()
    response = bench.owner.client().post(
        reverse("workbench:import_qdpx"),
        {"study": bench.study.pk, "name": "Again", "file": upload(path), "deidentified": "on"},
    )
    assert response.status_code == 302
    again = Analysis.objects.get(name="Again")
    assert canonical(again) == canonical(bench.analysis)
    assert Interview.objects.count() == interviews  # the same transcript, not a copy


def test_an_import_must_be_declared_de_identified(bench: Bench, tmp_path: Path) -> None:
    synthesised(bench)
    path = export(bench, tmp_path)
    response = bench.owner.client().post(
        reverse("workbench:import_qdpx"),
        {"study": bench.study.pk, "file": upload(path)},
    )
    assert response.status_code == 400
    assert Analysis.objects.count() == 1


def test_a_broken_file_is_refused_with_the_reason_and_changes_nothing(
    bench: Bench, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    response = bench.owner.client().post(
        reverse("workbench:import_qdpx"),
        {"study": bench.study.pk, "file": upload(bad), "deidentified": "on"},
    )
    assert response.status_code == 400
    assert "zip" in response.content.decode()
    assert Analysis.objects.count() == 1


def test_only_the_researchers_own_studies_can_receive_an_import(
    bench: Bench, tmp_path: Path
) -> None:
    synthesised(bench)
    path = export(bench, tmp_path)
    response = bench.stranger.client().post(
        reverse("workbench:import_qdpx"),
        {"study": bench.study.pk, "file": upload(path), "deidentified": "on"},
    )
    assert response.status_code == 400
    assert Analysis.objects.count() == 1


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Coded elsewhere" origin="OtherQDA">
 <Users><User guid="{11111111-1111-4111-8111-111111111111}" name="anna"/></Users>
 <CodeBook><Codes>
  <Code guid="22222222-2222-4222-8222-222222222222" name="Work" isCodable="true">
   <Code guid="33333333-3333-4333-8333-333333333333" name="Night shifts" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="44444444-4444-4444-8444-444444444444" name="Gender" typeOfVariable="Text"/></Variables>
 <Cases><Case guid="55555555-5555-4555-8555-555555555555" name="D7">
  <VariableValue><VariableRef targetGUID="44444444-4444-4444-8444-444444444444"/><TextValue>woman</TextValue></VariableValue>
  <SourceRef targetGUID="66666666-6666-4666-8666-666666666666"/>
 </Case></Cases>
 <Sources>
  <TextSource guid="66666666-6666-4666-8666-666666666666" name="Interview D7" plainTextPath="internal://66666666-6666-4666-8666-666666666666.txt">
   <PlainTextSelection guid="77777777-7777-4777-8777-777777777777" startPosition="3" endPosition="33" creatingUser="11111111-1111-4111-8111-111111111111">
    <Coding guid="88888888-8888-4888-8888-888888888888" creatingUser="11111111-1111-4111-8111-111111111111"><CodeRef targetGUID="33333333-3333-4333-8333-333333333333"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Sets><Set guid="99999999-9999-4999-8999-999999999999" name="Strain"><MemberCode targetGUID="22222222-2222-4222-8222-222222222222"/></Set></Sets>
</Project>
"""
FOREIGN_TEXT = "D: The night shifts wore me down.\n\nI: Go on.\n\nD: I could not sleep."


def test_a_project_coded_in_another_program_becomes_a_new_analysis(
    bench: Bench, tmp_path: Path
) -> None:
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", FOREIGN)
        zf.writestr("Sources/66666666-6666-4666-8666-666666666666.txt", FOREIGN_TEXT)
    analysis, made = actions.do_import_qdpx(
        bench.owner.user, bench.study, path, name="", deidentified=True
    )
    assert analysis.name == "Coded elsewhere"
    assert made["participants"] == 1 and made["units"] == 1
    person = bench.study.participants.get(pseudonym="D7")
    version = analysis.transcripts.get()
    assert version.interview.participant == person
    # The labels written in the text became the turns' speakers.
    assert version.text == "The night shifts wore me down.\n\nGo on.\n\nI could not sleep."
    assert version.interview.transcript.deidentified is not None
    unit = MeaningUnit.objects.get(transcript=version)
    assert unit.text == "The night shifts wore me down."
    assert unit.coding.code_group.name == "Night shifts"
    assert unit.coding.code_group.parent.name == "Work"
    assert unit.coder == bench.owner.user  # anna is not on the study
    assert [g.name for g in analysis.categories.get().code_groups.all()] == ["Work"]


def test_the_codebook_goes_out_and_comes_into_another_analysis(
    bench: Bench, tmp_path: Path
) -> None:
    child = actions.do_add_code_group(
        bench.owner.user, bench.analysis, name="Night shifts", parent=bench.groups[0]
    )
    client = bench.owner.client()
    response = client.get(reverse("workbench:export_qdc", args=[bench.analysis.pk]))
    assert response.status_code == 200
    path = tmp_path / "codebook.qdc"
    path.write_bytes(response.content)
    from kollega.stc.io import validate_qdc

    validate_qdc(path)
    other = actions.do_create_analysis(bench.owner.user, bench.study, name="Second")
    response = client.post(
        reverse("workbench:import_qdc", args=[other.pk]),
        {"file": SimpleUploadedFile("codebook.qdc", path.read_bytes())},
    )
    assert response.status_code == 302
    names = sorted((g.name, g.parent.name if g.parent else None) for g in other.code_groups.all())
    assert ("Night shifts", "Exhaustion") in names and len(names) == 4
    assert child.description == "" and CodeGroup.objects.filter(analysis=other).count() == 4
    # Importing again doubles nothing.
    client.post(
        reverse("workbench:import_qdc", args=[other.pk]),
        {"file": SimpleUploadedFile("codebook.qdc", path.read_bytes())},
    )
    assert CodeGroup.objects.filter(analysis=other).count() == 4


def test_a_file_with_two_condensates_for_one_subgroup_imports_them_joined(
    bench: Bench, tmp_path: Path, monkeypatch: Any
) -> None:
    """The file may hold what Kollega keeps one of: a second condensate or analytic text for
    the same subgroup or code group is joined to the first, not refused by the constraint."""
    synthesised(bench)
    path = export(bench, tmp_path)
    read = adapters.read_qdpx

    def doubled(given: Any) -> dict[str, Any]:
        data = read(given)
        first, text = data["condensates"][0], data["analytic_texts"][0]
        data["condensates"].append({**first, "id": "second", "text": "Also this."})
        data["analytic_texts"].append(
            {**text, "paragraphs": [{**text["paragraphs"][0], "text": "And this."}]}
        )
        return data

    monkeypatch.setattr(adapters, "read_qdpx", doubled)
    again, _made = actions.do_import_qdpx(
        bench.owner.user, bench.study, path, name="Again", deidentified=True
    )
    condensates = Condensate.objects.filter(subgroup__code_group__analysis=again)
    assert condensates.count() == len(Condensate.objects.all()) // 2
    assert any(c.text.endswith("\n\nAlso this.") for c in condensates)
    assert any(t.text.endswith("\n\nAnd this.") for t in again.analytic_texts.all())
    assert again.analytic_texts.count() == bench.analysis.analytic_texts.count()
