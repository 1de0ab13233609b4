"""REFI-QDA exchange judged the way QualCoder reads and writes it.

The fixtures are written here in the shape QualCoder's exporter produces (sources and
notes as ``internal://`` files, categories as ``isCodable="false"`` codes, dates on
everything); `qualcoder_read` parses a ``.qdpx`` with QualCoder's expectations: every
note has a ``creationDateTime`` in its format, note text comes from its file, and a
selection's text is the Python slice of the stored source text.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import warnings
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from kollega.stc import CodeGroup, Memo, Project, StcFormatError, Transcript
from kollega.stc.demo import load_demo_project
from kollega.stc.errors import StcImportWarning
from kollega.stc.io import read_qdpx, write_qdpx
from kollega.stc.types import MeaningUnit, Participant, Span

NS = "{urn:QDA-XML:project:1.0}"
QC_DATE = "%Y-%m-%dT%H:%M:%SZ"


def qualcoder_read(path: Path) -> dict[str, object]:
    """What QualCoder's importer would take from ``path``; raises where it would abort."""
    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        root = SafeET.fromstring(zf.read("project.qde"))

        def internal(ref: str) -> str:
            rel = ref.split("internal://", 1)[1]
            return zf.read(names[f"sources/{rel}".lower()]).decode("utf-8")

        codes = {}
        for code in root.iter(f"{NS}Code"):
            codes[code.get("guid")] = (code.get("name"), code.get("isCodable", "true"))
        notes = []
        note_names: set[str] = set()
        for note in root.iter(f"{NS}Note"):
            # QualCoder stores notes by name and aborts its import at a second one.
            assert note.attrib["name"] not in note_names, f"two notes named {note.attrib['name']!r}"
            note_names.add(note.attrib["name"])
            dt.datetime.strptime(note.attrib["creationDateTime"], QC_DATE)  # noqa: DTZ007 - QualCoder parses naive
            notes.append(internal(note.attrib["plainTextPath"]))
        selections = []
        for src in root.iter(f"{NS}TextSource"):
            text = internal(src.attrib["plainTextPath"])
            for sel in src.iter(f"{NS}PlainTextSelection"):
                start, end = int(sel.attrib["startPosition"]), int(sel.attrib["endPosition"])
                for coding in sel.iter(f"{NS}Coding"):
                    ref = coding.find(f"{NS}CodeRef")
                    assert ref is not None
                    selections.append((text[start:end], codes[ref.get("targetGUID")][0]))
    return {
        "codes": codes,
        "notes": notes,
        "note_names": note_names,
        "selections": selections,
    }


# A source as a Mac or Windows program stores it: decomposed accents, CRLF line ends,
# an emoji outside the Basic Multilingual Plane. Offsets count code points of this text.
RAW = "Intervjuer: Hvordan var det?\r\nP1: Jeg var utmattet 😴 etter vakta.\r\nP1: Kollegaen min på posten ringte.\r\n"
RAW = unicodedata.normalize("NFD", RAW)
SRC = "aaaaaaaa-0000-4000-8000-000000000001"
CAT = "aaaaaaaa-0000-4000-8000-000000000002"
CODE_TIRED = "aaaaaaaa-0000-4000-8000-000000000003"
CODE_PEERS = "aaaaaaaa-0000-4000-8000-000000000004"
USER = "aaaaaaaa-0000-4000-8000-000000000005"
NOTE = "aaaaaaaa-0000-4000-8000-000000000006"
CASE = "aaaaaaaa-0000-4000-8000-000000000007"
GONE = "aaaaaaaa-0000-4000-8000-00000000dead"


def _span(raw: str, needle: str) -> tuple[int, int]:
    start = raw.index(unicodedata.normalize("NFD", needle))
    return start, start + len(unicodedata.normalize("NFD", needle))


def _qualcoder_qdpx(tmp_path: Path, *, depth: int = 0, encoding: str = "utf-8") -> Path:
    tired = _span(RAW, "Jeg var utmattet 😴 etter vakta.")
    peers = _span(RAW, "Kollegaen min på posten ringte.")
    nested = (
        "".join(
            f'<Code guid="bbbbbbbb-0000-4000-8000-{i:012d}" name="n{i}" isCodable="true">'
            for i in range(depth)
        )
        + "</Code>" * depth
    )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="qc-study" origin="QualCoder 3.6" creatingUserGUID="{USER}" creationDateTime="2026-11-01T10:00:00Z" modifiedDateTime="2026-11-02T10:00:00Z">
<Users><User guid="{USER}" name="kari"/></Users>
<CodeBook><Codes>
<Code guid="{CAT}" name="Exhaustion" isCodable="false"><Description>category</Description>
<Code guid="{CODE_TIRED}" name="Tired" isCodable="true" color="#F8E0B0"/>
</Code>
<Code guid="{CODE_PEERS}" name="Peers" isCodable="true" color="#B0E0F8"/>{nested}
</Codes></CodeBook>
<Cases><Case guid="{CASE}" name="P1">
<SourceRef targetGUID="{SRC}"/>
<SourceRef targetGUID="{GONE}"/>
</Case></Cases>
<Sources>
<TextSource guid="{SRC}" name="intervju1" plainTextPath="internal://{SRC}.txt" creatingUser="{USER}" creationDateTime="2026-11-01T10:00:00Z">
<PlainTextSelection guid="cccccccc-0000-4000-8000-000000000001" name="{SRC}" startPosition="{tired[0]}" endPosition="{tired[1]}" creatingUser="{USER}" creationDateTime="2026-11-01T10:05:00Z">
<Coding guid="cccccccc-0000-4000-8000-000000000002" creatingUser="{USER}" creationDateTime="2026-11-01T10:05:00Z"><CodeRef targetGUID="{CODE_TIRED}"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="cccccccc-0000-4000-8000-000000000003" name="{SRC}" startPosition="{peers[0]}" endPosition="{peers[1]}" creatingUser="{USER}" creationDateTime="2026-11-01T10:06:00Z">
<Coding guid="cccccccc-0000-4000-8000-000000000004" creatingUser="{USER}" creationDateTime="2026-11-01T10:06:00Z"><CodeRef targetGUID="{CODE_PEERS}"/></Coding>
</PlainTextSelection>
</TextSource>
</Sources>
<Notes>
<Note guid="{NOTE}" name="Journal" creatingUser="{USER}" creationDateTime="2026-11-01T11:00:00Z" plainTextPath="internal://{NOTE}.txt"/>
</Notes>
</Project>
"""
    out = tmp_path / "qualcoder.qdpx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"Sources/{SRC}.txt", RAW.encode(encoding))
        zf.writestr(f"Sources/{NOTE}.txt", "Første inntrykk: søvn går igjen.\r\n")
    return out


def test_qualcoder_offsets_survive_nfd_crlf_and_emoji(tmp_path):
    problems: list[str] = []
    p = read_qdpx(_qualcoder_qdpx(tmp_path), problems=problems)
    units = {u.code_group_id: u.text for u in p.meaning_units}
    assert units[CODE_TIRED] == "Jeg var utmattet 😴 etter vakta."  # not shifted
    assert units[CODE_PEERS] == "Kollegaen min på posten ringte."
    t = p.transcripts[0]
    assert "\r" not in t.text and unicodedata.is_normalized("NFC", t.text)
    for u in p.meaning_units:
        assert t.text[u.span.start : u.span.end] == u.text


def test_a_source_written_with_a_byte_order_mark_is_not_shifted(tmp_path):
    # QualCoder writes sources as UTF-8 with a BOM and counts positions after it.
    p = read_qdpx(_qualcoder_qdpx(tmp_path, encoding="utf-8-sig"), problems=[])
    units = {u.code_group_id: u.text for u in p.meaning_units}
    assert units[CODE_TIRED] == "Jeg var utmattet 😴 etter vakta."
    assert units[CODE_PEERS] == "Kollegaen min på posten ringte."
    assert not p.transcripts[0].text.startswith("\ufeff")


def test_qualcoder_categories_arrive_as_groups_that_cannot_be_coded(tmp_path):
    p = read_qdpx(_qualcoder_qdpx(tmp_path), problems=[])
    groups = {g.id: g for g in p.code_groups}
    assert groups[CAT].codable is False
    assert groups[CODE_TIRED].codable is True and groups[CODE_TIRED].parent_id == CAT


def test_a_case_pointing_at_a_missing_source_is_dropped_with_a_warning(tmp_path):
    path = _qualcoder_qdpx(tmp_path)
    with pytest.warns(StcImportWarning, match="does not hold"):
        p = read_qdpx(path)
    assert p.transcripts[0].participant_id == p.participants[0].id
    problems: list[str] = []
    read_qdpx(path, problems=problems)
    assert len(problems) == 1 and GONE in problems[0]


def test_qualcoder_notes_are_read_from_their_files_with_their_dates(tmp_path):
    p = read_qdpx(_qualcoder_qdpx(tmp_path), problems=[])
    (memo,) = p.memos
    assert memo.text == "Første inntrykk: søvn går igjen.\n"
    assert memo.author == "kari" and memo.created == "2026-11-01T11:00:00Z"


def test_kollega_export_passes_qualcoders_reader(tmp_path):
    p = read_qdpx(_qualcoder_qdpx(tmp_path), problems=[])
    p.memos.append(Memo(id="m-no-date", text="Undated memo", author="kari"))
    out = tmp_path / "kollega.qdpx"
    write_qdpx(p, out)
    seen = qualcoder_read(out)
    assert sorted(seen["notes"]) == ["Første inntrykk: søvn går igjen.\n", "Undated memo"]
    assert sorted(seen["selections"]) == [
        ("Jeg var utmattet 😴 etter vakta.", "Tired"),
        ("Kollegaen min på posten ringte.", "Peers"),
    ]
    assert seen["codes"][CAT] == ("Exhaustion", "false")
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode()
    assert "PlainTextContent" not in qde  # notes travel as files, as QualCoder reads them


def test_every_note_gets_a_unique_name_that_says_what_it_is(tmp_path):
    p = load_demo_project()
    group = p.code_groups[0]
    p.memos += [
        Memo(id="m1", text="First thought", author="kari", target_id=group.id),
        Memo(id="m2", text="Second thought", author="kari", target_id=group.id),
        Memo(id="m3", text="On the whole", author="kari"),
    ]
    out = tmp_path / "notes.qdpx"
    write_qdpx(p, out)
    names = qualcoder_read(out)["note_names"]
    assert len(names) == len(p.memos) + len(p.condensates)
    assert f"Memo by kari on code group {group.name}" in names
    assert f"Memo by kari on code group {group.name} (2)" in names
    assert "Memo by kari on the project" in names
    sg = p.subgroups[0]
    groups = {g.id: g.name for g in p.code_groups}
    assert f"Condensate: {groups[sg.code_group_id]} / {sg.name}" in names


def test_a_read_project_writes_back_the_same_selections(tmp_path):
    """Both directions: QualCoder-shaped in, Kollega out, Kollega in again."""
    first = read_qdpx(_qualcoder_qdpx(tmp_path), problems=[])
    out = tmp_path / "again.qdpx"
    write_qdpx(first, out)
    second = read_qdpx(out)
    assert [(u.span, u.text, u.code_group_id) for u in second.meaning_units] == [
        (u.span, u.text, u.code_group_id) for u in first.meaning_units
    ]


def _strip_extension(src: Path, dst: Path) -> None:
    """The file as another program would hand it back: the standard part only."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if not item.filename.startswith("kollega/"):
                zout.writestr(item, zin.read(item))


def test_round_trip_through_the_standard_keeps_what_docs_promise(tmp_path):
    p = load_demo_project()
    out, back = tmp_path / "k.qdpx", tmp_path / "qc.qdpx"
    write_qdpx(p, out)
    qualcoder_read(out)  # QualCoder would accept it
    _strip_extension(out, back)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = read_qdpx(back)
    # Kept by the standard:
    assert [t.text for t in q.transcripts] == [t.text for t in p.transcripts]
    coded = [u for u in q.meaning_units if u.code_group_id is not None]
    assert sorted((u.span.start, u.span.end, u.text, u.coder) for u in coded) == sorted(
        (u.span.start, u.span.end, u.text, u.coder) for u in p.meaning_units
    )
    names = {g.id: g.name for g in p.code_groups}
    qnames = {g.id: g.name for g in q.code_groups}
    assert sorted(qnames[u.code_group_id or ""] for u in coded) == sorted(
        names[u.code_group_id or ""] for u in p.meaning_units
    )
    assert sorted(pp.pseudonym for pp in q.participants) == sorted(
        pp.pseudonym for pp in p.participants
    )
    assert sorted(c.name for c in q.categories) == sorted(c.name for c in p.categories)
    # Carried only by Kollega's extension (docs/stc.md lists them):
    assert p.themes and not q.themes
    assert p.subgroups and not q.subgroups
    assert p.condensates and not q.condensates
    assert p.golden_quotes and not q.golden_quotes
    # Condensates arrive as notes; golden quotes as uncoded selections.
    assert len(q.memos) == len(p.memos) + len(p.condensates)
    assert len(q.meaning_units) - len(coded) == len(p.golden_quotes)


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_offsets_map_both_ways_for_every_normalisation(tmp_path, form, crlf):
    body = "P: Å være lege 👩‍⚕️ er tøft.\nP: Søvnen forsvant.\n"
    raw = unicodedata.normalize(form, body)
    if crlf:
        raw = raw.replace("\n", "\r\n")
    path = _qualcoder_qdpx(tmp_path)
    # Rewrite the fixture's source and offsets for this text.
    start = raw.index(unicodedata.normalize(form, "Søvnen"))
    end = start + len(unicodedata.normalize(form, "Søvnen forsvant."))
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde").decode()
    doctor = unicodedata.normalize(form, "Å være lege 👩‍⚕️")
    d0 = raw.index(doctor)
    for needle, (a, b) in (
        ("Jeg var utmattet 😴 etter vakta.", (start, end)),
        ("Kollegaen min på posten ringte.", (d0, d0 + len(doctor))),
    ):
        old = _span(RAW, needle)
        qde = qde.replace(
            f'startPosition="{old[0]}" endPosition="{old[1]}"',
            f'startPosition="{a}" endPosition="{b}"',
        )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"Sources/{SRC}.txt", raw.encode("utf-8"))
        zf.writestr(f"Sources/{NOTE}.txt", "note")
    p = read_qdpx(path, problems=[])
    unit = next(u for u in p.meaning_units if u.code_group_id == CODE_TIRED)
    assert unit.text == "Søvnen forsvant."
    other = next(u for u in p.meaning_units if u.code_group_id == CODE_PEERS)
    assert other.text == "Å være lege 👩‍⚕️"
    out = tmp_path / "out.qdpx"
    write_qdpx(p, out)
    assert ("Søvnen forsvant.", "Tired") in qualcoder_read(out)["selections"]


def test_deeply_nested_codes_are_refused_clearly(tmp_path):
    with pytest.raises(StcFormatError, match="nest more than"):
        read_qdpx(_qualcoder_qdpx(tmp_path, depth=5000), problems=[])


def test_deeply_nested_code_groups_are_refused_when_writing(tmp_path):
    groups = [
        CodeGroup(id=f"g{i}", name=f"g{i}", parent_id=f"g{i - 1}" if i else None)
        for i in range(300)
    ]
    p = Project(id="p", name="deep", code_groups=groups)
    with pytest.raises(StcFormatError, match="nest more than"):
        write_qdpx(p, tmp_path / "deep.qdpx")


def test_uncodable_groups_round_trip(tmp_path):
    t = Transcript(id="t", name="t", text="P: I slept badly.")
    p = Project(
        id="p",
        name="p",
        transcripts=[t],
        participants=[Participant(id="pp", pseudonym="P")],
        code_groups=[
            CodeGroup(id="cat", name="Body", codable=False),
            CodeGroup(id="g", name="Sleep", parent_id="cat"),
        ],
        meaning_units=[
            MeaningUnit(
                id="u", span=Span("t", 3, 17), text="I slept badly.", code_group_id="g", coder="a"
            )
        ],
    )
    out = tmp_path / "p.qdpx"
    write_qdpx(p, out)
    assert read_qdpx(out) == p
    assert qualcoder_read(out)["codes"]
