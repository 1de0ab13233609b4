from __future__ import annotations

from kollega.stc.demo import load_demo_project, load_demo_transcripts
from kollega.stc.report import (
    participant_table,
    report_markdown,
    results_table,
    steps_table,
    write_report_docx,
)
from kollega.stc.steps import recontextualise
from kollega.stc.text import words


def test_demo_study_is_big_enough_and_bilingual():
    ts = load_demo_transcripts()
    assert len(ts) >= 6
    assert all(len(words(t.text)) >= 1500 for t in ts)
    assert {t.language for t in ts} == {"en", "nb"}
    assert all(len({turn.speaker for turn in t.turns}) == 2 for t in ts)


def test_demo_project_covers_all_four_steps_and_passes_the_check():
    p = load_demo_project()
    assert p.themes and p.meaning_units and p.subgroups and p.condensates and p.golden_quotes
    assert {a.target_id for a in p.analytic_texts} == {g.id for g in p.code_groups}
    assert recontextualise(p).ok
    assert load_demo_project() == p  # stable ids


def test_participant_table_flags_small_cells():
    p = load_demo_project()
    t = participant_table(p, min_cell=2)
    rows = {(r[0], r[1]): r[2] for r in t.rows}
    assert rows[("gender", "woman")] == "4" and rows[("gender", "man")] == "2"
    assert rows[("specialty", "surgery")] == "1*" and "fewer than 2" in t.note


def test_results_and_steps_tables(tmp_path):
    p = load_demo_project()
    res = results_table(p)
    assert len(res.rows) == len(p.golden_quotes)
    assert any(r[4] == "Doctor B" and "nurses" in r[3] for r in res.rows)
    steps = {r[1]: r[2] for r in steps_table(p).rows}
    assert steps["condensates"] == "10" and steps["coders"] == "2"
    md = report_markdown(p)
    assert "## Analytic texts" in md and "All checks passed." in md
    write_report_docx(p, tmp_path / "r.docx")
    import docx

    doc = docx.Document(str(tmp_path / "r.docx"))
    assert len(doc.tables) == 3
