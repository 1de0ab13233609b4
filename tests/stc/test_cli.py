from __future__ import annotations

import zipfile

import pytest

from kollega.stc.cli import main
from kollega.stc.demo import demo_transcript_paths
from kollega.stc.io import read_qdpx, validate_qdpx
from kollega.stc.types import Project


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(["-q", "--embedder", "hashing", "--cache-dir", str(tmp_path / "cache"), *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def test_demo_study_goes_through_all_four_steps(run, tmp_path):
    files = [str(p) for p in demo_transcript_paths()]
    code, out, _ = run("import", *files, "-o", "p.json", "--name", "Demo")
    assert code == 0 and "6 transcript(s)" in out
    assert run("themes", "p.json", "-n", "3-4", "--save")[0] == 0
    code, out, _ = run("segment", "p.json", "--save")
    assert code == 0
    p = Project.from_json((tmp_path / "p.json").read_text())
    assert len(p.themes) in (3, 4) and len(p.meaning_units) > 50
    assert {a.kind for a in p.assistance} == {"themes", "segment"}
    # a person codes two units; the assistant suggests codes for the rest
    from kollega.stc.types import CodeGroup

    p.code_groups = [CodeGroup(id="g1", name="Fear"), CodeGroup(id="g2", name="Sleep")]
    p.meaning_units[0].code_group_id, p.meaning_units[0].coder = "g1", "anne"
    p.meaning_units[1].code_group_id, p.meaning_units[1].coder = "g2", "anne"
    (tmp_path / "p.json").write_text(p.to_json())
    code, out, _ = run("suggest", "p.json", "codes")
    assert code == 0 and "confidence" in out
    assert "what would help: code about 14 more units in 'Fear'" in out  # one example each
    assert run("suggest", "p.json", "subgroups", "--save")[0] == 0
    code, out, _ = run("suggest", "p.json", "condensates", "--save")
    assert code == 0 and "## Fear" in out
    code, out, _ = run("suggest", "p.json", "quotes")
    assert code == 0 and "“" in out
    code, out, _ = run("check", "p.json")
    assert code == 1 and "no_analytic_text" in out  # no analytic text yet: the check says so
    assert run("report", "p.json", "-o", "r.md")[0] == 0
    assert "## STC steps" in (tmp_path / "r.md").read_text()
    assert run("export", "--qdpx", "p.json", "-o", "p.qdpx", "--validate")[0] == 0
    assert read_qdpx(tmp_path / "p.qdpx").name == "Demo"


def test_demo_project_reports_and_exports(run, tmp_path):
    assert run("import", "--demo", "-o", "d.json")[0] == 0
    code, out, _ = run("check", "d.json")
    assert code == 0 and "All checks passed" in out
    code, out, _ = run("agreement", "d.json")
    assert code == 0 and "Cohen's kappa" in out
    assert run("report", "d.json", "-o", "r.docx")[0] == 0
    assert zipfile.is_zipfile(tmp_path / "r.docx")
    assert run("report", "d.json", "-o", "csv")[0] == 0
    assert (tmp_path / "csv" / "results.csv").read_text().count("\n") == 11
    assert run("export", "--qdc", "d.json", "-o", "d.qdc")[0] == 0
    assert run("export", "d.json", "-o", "d.qdpx")[0] == 0
    validate_qdpx(tmp_path / "d.qdpx")
    # a .qdpx imports back into a project
    assert run("import", "d.qdpx", "-o", "back.json")[0] == 0
    assert Project.from_json((tmp_path / "back.json").read_text()) == Project.from_json(
        (tmp_path / "d.json").read_text()
    )


def test_bad_input_gives_a_clear_error_and_exit_code_2(run, tmp_path):
    (tmp_path / "bad.qdpx").write_bytes(b"not a zip")
    code, _, err = run("import", "bad.qdpx", "-o", "x.json")
    assert code == 2 and "error: bad.qdpx: not a .qdpx" in err
    assert not (tmp_path / "x.json").exists()
    (tmp_path / "p.json").write_text("{")
    code, _, err = run("check", "p.json")
    assert code == 2 and "not valid JSON" in err


def test_module_entry_point_runs(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kollega.stc", "--help"], capture_output=True, text=True, check=True
    )
    assert "segment" in out.stdout and "agreement" in out.stdout


def test_agreement_counts_the_text_and_lists_every_difference(run):
    assert run("import", "--demo", "-o", "d.json")[0] == 0
    code, out, _ = run("agreement", "d.json")
    assert code == 0
    assert "## Over the text (" in out and "characters)" in out
    assert "Cu-alpha" in out and "## Disagreements (" in out
    code, out, _ = run("agreement", "d.json", "--level", "word", "--tolerance", "0")
    assert code == 0 and "words)" in out
    code, _, err = run("agreement", "d.json", "--coders", "researcher 1")
    assert code == 2 and "at least two coders" in err
