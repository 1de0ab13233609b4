"""Hostile files: zip members that expand too far, and spreadsheet formulas in reports."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from kollega.stc import CodeGroup, StcFormatError
from kollega.stc.demo import load_demo_project
from kollega.stc.io import read_docx, read_qdpx
from kollega.stc.report import csv_cell, write_report_csv

BIG = 300 * 1024 * 1024  # expands past every limit; a few hundred kB compressed


def _bomb(path: Path, member: str, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        with zf.open(member, "w", force_zip64=True) as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(BIG // len(block)):
                fh.write(block)
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bombs")
    qde = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
    return {
        "qdpx": _bomb(d / "bomb.qdpx", "sources/big.txt", {"project.qde": qde}),
        "docx": _bomb(d / "bomb.docx", "word/document.xml", {"[Content_Types].xml": b"<x/>"}),
    }


@pytest.mark.parametrize(("kind", "reader"), [("qdpx", read_qdpx), ("docx", read_docx)])
def test_a_member_that_expands_too_far_is_refused_in_bounded_memory(bombs, kind, reader):
    tracemalloc.start()
    try:
        with pytest.raises(StcFormatError, match="expands to more than"):
            reader(bombs[kind])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80 * 1024 * 1024  # the limit itself, never the 300 MB


def test_a_member_whose_header_lies_is_stopped_at_the_limit(tmp_path, monkeypatch):
    from kollega.stc.io import _zip

    out = tmp_path / "liar.qdpx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", b"<Project/>" + b" " * 5_000_000)
    with zipfile.ZipFile(out) as zf:
        with pytest.raises(StcFormatError, match="expands to more than 1 MB"):
            _zip.read_member(zf, "project.qde", limit=1024 * 1024)
        monkeypatch.setattr(zf.getinfo("project.qde"), "file_size", 10)  # the header lies
        with pytest.raises(StcFormatError):
            _zip.read_member(zf, "project.qde", limit=1024 * 1024)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            '=HYPERLINK("http://example.invalid","click")',
            '\'=HYPERLINK("http://example.invalid","click")',
        ),
        ("+1+2", "'+1+2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("-3", "-3"),
        ("+12%", "+12%"),
        ("Sleep", "Sleep"),
    ],
)
def test_csv_cells_never_become_formulas(value, shown):
    assert csv_cell(value) == shown


def test_csv_report_neutralises_formulas_from_names(tmp_path):
    p = load_demo_project()
    p.code_groups[0] = CodeGroup(
        id=p.code_groups[0].id, name='=HYPERLINK("http://example.invalid")'
    )
    p.participants[0].pseudonym = "@evil"
    paths = write_report_csv(p, tmp_path)
    cells = [
        c for path in paths for row in csv.reader(io.StringIO(path.read_text("utf-8"))) for c in row
    ]
    assert not any(c.startswith(("=", "@")) for c in cells)
    assert '\'=HYPERLINK("http://example.invalid")' in cells
