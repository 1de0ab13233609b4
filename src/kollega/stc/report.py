"""Reports: STC steps table, results table (categories by code groups with golden quotes),
participant characteristics table (cells under ``min_cell`` flagged). Markdown, CSV, DOCX.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kollega.stc.steps.synthesis import recontextualise
from kollega.stc.types import GoldenQuote, Project

__all__ = [
    "Table",
    "csv_cell",
    "participant_table",
    "report_markdown",
    "results_table",
    "steps_table",
    "write_report_csv",
    "write_report_docx",
]


@dataclass(slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""

    def to_markdown(self) -> str:
        esc = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines = [f"## {self.title}", "", "| " + " | ".join(map(esc, self.header)) + " |"]
        lines.append("|" + "---|" * len(self.header))
        lines += ["| " + " | ".join(map(esc, r)) + " |" for r in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines) + "\n"


def steps_table(project: Project) -> Table:
    """Counts per STC step, as in a methods section."""
    p = project
    coded = [u for u in p.meaning_units if u.code_group_id is not None]
    return Table(
        "STC steps",
        ["step", "what", "count"],
        [
            ["1 Total impression", "preliminary themes", str(len(p.themes))],
            ["1 Total impression", "researchers", str(len({t.researcher for t in p.themes}))],
            ["2 Meaning units", "meaning units (coded)", f"{len(p.meaning_units)} ({len(coded)})"],
            ["2 Code groups", "code groups", str(len(p.code_groups))],
            ["2 Code groups", "coders", str(len({u.coder for u in coded}))],
            ["3 Condensation", "subgroups", str(len(p.subgroups))],
            ["3 Condensation", "condensates", str(len(p.condensates))],
            ["3 Condensation", "golden quotes", str(len(p.golden_quotes))],
            ["4 Synthesis", "analytic texts", str(len(p.analytic_texts))],
            ["4 Synthesis", "categories", str(len(p.categories))],
        ],
        _models_note(p),
    )


def _models_note(project: Project) -> str:
    """The methods sentence naming each model that made a suggestion (with its weights' hash)."""
    models = sorted({a.model for a in project.assistance if a.model})
    if not models:
        return ""
    return f"Suggestions came from {', '.join(models)}; a researcher decided on each."


def results_table(project: Project) -> Table:
    """Rows of category, code group and subgroup with golden quotes and participants' pseudonyms."""
    p = project
    groups = {g.id: g for g in p.code_groups}
    cat_of: dict[str, str] = {}
    for c in p.categories:
        for gid in c.code_group_ids:
            cat_of.setdefault(gid, c.name)
    rows: list[list[str]] = []
    for g in sorted(p.code_groups, key=lambda g: (cat_of.get(g.id, "~"), g.name)):
        for sg in (s for s in p.subgroups if s.code_group_id == g.id):
            quotes: list[GoldenQuote | None] = [
                *(q for q in p.golden_quotes if q.subgroup_id == sg.id)
            ] or [None]
            for q in quotes:
                who = ""
                if q is not None:
                    part = p.participant_of(q.span.transcript_id)
                    who = part.pseudonym if part else ""
                rows.append(
                    [
                        cat_of.get(g.id, ""),
                        groups[g.id].name,
                        sg.name,
                        f"“{q.text}”" if q else "",
                        who,
                    ]
                )
    return Table(
        "Results", ["category", "code group", "subgroup", "golden quote", "participant"], rows
    )


def participant_table(project: Project, *, min_cell: int = 5) -> Table:
    """Counts of each attribute value; cells under ``min_cell`` are flagged with ``*``."""
    rows: list[list[str]] = []
    flagged = False
    names = sorted({k for p in project.participants for k in p.attributes})
    for name in names:
        counts = Counter(p.attributes.get(name, "not stated") for p in project.participants)
        for value, n in sorted(counts.items()):
            small = n < min_cell
            flagged |= small
            rows.append([name, value, f"{n}*" if small else str(n)])
    note = f"\\* fewer than {min_cell}: small cell, may identify a participant." if flagged else ""
    return Table(
        f"Participants (n = {len(project.participants)})",
        ["characteristic", "value", "n"],
        rows,
        note,
    )


def _tables(project: Project) -> list[Table]:
    return [steps_table(project), participant_table(project), results_table(project)]


def report_markdown(project: Project) -> str:
    """The whole report: tables, the analytic texts and the recontextualisation check."""
    out = [f"# {project.name}", ""]
    out += [t.to_markdown() for t in _tables(project)]
    conds = {c.id: c for c in project.condensates}
    quotes = {q.id: q for q in project.golden_quotes}
    names = {g.id: g.name for g in project.code_groups} | {c.id: c.name for c in project.categories}
    if project.analytic_texts:
        out += ["## Analytic texts", ""]
    for a in project.analytic_texts:
        out += [f"### {names.get(a.target_id, a.target_id)}", ""]
        for para in a.paragraphs:
            out += [para.text, ""]
            out += [f"> Condensate: {conds[c].text}" for c in para.condensate_ids]
            out += [f"> “{quotes[q].text}”" for q in para.quote_ids]
            out.append("")
    out.append(recontextualise(project).to_markdown().replace("# ", "## ", 1))
    return "\n".join(out)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def csv_cell(value: object) -> object:
    """A cell value that a spreadsheet will show as text, never run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their
    full-width forms) gets a leading apostrophe, as OWASP advises for CSV injection;
    numbers, and text that is only a number such as ``-3`` or ``+12%``, stay as they are.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER_RE.fullmatch(value):
        return value
    return "'" + value


def write_report_csv(project: Project, directory: str | Path) -> list[Path]:
    """One CSV per table (``steps.csv``, ``participants.csv``, ``results.csv``)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, fname in zip(_tables(project), ("steps", "participants", "results"), strict=True):
        path = d / f"{fname}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([csv_cell(c) for c in table.header])
            w.writerows([csv_cell(c) for c in row] for row in table.rows)
        paths.append(path)
    return paths


def write_report_docx(project: Project, path: str | Path) -> None:
    """The tables as a Word document."""
    # Imported when used: docx is slow to load and only this path needs it.
    import docx

    doc = docx.Document()
    doc.add_heading(project.name, level=0)
    for t in _tables(project):
        doc.add_heading(t.title, level=1)
        table = doc.add_table(rows=1, cols=len(t.header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, t.header, strict=True):
            cell.text = text
        for row in t.rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
        if t.note:
            doc.add_paragraph(t.note.replace("\\*", "*"))
    doc.save(str(path))
