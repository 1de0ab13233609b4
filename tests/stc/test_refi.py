from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import docx
import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kollega.stc import CodeGroup, Memo, Project, StcFormatError
from kollega.stc.demo import load_demo_project
from kollega.stc.io import (
    codebook_schema_path,
    project_schema_path,
    read_qdc,
    read_qdpx,
    validate_qdc,
    validate_qdpx,
    write_qdc,
    write_qdpx,
)
from kollega.stc.io.refi.common import NS, _guid

from .conftest import shared_schema_dir
from .test_types import projects


def _schema() -> Path:
    """Prefer the shared copy (as published for this project); fall back to ours."""
    shared = shared_schema_dir() / "Project.xsd"
    return shared if shared.exists() else project_schema_path()


def test_export_validates_against_the_refi_project_schema(tmp_path):
    out = tmp_path / "demo.qdpx"
    write_qdpx(load_demo_project(), out)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
        assert any(n.startswith("sources/") and n.endswith(".txt") for n in zf.namelist())
    xmlschema.XMLSchema(str(_schema())).validate(io.BytesIO(qde))
    validate_qdpx(out)  # the shipped copy agrees


def test_shipped_schemas_equal_the_shared_ones():
    shared = shared_schema_dir()
    if not shared.exists():
        pytest.skip("no ../shared/refi-qda beside this checkout")
    assert project_schema_path().read_bytes() == (shared / "Project.xsd").read_bytes()
    assert codebook_schema_path().read_bytes() == (shared / "Codebook.xsd").read_bytes()


def test_round_trip_is_lossless_for_the_demo(tmp_path):
    p = load_demo_project()
    write_qdpx(p, tmp_path / "d.qdpx")
    assert read_qdpx(tmp_path / "d.qdpx") == p


def test_other_programs_see_codes_cases_and_codings(tmp_path):
    p = load_demo_project()
    write_qdpx(p, tmp_path / "d.qdpx")
    with zipfile.ZipFile(tmp_path / "d.qdpx") as zf:
        zf.writestr  # noqa: B018 - keep zf open for reading
        names = [n for n in zf.namelist() if n != "kollega/stc.json"]
        stripped = tmp_path / "plain.qdpx"
        with zipfile.ZipFile(stripped, "w") as out:
            for n in names:
                out.writestr(n, zf.read(n))
    q = read_qdpx(stripped)
    assert {g.name for g in q.code_groups} == {g.name for g in p.code_groups}
    assert sorted(x.pseudonym for x in q.participants) == sorted(
        x.pseudonym for x in p.participants
    )
    assert q.participants[0].attributes == p.participants[0].attributes
    # golden quotes are plain selections to others, so they come back as uncoded units
    assert len([u for u in q.meaning_units if u.code_group_id]) == len(p.meaning_units)
    assert {m.text for m in q.memos} >= {c.text for c in p.condensates}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(p=projects())
def test_random_projects_round_trip_and_validate(tmp_path, p: Project):
    out = tmp_path / "r.qdpx"
    write_qdpx(p, out)
    validate_qdpx(out)
    assert read_qdpx(out) == p


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From elsewhere" origin="QualCoder">
 <Users><User guid="{11111111-1111-1111-1111-111111111111}" name="Kari"/></Users>
 <CodeBook><Codes>
  <Code guid="22222222-2222-2222-2222-222222222222" name="Fear" isCodable="true">
   <Code guid="22222222-2222-2222-2222-222222222223" name="Records" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="33333333-3333-3333-3333-333333333333" name="Specialty" typeOfVariable="Text"/></Variables>
 <Cases><Case guid="44444444-4444-4444-4444-444444444444">
  <VariableValue><VariableRef targetGUID="33333333-3333-3333-3333-333333333333"/><TextValue>GP</TextValue></VariableValue>
  <SourceRef targetGUID="55555555-5555-5555-5555-555555555555"/>
 </Case></Cases>
 <Sources>
  <TextSource guid="55555555-5555-5555-5555-555555555555" name="Interview 1" plainTextPath="internal://55555555-5555-5555-5555-555555555555.txt">
   <PlainTextSelection guid="66666666-6666-6666-6666-666666666666" startPosition="{start}" endPosition="{end}" creatingUser="11111111-1111-1111-1111-111111111111">
    <Coding guid="77777777-7777-7777-7777-777777777777"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
    <Coding guid="77777777-7777-7777-7777-777777777778"><CodeRef targetGUID="{code}"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="88888888-8888-8888-8888-888888888888" name="Interview 2" richTextPath="internal://88888888-8888-8888-8888-888888888888.docx"/>
 </Sources>
</Project>
"""
TEXT = "Interviewer: Why?\nP: I feared a record would follow me."


def _foreign(
    tmp_path: Path,
    *,
    start: int = 21,
    end: int = 54,
    code: str = "22222222-2222-2222-2222-222222222223",
    folder: str = "Sources",
) -> Path:
    d = docx.Document()
    d.add_paragraph("P: Det var godt å bli møtt av en kollega.")
    buf = io.BytesIO()
    d.save(buf)
    out = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "project.qde",
            FOREIGN.replace("{start}", str(start))
            .replace("{end}", str(end))
            .replace("{code}", code),
        )
        zf.writestr(f"{folder}/55555555-5555-5555-5555-555555555555.txt", TEXT)
        zf.writestr(f"{folder}/88888888-8888-8888-8888-888888888888.docx", buf.getvalue())
    return out


def test_reads_projects_from_other_programs(tmp_path):
    p = read_qdpx(_foreign(tmp_path))
    assert p.name == "From elsewhere"
    assert [g.name for g in p.code_groups] == ["Fear", "Records"]
    assert p.code_groups[1].parent_id == p.code_groups[0].id
    assert p.participants[0].pseudonym == "Case 1"  # a case without a name
    assert p.participants[0].attributes == {"Specialty": "GP"}
    units = p.meaning_units
    # One selection with two codes by one coder is one unit in two groups, not two units.
    assert len(units) == 1 and units[0].text == "I feared a record would follow me"
    assert units[0].coder == "Kari"
    assert [units[0].code_group_id, *units[0].also_code_group_ids] == [g.id for g in p.code_groups]
    assert p.transcripts[1].text == "P: Det var godt å bli møtt av en kollega."
    assert p.transcripts[0].participant_id == p.participants[0].id


def test_lowercase_sources_folder_is_read(tmp_path):
    assert len(read_qdpx(_foreign(tmp_path, folder="sources")).transcripts) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": 999}, "lie outside source"),
        ({"code": "99999999-9999-9999-9999-999999999999"}, "unknown code GUID"),
    ],
)
def test_bad_offsets_and_unknown_guids_are_refused(tmp_path, kwargs, message):
    with pytest.raises(StcFormatError, match=message):
        read_qdpx(_foreign(tmp_path, **kwargs))


def _zip_with_qde(tmp_path: Path, qde: str | bytes) -> Path:
    out = tmp_path / "x.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", qde)
    return out


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"""


@pytest.mark.parametrize(
    ("qde", "message"),
    [
        (BOMB, "forbidden XML"),
        (XXE, "forbidden XML"),
        ("<Project", "malformed XML"),
        ('<Other xmlns="urn:QDA-XML:project:1.0"/>', "not <Project>"),
    ],
)
def test_hostile_or_broken_xml_is_refused(tmp_path, qde, message):
    with pytest.raises(StcFormatError, match=message):
        read_qdpx(_zip_with_qde(tmp_path, qde))


def test_not_a_zip_is_refused(tmp_path):
    (tmp_path / "x.qdpx").write_bytes(b"hello")
    with pytest.raises(StcFormatError, match=r"not a \.qdpx"):
        read_qdpx(tmp_path / "x.qdpx")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_escape_as_other_errors(tmp_path, data):
    (tmp_path / "f.qdpx").write_bytes(data)
    (tmp_path / "f.qdc").write_bytes(data)
    for reader, name in ((read_qdpx, "f.qdpx"), (read_qdc, "f.qdc")):
        with pytest.raises(StcFormatError):
            reader(tmp_path / name)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_project_qde_never_escapes_as_other_errors(tmp_path, data):
    with contextlib.suppress(StcFormatError):
        read_qdpx(_zip_with_qde(tmp_path, data))


def test_codebook_round_trip_and_schema(tmp_path):
    p = load_demo_project()
    write_qdc(p.code_groups, tmp_path / "c.qdc", categories=p.categories)
    validate_qdc(tmp_path / "c.qdc")
    groups, cats = read_qdc(tmp_path / "c.qdc")
    assert [(g.name, g.description) for g in groups] == [
        (g.name, g.description) for g in p.code_groups
    ]
    assert [c.name for c in cats] == [c.name for c in p.categories if c.code_group_ids]


def test_each_memo_is_referenced_from_its_subject_and_the_file_stays_valid(tmp_path):
    """A memo on a code group, a source, a selection or the whole project: its subject holds a
    NoteRef to it where Project.xsd allows one, so another program shows it in its place."""
    p = load_demo_project()
    parent = p.code_groups[0]
    parent.description = "Its Description comes first, then NoteRefs, then child Codes"
    p.code_groups.append(CodeGroup(id="g-child", name="A child group", parent_id=parent.id))
    unit, transcript = p.meaning_units[0], p.transcripts[0]
    p.memos = [
        Memo(id="m1", text="On a group with children", author="kari", target_id=parent.id),
        Memo(id="m2", text="On a transcript", author="kari", target_id=transcript.id),
        Memo(id="m3", text="On a unit", author="kari", target_id=unit.id),
        Memo(id="m4", text="On the whole", author="kari"),
    ]
    out = tmp_path / "memos.qdpx"
    write_qdpx(p, out)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
    xmlschema.XMLSchema(str(_schema())).validate(io.BytesIO(qde))
    root = SafeET.fromstring(qde)
    q = f"{{{NS}}}"

    def refs(el: Any) -> list[str]:
        return [r.get("targetGUID") for r in el.findall(f"{q}NoteRef")]

    by_guid = {el.get("guid"): el for el in root.iter() if el.get("guid")}
    assert refs(by_guid[_guid(parent.id)]) == [_guid("m1")]
    assert refs(by_guid[_guid(transcript.id)]) == [_guid("m2")]
    assert refs(by_guid[_guid(unit.id)]) == [_guid("m3")]
    assert refs(root) == [_guid("m4")]
    notes = {n.get("guid") for n in root.iter(f"{q}Note")}
    assert {_guid(f"m{i}") for i in range(1, 5)} <= notes
    # Read back as another program's file (no Kollega extension): each memo finds its subject.
    bare = tmp_path / "bare.qdpx"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bare, "w") as zout:
        for item in zin.infolist():
            if not item.filename.startswith("kollega/"):
                zout.writestr(item, zin.read(item))
    back = {m.text: m.target_id for m in read_qdpx(bare).memos}
    assert back["On a group with children"] == _guid(parent.id)
    assert back["On a transcript"] == _guid(transcript.id)
    assert back["On a unit"] == _guid(unit.id)
    assert back["On the whole"] is None
