from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.stc import (
    CodeGroup,
    GoldenQuote,
    MeaningUnit,
    Project,
    Span,
    StcFormatError,
    Subgroup,
    Transcript,
    normalise_text,
)
from kollega.stc.demo import load_demo_project


def test_demo_project_survives_json_round_trip():
    p = load_demo_project()
    assert Project.from_json(p.to_json()) == p


def test_normalise_text_gives_nfc_and_lf():
    assert normalise_text("\ufeffa\r\nb\rc\u0065\u0301") == "a\nb\nc\u00e9"


def _project_with_unit(start: int, end: int) -> dict:
    p = Project(id="p", name="x", transcripts=[Transcript(id="t", name="t", text="hello world")])
    p.code_groups.append(CodeGroup(id="g", name="G"))
    p.meaning_units.append(
        MeaningUnit(id="u", span=Span("t", 0, 5), text="hello", code_group_id="g")
    )
    d = p.to_dict()
    d["meaning_units"][0]["span"] = {"transcript_id": "t", "start": start, "end": end}
    return d


def test_offsets_past_the_text_are_refused():
    with pytest.raises(StcFormatError, match="outside transcript 't'"):
        Project.from_dict(_project_with_unit(3, 99))


def test_unknown_reference_is_named():
    d = _project_with_unit(0, 5)
    d["meaning_units"][0]["code_group_id"] = "nope"
    with pytest.raises(StcFormatError, match="unknown code group 'nope'"):
        Project.from_dict(d)


def test_wrong_field_types_and_unknown_fields_are_refused():
    d = _project_with_unit(0, 5)
    d["meaning_units"][0]["span"]["start"] = "0"
    with pytest.raises(StcFormatError, match="expected int"):
        Project.from_dict(d)
    d = _project_with_unit(0, 5)
    d["colour"] = 1
    with pytest.raises(StcFormatError, match="unknown field"):
        Project.from_dict(d)


def test_unnormalised_text_is_refused():
    p = Project(id="p", name="x", transcripts=[Transcript(id="t", name="t", text="a\r\nb")])
    with pytest.raises(StcFormatError, match="NFC"):
        p.validate()


def test_category_matrix_marks_assignments():
    p = load_demo_project()
    pids, cids, rows = p.category_matrix()
    assert len(rows) == 6 and all(sum(r) == 1 for r in rows)
    assert len(pids) == 6 and len(cids) == len(p.categories)


# -- random valid projects, reused by the REFI-QDA tests ---------------------------------

# Characters XML 1.0 can hold (control characters cannot travel in REFI-QDA names).
texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\ufffe\uffff"
    ),
    min_size=1,
    max_size=60,
).map(normalise_text)


@st.composite
def projects(draw: st.DrawFn) -> Project:
    n_t = draw(st.integers(1, 3))
    transcripts = [Transcript(id=f"t{i}", name=f"T {i}", text=draw(texts)) for i in range(n_t)]
    groups = [CodeGroup(id=f"g{i}", name=draw(texts)) for i in range(draw(st.integers(0, 3)))]
    if len(groups) > 1 and draw(st.booleans()):
        groups[1].parent_id = groups[0].id
    units = []
    for i in range(draw(st.integers(0, 6))):
        t = draw(st.sampled_from(transcripts))
        a = draw(st.integers(0, len(t.text)))
        b = draw(st.integers(a, len(t.text)))
        g = draw(st.sampled_from([None, *[x.id for x in groups]]))
        coder = draw(st.sampled_from(["", "anne", "bjørn"]))
        units.append(
            MeaningUnit(
                id=f"u{i}", span=Span(t.id, a, b), text=t.text[a:b], code_group_id=g, coder=coder
            )
        )
    p = Project(
        id="proj", name="random", transcripts=transcripts, code_groups=groups, meaning_units=units
    )
    coded = [u for u in units if u.code_group_id]
    if coded and draw(st.booleans()):
        u = coded[0]
        p.subgroups.append(
            Subgroup(
                id="s0", code_group_id=u.code_group_id or "", name="s", meaning_unit_ids=[u.id]
            )
        )
        p.golden_quotes.append(GoldenQuote(id="q0", subgroup_id="s0", span=u.span, text=u.text))
    p.validate()
    return p


@settings(max_examples=40, deadline=None)
@given(projects())
def test_random_projects_round_trip_through_json(p: Project):
    assert Project.from_json(json.dumps(p.to_dict())) == p


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200), st.text(max_size=200).map(lambda s: '{"id": "p", "name": ' + s)
    )
)
def test_random_input_to_the_json_reader_gives_a_project_or_stc_format_error(data):
    try:
        p = Project.from_json(data)
    except StcFormatError:
        return
    p.validate()
