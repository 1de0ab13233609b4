"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (QDA-XML 1.0).

Mapping of a Kollega project onto the standard:

====================  ===========================================================
Kollega               REFI-QDA
====================  ===========================================================
Transcript            TextSource, text in ``sources/<guid>.txt``
Participant           Case (name = pseudonym) with Text variables, SourceRef
CodeGroup             Code (nested by ``parent_id``)
MeaningUnit           PlainTextSelection with one Coding (creatingUser = coder)
GoldenQuote           PlainTextSelection without Coding, named "Golden quote"
Memo, Condensate      Note; a condensate is linked to its units by Links
Category              Set whose MemberCodes are its code groups
coders, authors       Users
====================  ===========================================================

What the standard cannot hold (themes, subgroups, analytic texts, the typology matrix,
assistance records, speaker turns, non-UUID ids) travels in ``kollega/stc.json`` inside
the zip, which other programs ignore. Reading takes the standard part as the truth and
adds the extension when present, so ``read_qdpx(write_qdpx(p)) == p``.

Files from NVivo, ATLAS.ti, MAXQDA and QualCoder are read too: ``sources/`` or
``Sources/``, ``.txt`` or ``.docx`` sources, inline ``PlainTextContent``, cases without
names, selections coded several times. Anything malformed raises `StcFormatError`.

The package: :mod:`.writing` and :mod:`.reading` for projects, :mod:`.codebook` for codebooks,
and :mod:`.common` for what they share (namespaces, limits, identifiers, XML helpers, validation).
"""

from __future__ import annotations

from kollega.stc.io.refi.codebook import read_qdc, validate_qdc, write_qdc
from kollega.stc.io.refi.common import EXTENSION as EXTENSION
from kollega.stc.io.refi.common import GOLDEN_QUOTE_NAME as GOLDEN_QUOTE_NAME
from kollega.stc.io.refi.common import MAX_CODE_DEPTH as MAX_CODE_DEPTH
from kollega.stc.io.refi.common import MAX_MEMBER_BYTES as MAX_MEMBER_BYTES
from kollega.stc.io.refi.common import MAX_TOTAL_BYTES as MAX_TOTAL_BYTES
from kollega.stc.io.refi.common import NS as NS
from kollega.stc.io.refi.common import NS_CODEBOOK as NS_CODEBOOK
from kollega.stc.io.refi.common import codebook_schema_path, project_schema_path, validate_qdpx
from kollega.stc.io.refi.reading import read_qdpx
from kollega.stc.io.refi.writing import write_qdpx

__all__ = [
    "codebook_schema_path",
    "project_schema_path",
    "read_qdc",
    "read_qdpx",
    "validate_qdc",
    "validate_qdpx",
    "write_qdc",
    "write_qdpx",
]
