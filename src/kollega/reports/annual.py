"""The annual report as a Word document: the same tables and plots as the page."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Cm

from kollega.reports.plots import image
from kollega.reports.stats import Period, Table, build, show


def _table(document: object, table: Table) -> None:
    rows = [[table.row_heading, *table.columns]] + [
        [label, *[show(cell) for cell in cells]] for label, cells in table.rows
    ]
    total = table.total()
    if total is not None:
        rows.append([_("Total"), str(total), *[""] * (len(table.columns) - 1)])
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text


def annual_report(period: Period) -> bytes:
    """A .docx with every statistic of `period`: heading, plot, table and note for each."""
    document = Document()
    organisation = settings.KOLLEGA_ORGANISATION
    year = period.calendar_year
    document.add_heading(
        _("%(organisation)s: annual report %(year)s") % {"organisation": organisation, "year": year}
        if year is not None
        else _("%(organisation)s: report %(start)s to %(end)s")
        % {
            "organisation": organisation,
            "start": f"{period.start:%Y-%m}",
            "end": f"{period.end:%Y-%m}",
        },
        level=0,
    )
    document.add_paragraph(
        _("Requests received from %(start)s to %(end)s. Counts under 5 are shown as <5.")
        % {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}
    )
    document.add_paragraph(
        _(
            "Figures are given for a calendar month or a whole year. A count shown as “:” is "
            "withheld so that a count under 5 cannot be worked out from the other figures of "
            "the year; a table with a hidden count shows no total."
        )
    )
    for table in build(period):
        document.add_heading(table.title, level=1)
        if table.kind != "summary":
            document.add_picture(io.BytesIO(image(table, "png")), width=Cm(16))
            document.add_paragraph(table.text_alternative())
        _table(document, table)
        if table.note:
            document.add_paragraph(table.note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
