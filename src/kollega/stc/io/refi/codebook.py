"""``.qdc`` codebooks: writing, reading and validating them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from kollega.stc.errors import StcFormatError
from kollega.stc.io.refi.common import (
    NS_CODEBOOK,
    _child,
    _children,
    _code_tree,
    _gid,
    _guid,
    _load_schema,
    _local,
    _parse_xml,
    _req,
    _xml_safe,
    _xmlschema,
    codebook_schema_path,
)
from kollega.stc.io.refi.reading import _read_codes
from kollega.stc.types import Category, CodeGroup


def _codebook_schema_text(path: str | Path | None = None) -> str:
    # The published Codebook.xsd has typographic hyphens and missing spaces between
    # attributes, so no parser accepts it as it is; repair those two slips only.
    text = Path(path or codebook_schema_path()).read_text(encoding="utf-8")
    text = text.replace("\u2010", "-")
    return re.sub(r'"(?=[A-Za-z]+=)', '" ', text)


def write_qdc(
    code_groups: Sequence[CodeGroup],
    path: str | Path,
    *,
    categories: Sequence[Category] = (),
    origin: str = "Kollega",
) -> None:
    """Write a REFI-QDA codebook (``.qdc``): the code groups as codes, categories as sets."""
    if not code_groups:
        raise ValueError("a codebook needs at least one code group")

    def make(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
        clean = {k: _xml_safe(v) for k, v in attrs.items()}
        return ET.SubElement(parent, f"{{{NS_CODEBOOK}}}{tag}", clean)

    root = ET.Element(f"{{{NS_CODEBOOK}}}CodeBook", {"origin": origin})
    _code_tree(make(root, "Codes"), list(code_groups), make)
    cats = [c for c in categories if c.code_group_ids]
    if cats:
        sets = make(root, "Sets")
        for c in cats:
            s = make(sets, "Set", guid=_guid(c.id), name=c.name)
            if c.description:
                make(s, "Description").text = _xml_safe(c.description)
            for g in c.code_group_ids:
                make(s, "MemberCode", guid=_guid(g))
    ET.register_namespace("", NS_CODEBOOK)
    Path(path).write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def read_qdc(path: str | Path) -> tuple[list[CodeGroup], list[Category]]:
    """Read a ``.qdc`` codebook: (code groups with their hierarchy, sets as categories)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise StcFormatError(f"{p}: cannot read ({exc.strerror})") from exc
    root = _parse_xml(data, p.name)
    if _local(root.tag) != "CodeBook":
        raise StcFormatError(f"{p.name}: root element is <{_local(root.tag)}>, not <CodeBook>")
    codes = _child(root, "Codes")
    if codes is None:
        raise StcFormatError(f"{p.name}: a codebook needs <Codes>")
    groups: list[CodeGroup] = []
    _read_codes(codes, None, groups)
    known = {g.id for g in groups}
    cats: list[Category] = []
    sets = _child(root, "Sets")
    for s in _children(sets, "Set") if sets is not None else []:
        members = [_gid(m) for m in _children(s, "MemberCode")]
        if any(m not in known for m in members):
            raise StcFormatError(f"{p.name}: set {s.get('name')!r} names an unknown code")
        d = _child(s, "Description")
        cats.append(
            Category(
                id=_gid(s),
                name=_req(s, "name"),
                description=(d.text or "") if d is not None else "",
                code_group_ids=members,
            )
        )
    return groups, cats


def validate_qdc(path: str | Path, *, schema: str | Path | None = None) -> None:
    """Validate a ``.qdc`` against ``Codebook.xsd`` (its published slips repaired)."""
    xmlschema = _xmlschema()
    xs = _load_schema(_codebook_schema_text(schema))
    try:
        xs.validate(str(path))
    except xmlschema.XMLSchemaException as exc:
        raise StcFormatError(f"{Path(path).name}: not a valid REFI-QDA codebook: {exc}") from exc
