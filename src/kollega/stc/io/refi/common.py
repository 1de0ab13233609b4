"""What reading and writing share: namespaces, limits, identifiers, XML helpers, validation."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kollega.stc.errors import StcFormatError
from kollega.stc.io._zip import read_member
from kollega.stc.types import CodeGroup

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
EXTENSION = "kollega/stc.json"
# What one member, and all members together, may expand to while reading; members are
# decompressed in chunks and counted, so a zip bomb fails in bounded memory.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
# Code books deeper than this are refused (QDA programs nest a handful of levels).
MAX_CODE_DEPTH = 100
_SCHEMAS = Path(__file__).parent.parent / "schemas"
_GUID_RE = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)
_RGB_RE = re.compile(r"#(?:[A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")
_KOLLEGA_NS = uuid.UUID("6f1c1d0e-4b8a-4f43-9a55-8e3c7b0b9d21")
GOLDEN_QUOTE_NAME = "Golden quote"
# Lists whose order the XML does not keep (codes nest, selections group by source).
_ORDERED = ("participants", "transcripts", "code_groups", "meaning_units", "memos", "categories")
# Project fields the standard has no place for; they travel in the extension file.
_STC_ONLY = (
    "themes",
    "subgroups",
    "condensates",
    "golden_quotes",
    "analytic_texts",
    "category_assignments",
    "assistance",
)


def project_schema_path() -> Path:
    """The REFI-QDA ``Project.xsd`` shipped with this package."""
    return _SCHEMAS / "Project.xsd"


def codebook_schema_path() -> Path:
    """The REFI-QDA ``Codebook.xsd`` shipped with this package (as published)."""
    return _SCHEMAS / "Codebook.xsd"


def _guid(record_id: str, kind: str = "") -> str:
    """The record's id when it is a GUID already, else a name-based UUID (version 5)."""
    if not kind and _GUID_RE.fullmatch(record_id):
        return record_id
    # uuid.uuid5 without building UUID objects: the same bytes, a third of the time.
    h = bytearray(hashlib.sha1(_KOLLEGA_NS.bytes + f"{kind}:{record_id}".encode()).digest()[:16])  # noqa: S324 - RFC 4122 name-based ids, not security
    h[6] = (h[6] & 0x0F) | 0x50
    h[8] = (h[8] & 0x3F) | 0x80
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# -- writing -------------------------------------------------------------------------


_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold control characters; they are dropped from names and notes."""
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    clean = {k: _xml_safe(v) for k, v in attrs.items() if v is not None}
    return ET.SubElement(parent, _q(tag), clean)


def _code_tree(parent: ET.Element, groups: list[CodeGroup], make: Any) -> None:
    """Nest the groups' ``Code`` elements under ``parent``, without recursion.

    Raises StcFormatError when groups nest deeper than ``MAX_CODE_DEPTH`` (the XML
    serialiser recurses once per level).
    """
    children: dict[str | None, list[CodeGroup]] = {}
    for g in groups:
        children.setdefault(g.parent_id, []).append(g)
    stack: list[tuple[ET.Element, CodeGroup, int]] = [
        (parent, g, 1) for g in reversed(children.get(None, []))
    ]
    while stack:
        el, g, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise StcFormatError(f"code groups nest more than {MAX_CODE_DEPTH} levels deep")
        attrs = {
            "guid": _guid(g.id),
            "name": g.name,
            "isCodable": "true" if g.codable else "false",
        }
        if g.color and _RGB_RE.fullmatch(g.color):
            attrs["color"] = g.color
        code = make(el, "Code", **attrs)
        if g.description:
            make(code, "Description").text = _xml_safe(g.description)
        stack.extend((code, child, depth + 1) for child in reversed(children.get(g.id, [])))


# -- reading -------------------------------------------------------------------------


def _open_zip(path: str | Path) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise StcFormatError(f"{Path(path).name}: not a .qdpx (zip) file: {exc}") from exc
    total = 0
    for info in zf.infolist():
        total += info.file_size
        limit = MAX_MEMBER_BYTES if info.file_size > MAX_MEMBER_BYTES else MAX_TOTAL_BYTES
        if total > limit or info.file_size > MAX_MEMBER_BYTES:
            zf.close()
            raise StcFormatError(
                f"{Path(path).name}: {info.filename} expands to more than "
                f"{limit // (1024 * 1024)} MB; refusing to read it"
            )
    return zf


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    return read_member(zf, name, limit=MAX_MEMBER_BYTES)


def _parse_xml(data: bytes, name: str) -> ET.Element:
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise StcFormatError(f"{name}: forbidden XML construct ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise StcFormatError(f"{name}: malformed XML: {exc}") from exc
    except (ValueError, UnicodeError) as exc:
        raise StcFormatError(f"{name}: malformed XML: {exc}") from exc
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _req(el: ET.Element, attr: str) -> str:
    value = el.get(attr)
    if value is None:
        raise StcFormatError(f"<{_local(el.tag)}> lacks its required attribute {attr!r}")
    return value


def _gid(el: ET.Element, attr: str = "guid") -> str:
    value = _req(el, attr).strip()
    if not _GUID_RE.fullmatch(value):
        raise StcFormatError(f"<{_local(el.tag)}> has a malformed GUID {value!r}")
    return value.strip("{}").lower()


def _int(el: ET.Element, attr: str) -> int:
    value = _req(el, attr)
    try:
        return int(value)
    except ValueError:
        raise StcFormatError(f"<{_local(el.tag)}> {attr}={value!r} is not an integer") from None


# -- validation -----------------------------------------------------------------------


def _xmlschema() -> Any:
    try:
        # Inside: xmlschema is a test dependency, needed only when asked to validate.
        import xmlschema
    except ImportError as exc:  # pragma: no cover - xmlschema is a test dependency
        raise RuntimeError("schema validation needs the 'xmlschema' package") from exc
    return xmlschema


@functools.lru_cache(maxsize=4)
def _load_schema(source: str) -> Any:
    return _xmlschema().XMLSchema(source)


def validate_qdpx(path: str | Path, *, schema: str | Path | None = None) -> None:
    """Validate ``project.qde`` inside ``path`` against ``Project.xsd``; raise on failure."""
    xmlschema = _xmlschema()
    with _open_zip(path) as zf:
        qde = _member(zf, "project.qde")
    xs = _load_schema(str(schema or project_schema_path()))
    try:
        xs.validate(io.BytesIO(qde))
    except xmlschema.XMLSchemaException as exc:
        raise StcFormatError(f"{Path(path).name}: not valid REFI-QDA: {exc}") from exc
