"""The results of an analysis as tables, and those tables as Markdown, CSV and Word.

The builders read the plain JSON form of a ``kollega.stc`` project (``adapters.project_data``);
they never reach into the library themselves. Every table is plain text cells, so the three
formats carry the same content. CSV cells that a spreadsheet would run as a formula are
neutralised (OWASP's advice: a leading apostrophe).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

# A spreadsheet treats a cell starting with one of these as a formula (or a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Participant counts under this are flagged: a small cell can point to a person.
MIN_CELL = 5
TABLE_KEYS = ("steps", "results", "participants", "coreq")


@dataclass(slots=True)
class Table:
    """One results table: ``rows`` are lists of cells as long as ``header``."""

    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """One kept round of comparing coders, as the report and COREQ state it: ``which`` is
    "first" or "last" of the transcript's rounds (the first one alone when it is the last)."""

    transcript: str
    which: str
    number: int
    compared_on: date
    coders: int
    kappa: float | None
    alpha: float | None
    differences: int
    settled: int
    closed: bool


def figure(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.2f}"


def round_line(r: RoundFigures) -> str:
    """One sentence for a kept round: when, how many coders, kappa and alpha, and how many
    differences were settled."""
    values = {
        "transcript": r.transcript,
        "which": _("first round") if r.which == "first" else _("last round"),
        "number": r.number,
        "date": r.compared_on.isoformat(),
        "coders": r.coders,
        "kappa": figure(r.kappa),
        "alpha": figure(r.alpha),
        "differences": r.differences,
        "settled": r.settled,
    }
    if r.closed:
        return (
            _(
                "%(transcript)s, %(which)s (round %(number)d, %(date)s): %(coders)d coders, "
                "Cohen's kappa %(kappa)s, Krippendorff's alpha %(alpha)s; %(differences)d "
                "differences, %(settled)d settled."
            )
            % values
        )
    return (
        _(
            "%(transcript)s, %(which)s (round %(number)d, %(date)s, still open): %(coders)d "
            "coders, Cohen's kappa %(kappa)s, Krippendorff's alpha %(alpha)s; %(differences)d "
            "differences, %(settled)d settled so far."
        )
        % values
    )


def agreement_section(rounds: Sequence[RoundFigures]) -> Section:
    """The report's section on agreement between coders: each transcript's first and last
    round as computed then (settling never changes a round's figures)."""
    section = Section(_("Agreement between coders"))
    if not rounds:
        section.paragraphs.append(_("No coders compared their coding."))
    section.paragraphs += [round_line(r) for r in rounds]
    return section


@dataclass(slots=True)
class Section:
    """Free text for the report: a heading and paragraphs (analytic texts, the check)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


def steps_table(p: dict[str, Any], *, round_coders: Iterable[str] = ()) -> Table:
    """What each of the four STC steps produced, counted, as for a methods section.

    Units are those in analysis (one agreed unit per settled passage); ``round_coders``
    names the coders of kept rounds, who count among the coders though their own units
    gave way to agreed ones.
    """
    coded = [u for u in p["meaning_units"] if u["code_group_id"] is not None]
    accepted = [a for a in p["assistance"] if a["status"] == "accepted"]

    def count(key: str) -> str:
        return str(len(p[key]))

    rows = [
        [_("Material"), _("participants"), count("participants")],
        [_("Material"), _("transcripts"), count("transcripts")],
        [_("1 Total impression"), _("preliminary themes"), count("themes")],
        [
            _("1 Total impression"),
            _("researchers"),
            str(len({t["researcher"] for t in p["themes"]})),
        ],
        [_("2 Meaning units"), _("meaning units"), count("meaning_units")],
        [_("2 Meaning units"), _("coded meaning units"), str(len(coded))],
        [_("2 Code groups"), _("code groups"), count("code_groups")],
        [
            _("2 Code groups"),
            _("coders"),
            str(len({u["coder"] for u in coded} | set(round_coders))),
        ],
        [_("3 Condensation"), _("subgroups"), count("subgroups")],
        [_("3 Condensation"), _("condensates"), count("condensates")],
        [_("3 Condensation"), _("golden quotes"), count("golden_quotes")],
        [_("4 Synthesis"), _("analytic texts"), count("analytic_texts")],
        [_("4 Synthesis"), _("categories"), count("categories")],
        [_("Assistance"), _("suggestions accepted by a researcher"), str(len(accepted))],
    ]
    # The methods text names every model that helped, with its weights' hash (issue 22).
    models = sorted({str(a["model"]) for a in p["assistance"] if a.get("model")})
    note = (
        _("Suggestions came from %(models)s; a researcher decided on each.")
        % {"models": ", ".join(models)}
        if models
        else ""
    )
    return Table("steps", _("STC steps"), [_("step"), _("what"), _("count")], rows, note)


def results_table(p: dict[str, Any]) -> Table:
    """Category → code group → subgroup, with each subgroup's condensate and golden quotes.

    Code groups in no category come last, under an empty category cell; a code group with
    units but no subgroup yet has a row of its own.
    """
    category_of: dict[str, str] = {}
    for c in p["categories"]:
        for gid in c["code_group_ids"]:
            category_of.setdefault(gid, c["name"])
    order = {c["name"]: i for i, c in enumerate(p["categories"])}
    groups = sorted(
        p["code_groups"],
        key=lambda g: (order.get(category_of.get(g["id"], ""), len(order)), g["name"].lower()),
    )
    owner = {t["id"]: t["participant_id"] for t in p["transcripts"]}
    pseudonym = {x["id"]: x["pseudonym"] for x in p["participants"]}
    used = {u["code_group_id"] for u in p["meaning_units"]} | {
        g for u in p["meaning_units"] for g in u.get("also_code_group_ids", ())
    }
    rows: list[list[str]] = []
    for g in groups:
        category = category_of.get(g["id"], "")
        subgroups = [s for s in p["subgroups"] if s["code_group_id"] == g["id"]]
        if not subgroups and g["id"] in used:
            rows.append([category, g["name"], "", "", "", ""])
        for sg in subgroups:
            condensate = " ".join(
                c["text"] for c in p["condensates"] if c["subgroup_id"] == sg["id"]
            )
            quotes = [q for q in p["golden_quotes"] if q["subgroup_id"] == sg["id"]]
            for q in quotes or [None]:
                who = pseudonym.get(owner.get(q["span"]["transcript_id"]) or "", "") if q else ""
                quote = f"“{q['text']}”" if q else ""
                rows.append([category, g["name"], sg["name"], condensate, quote, who])
    header = [
        _("category"),
        _("code group"),
        _("subgroup"),
        _("condensate"),
        _("golden quote"),
        _("participant"),
    ]
    return Table("results", _("Results"), header, rows)


def participant_table(p: dict[str, Any], *, min_cell: int = MIN_CELL) -> Table:
    """Counts of each participant characteristic; counts under ``min_cell`` carry ``*``."""
    people = p["participants"]
    rows: list[list[str]] = []
    flagged = False
    for name in sorted({k for x in people for k in x["attributes"]}):
        counts = Counter(x["attributes"].get(name) or _("not stated") for x in people)
        for value, n in sorted(counts.items()):
            small = n < min_cell
            flagged |= small
            rows.append([name, value, f"{n}*" if small else str(n)])
    note = ""
    if flagged:
        note = _("* fewer than %(n)d: a small cell that may point to a participant.") % {
            "n": min_cell
        }
    return Table(
        "participants",
        _("Participants (n = %(n)d)") % {"n": len(people)},
        [_("characteristic"), _("value"), _("n")],
        rows,
        note,
    )


def analytic_sections(p: dict[str, Any]) -> list[Section]:
    """Each analytic text under its code group's or category's name, with what it rests on."""
    names = {g["id"]: g["name"] for g in p["code_groups"]}
    names |= {c["id"]: c["name"] for c in p["categories"]}
    condensates = {c["id"]: c["text"] for c in p["condensates"]}
    owner = {t["id"]: t["participant_id"] for t in p["transcripts"]}
    pseudonym = {x["id"]: x["pseudonym"] for x in p["participants"]}
    quotes = {}
    for q in p["golden_quotes"]:
        who = pseudonym.get(owner.get(q["span"]["transcript_id"]) or "", "")
        quotes[q["id"]] = f"“{q['text']}” ({who})" if who else f"“{q['text']}”"
    sections = []
    for a in p["analytic_texts"]:
        section = Section(names.get(a["target_id"], a["target_id"]))
        for para in a["paragraphs"]:
            section.paragraphs.append(para["text"])
            section.quotes += [
                _("Condensate: %(text)s") % {"text": condensates[c]}
                for c in para["condensate_ids"]
                if c in condensates
            ]
            section.quotes += [quotes[q] for q in para["quote_ids"] if q in quotes]
        sections.append(section)
    return sections


def memo_section(p: dict[str, Any]) -> list[Section]:
    """The researchers' memos, oldest first: who wrote each, on what, when, and its text."""
    if not p.get("memos"):
        return []
    pseudonym = {x["id"]: x["pseudonym"] for x in p["participants"]}
    owner = {t["id"]: pseudonym.get(t["participant_id"] or "", t["name"]) for t in p["transcripts"]}
    subject = {g["id"]: _("code group %(name)s") % {"name": g["name"]} for g in p["code_groups"]}
    subject |= {
        t["id"]: _("transcript of %(name)s") % {"name": owner[t["id"]]} for t in p["transcripts"]
    }
    for u in p["meaning_units"]:
        words = u["text"] if len(u["text"]) <= 60 else u["text"][:59] + "…"
        subject[u["id"]] = _("meaning unit “%(words)s” (%(name)s)") % {
            "words": words,
            "name": owner.get(u["span"]["transcript_id"], ""),
        }
    section = Section(_("Memos"))
    for m in sorted(p["memos"], key=lambda m: (m["created"], m["id"])):
        about = subject.get(m["target_id"] or "", _("the analysis"))
        section.paragraphs.append(
            _("%(author)s on %(subject)s, %(date)s:")
            % {
                "author": m["author"] or _("a former researcher"),
                "subject": about,
                "date": m["created"][:10],
            }
        )
        section.paragraphs.append(m["text"])
    return [section]


# --- Writers -------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads æøå), formula cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c) for c in table.header])
    writer.writerows([neutralise(c) for c in row] for row in table.rows)
    if table.note:
        writer.writerow([])
        writer.writerow([neutralise(table.note)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    lines = [f"## {table.title}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in table.header) + " |")
    lines.append("|" + "---|" * len(table.header))
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", table.note.replace("*", "\\*", 1) if table.note[0] == "*" else table.note]
    return "\n".join(lines) + "\n"


def to_markdown(title: str, tables: Sequence[Table], sections: Iterable[Section] = ()) -> bytes:
    parts = [f"# {title}\n"]
    parts += [table_markdown(t) for t in tables]
    for s in sections:
        lines = [f"## {s.heading}", ""]
        for text in s.paragraphs:
            lines += [text, ""]
        lines += [f"> {q}\n" for q in s.quotes]
        parts.append("\n".join(lines))
    return "\n".join(parts).encode("utf-8")


def to_docx(
    title: str, tables: Sequence[Table], sections: Iterable[Section] = (), *, author: str = ""
) -> bytes:
    """A Word document on A4 pages: the title, each table with its note, then the sections.

    ``author`` (the organisation, or empty) replaces python-docx's own name in the document's
    properties.
    """
    # python-docx loads lxml: imported only when a .docx is asked for.
    import docx
    from docx.shared import Mm

    document = docx.Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = author
    properties.title = _docx_safe(title)
    properties.comments = ""
    for page in document.sections:
        page.page_width, page.page_height = Mm(210), Mm(297)
        page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Mm(25)
    # python-docx finds a style by name by scanning every style, for each paragraph: seconds
    # for a long report. The ids are looked up once and set on each paragraph directly.
    style_ids = {name: document.styles[name].style_id for name in ("Title", "Heading 1", "Quote")}

    def paragraph(text: str, style: str | None = None) -> None:
        added = document.add_paragraph(text)
        if style is not None:
            added._p.style = style_ids[style]

    paragraph(title, "Title")
    for t in tables:
        paragraph(t.title, "Heading 1")
        grid = document.add_table(rows=1, cols=len(t.header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, t.header, strict=True):
            cell.text = _docx_safe(text)
        for row in t.rows:
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                cell.text = _docx_safe(text)
        if t.note:
            paragraph(_docx_safe(t.note))
    for s in sections:
        paragraph(_docx_safe(s.heading), "Heading 1")
        for text in s.paragraphs:
            paragraph(_docx_safe(text))
        for q in s.quotes:
            paragraph(_docx_safe(q), "Quote")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_safe(text: str) -> str:
    # XML 1.0 forbids most control characters; Word would refuse the file.
    return "".join(c for c in text if c in "\t\n" or ord(c) >= 32)
