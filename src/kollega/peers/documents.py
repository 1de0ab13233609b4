"""A settlement for the funder, as CSV and as a Word document: counts and money only."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Mm

from kollega.peers.models import Settlement
from kollega.service import choices

AUTHOR = "Kollega"


def _rows(settlement: Settlement) -> list[tuple[str, str]]:
    return [
        (_("Counsellor"), str(settlement.counsellor)),
        (_("County"), str(dict(choices.Region.choices).get(settlement.county, settlement.county))),
        (_("Period"), f"{settlement.start:%Y-%m-%d} – {settlement.end:%Y-%m-%d}"),  # noqa: RUF001
        (_("Contacts"), str(settlement.contacts)),
        (_("Conversations"), str(settlement.conversations)),
        (_("Rate per conversation (NOK)"), f"{settlement.rate:.2f}"),
        (_("Amount (NOK)"), f"{settlement.amount:.2f}"),
        (_("Approved"), f"{settlement.approved_at:%Y-%m-%d}"),
        (
            _("Approved by"),
            settlement.approved_by.get_full_name() if settlement.approved_by else "",
        ),
    ]


def settlement_csv(settlement: Settlement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Field"), _("Value")])
    writer.writerows(_rows(settlement))
    return out.getvalue()


def settlement_docx(settlement: Settlement) -> bytes:
    document = Document()
    document.core_properties.author = AUTHOR
    document.core_properties.title = _("Settlement %(period)s") % {
        "period": settlement.period_label()
    }
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
    document.add_heading(
        _("Settlement for collegial support, %(period)s") % {"period": settlement.period_label()},
        level=1,
    )
    rows = _rows(settlement)
    table = document.add_table(rows=len(rows), cols=2)
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_paragraph(
        _("The settlement holds counts only: nothing about the colleagues who were helped.")
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
