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
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import io
import json
import re
import unicodedata
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kollega.stc.errors import StcFormatError, StcImportWarning
from kollega.stc.io._zip import read_member
from kollega.stc.io.transcripts import decode_text, docx_text
from kollega.stc.text import parse_turns
from kollega.stc.types import (
    AnalyticText,
    Assistance,
    Category,
    CategoryAssignment,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Memo,
    Participant,
    PreliminaryTheme,
    Project,
    Span,
    Subgroup,
    Transcript,
    Turn,
    _from_plain,
    _to_plain,
    new_id,
    normalise_text,
)

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

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
EXTENSION = "kollega/stc.json"
# What one member, and all members together, may expand to while reading; members are
# decompressed in chunks and counted, so a zip bomb fails in bounded memory.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
# Code books deeper than this are refused (QDA programs nest a handful of levels).
MAX_CODE_DEPTH = 100
_SCHEMAS = Path(__file__).parent / "schemas"
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


def write_qdpx(project: Project, path: str | Path, *, origin: str = "Kollega") -> None:
    """Write ``project`` as a REFI-QDA ``.qdpx`` (a zip of ``project.qde`` + sources)."""
    project.validate()
    users: dict[str, str] = {}

    def user(name: str) -> str | None:
        if not name:
            return None
        return users.setdefault(name, _guid(name, "user"))

    root = ET.Element(_q("Project"), {"name": project.name or "Kollega project", "origin": origin})
    for name in sorted(
        {u.coder for u in project.meaning_units} | {m.author for m in project.memos}
    ):
        user(name)
    if users:
        el = _sub(root, "Users")
        for name, g in users.items():
            _sub(el, "User", guid=g, name=name)
    if project.code_groups:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        _code_tree(codes, project.code_groups, _sub)
    var_names = sorted({k for p in project.participants for k in p.attributes})
    if var_names:
        el = _sub(root, "Variables")
        for v in var_names:
            _sub(el, "Variable", guid=_guid(v, "variable"), name=v, typeOfVariable="Text")
    if project.participants:
        el = _sub(root, "Cases")
        for p in project.participants:
            case = _sub(el, "Case", guid=_guid(p.id), name=p.pseudonym)
            for k, v in sorted(p.attributes.items()):
                vv = _sub(case, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=_guid(k, "variable"))
                _sub(vv, "TextValue").text = _xml_safe(v)
            for t in project.transcripts:
                if t.participant_id == p.id:
                    _sub(case, "SourceRef", targetGUID=_guid(t.id))
    files: dict[str, str] = {}
    units_by_t: dict[str, list[MeaningUnit]] = {}
    for u in project.meaning_units:
        units_by_t.setdefault(u.span.transcript_id, []).append(u)
    quotes_by_t: dict[str, list[Any]] = {}
    for q in project.golden_quotes:
        quotes_by_t.setdefault(q.span.transcript_id, []).append(q)
    if project.transcripts:
        el = _sub(root, "Sources")
        for t in project.transcripts:
            g = _guid(t.id)
            files[f"sources/{g}.txt"] = t.text
            src = _sub(el, "TextSource", guid=g, name=t.name, plainTextPath=f"internal://{g}.txt")
            for u in units_by_t.get(t.id, []):
                sel = _sub(
                    src,
                    "PlainTextSelection",
                    guid=_guid(u.id),
                    startPosition=str(u.span.start),
                    endPosition=str(u.span.end),
                    creatingUser=user(u.coder),
                )
                if u.code_group_id is not None:
                    coding = _sub(
                        sel, "Coding", guid=_guid(u.id, "coding"), creatingUser=user(u.coder)
                    )
                    _sub(coding, "CodeRef", targetGUID=_guid(u.code_group_id))
            for q in quotes_by_t.get(t.id, []):
                _sub(
                    src,
                    "PlainTextSelection",
                    guid=_guid(q.id),
                    name=GOLDEN_QUOTE_NAME,
                    startPosition=str(q.span.start),
                    endPosition=str(q.span.end),
                )
    if project.memos or project.condensates:
        # QualCoder reads a note's text only from a file and requires its date, so each
        # note is a sources/<guid>.txt file (the schema allows inline text or a file).
        el = _sub(root, "Notes")
        now = _refi_datetime("")
        label = _note_names(project)
        notes: list[tuple[str, str, str | None, str, str]] = [
            (m.id, label[m.id], user(m.author), m.text, _refi_datetime(m.created) or now)
            for m in project.memos
        ]
        notes += [(c.id, label[c.id], None, c.text, now) for c in project.condensates]
        for rid, name, author, text, created in notes:
            g = _guid(rid)
            files[f"sources/{g}.txt"] = text
            _sub(
                el,
                "Note",
                guid=g,
                name=name,
                creatingUser=author,
                creationDateTime=created,
                plainTextPath=f"internal://{g}.txt",
            )
    links = [(c, uid) for c in project.condensates for uid in c.meaning_unit_ids]
    if links:
        el = _sub(root, "Links")
        for c, uid in links:
            _sub(
                el,
                "Link",
                guid=_guid(f"{c.id}>{uid}", "link"),
                name="condenses",
                direction="OneWay",
                originGUID=_guid(c.id),
                targetGUID=_guid(uid),
            )
    if project.categories:
        el = _sub(root, "Sets")
        for cat in project.categories:
            s = _sub(el, "Set", guid=_guid(cat.id), name=cat.name)
            if cat.description:
                _sub(s, "Description").text = _xml_safe(cat.description)
            for gid in cat.code_group_ids:
                _sub(s, "MemberCode", targetGUID=_guid(gid))
    if project.description:
        _sub(root, "Description").text = _xml_safe(project.description)

    ET.register_namespace("", NS)
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", qde)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
        zf.writestr(EXTENSION, json.dumps(_extension(project), ensure_ascii=False))


def _note_names(project: Project) -> dict[str, str]:
    """A unique name per memo and condensate that says what it is (note id → name).

    QualCoder's importer stops at two notes of one name. A memo is named by its author
    and subject, a condensate by its code group and subgroup; names still equal get
    " (2)", " (3)" and so on.
    """
    subgroups = {sg.id: sg for sg in project.subgroups}
    names: dict[str, str] = {}
    for kind, records in (
        ("code group", project.code_groups),
        ("category", project.categories),
        ("subgroup", project.subgroups),
    ):
        for r in records:
            names[r.id] = f"{kind} {r.name}"
    names.update({t.id: f"transcript {t.name}" for t in project.transcripts})
    names.update({p.id: f"participant {p.pseudonym}" for p in project.participants})
    names.update({th.id: f"theme {th.label}" for th in project.themes})
    groups = {g.id: g.name for g in project.code_groups}
    wanted: list[tuple[str, str]] = []
    for m in project.memos:
        about = names.get(m.target_id or "", m.target_id or "the project")
        wanted.append((m.id, f"Memo by {m.author or 'unknown'} on {about}"))
    for c in project.condensates:
        sg = subgroups.get(c.subgroup_id)
        where = f"{groups.get(sg.code_group_id, '?')} / {sg.name}" if sg else c.subgroup_id
        wanted.append((c.id, f"Condensate: {where}"))
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    taken = {name for _, name in wanted}
    for rid, name in wanted:
        seen[name] = seen.get(name, 0) + 1
        unique = name
        if seen[name] > 1:
            n = seen[name]
            while (unique := f"{name} ({n})") in taken:
                n += 1
            taken.add(unique)
        out[rid] = unique
    return out


def _refi_datetime(value: str) -> str:
    """``value`` (ISO 8601) as REFI-QDA's UTC ``YYYY-MM-DDTHH:MM:SSZ``; "" means now.

    A value that is not a date gives "" so that the caller can choose a fallback.
    """
    if not value:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset_map(raw: str, where: str) -> tuple[str, Callable[[int, int], tuple[int, int]]]:
    """The normalised text (`normalise_text`) and a map of offsets in ``raw`` onto it.

    ``raw`` holds no byte-order mark: offsets count the characters after it.

    The text is cut into pieces that normalise on their own: a starter with the
    combining marks after it, a CR LF pair, a lone CR. An offset at a piece's edge maps
    exactly; one inside a piece (between a letter and its accent) widens the span to the
    whole piece. Raises StcFormatError if the pieces do not rebuild the normalised text.
    """
    text = normalise_text(raw)
    if text == raw:
        return text, lambda a, b: (a, b)
    raw_edges, text_edges, pieces = [0], [0], []
    i, pos, n = 0, 0, len(raw)
    while i < n:
        if raw[i] == "\r":
            j = i + 2 if raw.startswith("\r\n", i) else i + 1
            piece = "\n"
        else:
            j = i + 1
            while j < n and raw[j] != "\r" and _joins_previous(raw[j]):
                j += 1
            piece = unicodedata.normalize("NFC", raw[i:j])
        pieces.append(piece)
        pos += len(piece)
        i = j
        raw_edges.append(i)
        text_edges.append(pos)
    if "".join(pieces) != text:
        raise StcFormatError(f"{where}: cannot map offsets through Unicode normalisation")

    def to_text(start: int, end: int) -> tuple[int, int]:
        a = bisect.bisect_right(raw_edges, start) - 1
        b = bisect.bisect_left(raw_edges, end)
        return text_edges[a], text_edges[min(b, len(text_edges) - 1)]

    return text, to_text


def _joins_previous(ch: str) -> bool:
    """A combining mark, or a Hangul vowel or final consonant that composes with a syllable."""
    return unicodedata.combining(ch) != 0 or "\u1160" <= ch <= "\u11ff"


def _extension(project: Project) -> dict[str, Any]:
    ids: dict[str, str] = {}
    for kind in (*_ORDERED, "golden_quotes", "condensates"):
        for rec in getattr(project, kind):
            g = _guid(rec.id)
            if g != rec.id:
                ids[g] = rec.id
    # Built field by field: dumping the whole project would copy every text once more.
    return {
        "version": 1,
        "project_id": project.id,
        "ids": ids,
        "transcripts": {
            t.id: {
                "participant_id": t.participant_id,
                "language": t.language,
                "turns": _to_plain(t.turns),
            }
            for t in project.transcripts
        },
        "code_groups": {
            g.id: {"theme_id": g.theme_id, "color": g.color} for g in project.code_groups
        },
        "units": {
            u.id: {"assistance_id": u.assistance_id}
            for u in project.meaning_units
            if u.assistance_id is not None
        },
        "memos": {m.id: {"target_id": m.target_id, "created": m.created} for m in project.memos},
        "order": {k: [r.id for r in getattr(project, k)] for k in _ORDERED},
        **{k: _to_plain(getattr(project, k)) for k in _STC_ONLY},
    }


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


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf = zf
        self.name = name
        self.members = {n.lower(): n for n in zf.namelist()}

    def internal(self, path: str) -> tuple[str, bytes]:
        rel = path.split("internal://", 1)[1] if path.startswith("internal://") else path
        for candidate in (f"sources/{rel}", rel):
            real = self.members.get(candidate.lower())
            if real is not None:
                return real, _member(self.zf, real)
        raise StcFormatError(f"{self.name}: source file {path!r} is missing from the archive")

    def source_text(self, src: ET.Element) -> str:
        content = _child(src, "PlainTextContent")
        if content is not None:
            return content.text or ""
        plain = src.get("plainTextPath")
        if plain:
            real, data = self.internal(plain)
            if real.lower().endswith(".docx"):
                return docx_text(data, real)
            return decode_text(data, real)
        rich = src.get("richTextPath")
        if rich:
            real, data = self.internal(rich)
            if real.lower().endswith(".docx"):
                return docx_text(data, real)
            return decode_text(data, real)
        raise StcFormatError(f"{self.name}: text source {src.get('guid')} has no text")


def read_qdpx(path: str | Path, *, problems: list[str] | None = None) -> Project:
    """Read a ``.qdpx`` from Kollega or another QDA program; see the module docstring.

    What cannot be read raises `StcFormatError`. What is read with a loss (a case's
    reference to a source the file does not hold) is dropped and reported: appended to
    ``problems`` when given, else issued as a `StcImportWarning`.
    """
    name = Path(path).name

    def warn(message: str) -> None:
        if problems is not None:
            problems.append(message)
        else:
            warnings.warn(message, StcImportWarning, stacklevel=3)

    with _open_zip(path) as zf:
        reader = _Reader(zf, name)
        qde = next((n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise StcFormatError(f"{name}: no project.qde inside the archive")
        root = _parse_xml(_member(zf, qde), qde)
        if _local(root.tag) != "Project":
            raise StcFormatError(f"{name}: root element is <{_local(root.tag)}>, not <Project>")
        ext: dict[str, Any] | None = None
        real_ext = reader.members.get(EXTENSION)
        if real_ext is not None:
            try:
                ext = json.loads(_member(zf, real_ext))
            except ValueError as exc:
                raise StcFormatError(f"{name}: {EXTENSION} is not valid JSON") from exc
            if not isinstance(ext, dict) or ext.get("version") != 1:
                raise StcFormatError(f"{name}: unsupported {EXTENSION}")
        project = _read_project(root, reader, name, warn)
    if ext is not None:
        _apply_extension(project, ext, name)
    project.validate()
    return project


def _read_codes(parent: ET.Element, parent_id: str | None, out: list[CodeGroup]) -> None:
    """The code tree under ``parent`` in document order, without recursion.

    Raises StcFormatError when codes nest deeper than ``MAX_CODE_DEPTH``.
    """
    stack: list[tuple[ET.Element, str | None, int]] = [
        (c, parent_id, 1) for c in reversed(_children(parent, "Code"))
    ]
    while stack:
        code, pid, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise StcFormatError(
                f"codes nest more than {MAX_CODE_DEPTH} levels deep; "
                "no code book needs that many (is the file damaged?)"
            )
        desc = _child(code, "Description")
        g = CodeGroup(
            id=_gid(code),
            name=_req(code, "name"),
            description=(desc.text or "") if desc is not None else "",
            parent_id=pid,
            color=code.get("color"),
            codable=code.get("isCodable", "true").strip().lower() != "false",
        )
        out.append(g)
        stack.extend((c, g.id, depth + 1) for c in reversed(_children(code, "Code")))


def _read_project(
    root: ET.Element, reader: _Reader, name: str, warn: Callable[[str], None]
) -> Project:
    users: dict[str, str] = {}
    el = _child(root, "Users")
    for u in _children(el, "User") if el is not None else []:
        users[_gid(u)] = u.get("name") or u.get("id") or ""

    def user_name(e: ET.Element, attr: str) -> str:
        g = e.get(attr)
        if g is None:
            return ""
        gid = g.strip("{}").lower()
        if gid not in users:
            raise StcFormatError(f"{name}: unknown user GUID {g!r}")
        return users[gid]

    desc_el = _child(root, "Description")
    project = Project(
        id=new_id(),
        name=_req(root, "name"),
        description=(desc_el.text or "") if desc_el is not None else "",
    )
    book = _child(root, "CodeBook")
    if book is not None:
        codes = _child(book, "Codes")
        if codes is not None:
            _read_codes(codes, None, project.code_groups)
    code_ids = {g.id for g in project.code_groups}
    variables: dict[str, str] = {}
    el = _child(root, "Variables")
    for v in _children(el, "Variable") if el is not None else []:
        variables[_gid(v)] = _req(v, "name")
    owner: dict[str, str] = {}
    el = _child(root, "Cases")
    for i, case in enumerate(_children(el, "Case") if el is not None else [], start=1):
        p = Participant(id=_gid(case), pseudonym=case.get("name") or f"Case {i}")
        for vv in _children(case, "VariableValue"):
            ref = _child(vv, "VariableRef")
            if ref is None:
                raise StcFormatError(f"{name}: a VariableValue lacks its VariableRef")
            vid = _gid(ref, "targetGUID")
            if vid not in variables:
                raise StcFormatError(f"{name}: case {p.pseudonym!r} names unknown variable {vid}")
            value = next((c.text or "" for c in vv if _local(c.tag) != "VariableRef"), "")
            p.attributes[variables[vid]] = value
        for ref in _children(case, "SourceRef"):
            owner[_gid(ref, "targetGUID")] = p.id
        project.participants.append(p)

    el = _child(root, "Sources")
    for src in el if el is not None else []:
        if _local(src.tag) != "TextSource":
            continue  # pictures, PDFs, audio and video have no text to condense
        tid = _gid(src)
        # Positions count the characters of the text, not a byte-order mark before it
        # (QualCoder writes its sources as UTF-8 with one).
        raw = reader.source_text(src).removeprefix("\ufeff")
        text, to_text = _offset_map(raw, f"{name}: source {src.get('name') or tid!r}")
        t = Transcript(
            id=tid,
            name=src.get("name") or tid,
            text=text,
            participant_id=owner.get(tid),
            turns=parse_turns(text),
        )
        project.transcripts.append(t)
        for sel in _children(src, "PlainTextSelection"):
            sid = _gid(sel)
            start, end = _int(sel, "startPosition"), _int(sel, "endPosition")
            if not 0 <= start <= end <= len(raw):
                raise StcFormatError(
                    f"{name}: selection {sid} offsets {start}..{end} lie outside source "
                    f"{t.name!r} (length {len(raw)})"
                )
            # Offsets count code points of the text as stored; ours is NFC with \n.
            start, end = to_text(start, end)
            span = Span(tid, start, end)
            codings: list[ET.Element | None] = [*_children(sel, "Coding")] or [None]
            for n, coding in enumerate(codings):
                group: str | None = None
                coder = user_name(sel, "creatingUser")
                if coding is not None:
                    ref = _child(coding, "CodeRef")
                    if ref is None:
                        raise StcFormatError(f"{name}: a Coding lacks its CodeRef")
                    group = _gid(ref, "targetGUID")
                    if group not in code_ids:
                        raise StcFormatError(f"{name}: coding refers to unknown code GUID {group}")
                    coder = user_name(coding, "creatingUser") or coder
                uid = sid if n == 0 else _gid(coding, "guid") if coding is not None else new_id()
                project.meaning_units.append(
                    MeaningUnit(
                        id=uid, span=span, text=text[start:end], code_group_id=group, coder=coder
                    )
                )
        for coding in _children(src, "Coding"):
            # A whole-source coding becomes a unit spanning the source.
            ref = _child(coding, "CodeRef")
            group = _gid(ref, "targetGUID") if ref is not None else None
            if group is None or group not in code_ids:
                raise StcFormatError(f"{name}: source coding refers to an unknown code")
            project.meaning_units.append(
                MeaningUnit(
                    id=_gid(coding),
                    span=Span(tid, 0, len(text)),
                    text=text,
                    code_group_id=group,
                    coder=user_name(coding, "creatingUser"),
                )
            )
    known = {t.id for t in project.transcripts}
    for sid, pid in owner.items():
        if sid not in known:
            # QualCoder leaves these behind when a source is deleted; the case stays.
            pseudonym = next(p.pseudonym for p in project.participants if p.id == pid)
            warn(
                f"{name}: case {pseudonym!r} refers to source {sid}, which the file does not hold; that reference was dropped"
            )

    el = _child(root, "Notes")
    for note in _children(el, "Note") if el is not None else []:
        content = _child(note, "PlainTextContent")
        text = content.text or "" if content is not None else reader.source_text(note)
        project.memos.append(
            Memo(
                id=_gid(note),
                text=normalise_text(text),
                author=user_name(note, "creatingUser"),
                created=note.get("creationDateTime") or "",
            )
        )
    el = _child(root, "Sets")
    for s in _children(el, "Set") if el is not None else []:
        members = [_gid(m, "targetGUID") for m in _children(s, "MemberCode")]
        for m in members:
            if m not in code_ids:
                raise StcFormatError(f"{name}: set {s.get('name')!r} names unknown code GUID {m}")
        if not members and (
            _child(s, "MemberSource") is not None or _child(s, "MemberNote") is not None
        ):
            continue  # sets of sources or notes are not categories
        d = _child(s, "Description")
        project.categories.append(
            Category(
                id=_gid(s),
                name=_req(s, "name"),
                description=(d.text or "") if d is not None else "",
                code_group_ids=members,
            )
        )
    return project


def _apply_extension(project: Project, ext: dict[str, Any], name: str) -> None:
    """Add what only Kollega knows; ids go back to their original spelling."""
    try:
        ids: dict[str, str] = dict(ext.get("ids", {}))

        def orig(i: str | None) -> str | None:
            return None if i is None else ids.get(i, i)

        project.id = str(ext["project_id"])
        quote_ids = {orig(q["id"]) for q in ext["golden_quotes"]}
        cond_ids = {orig(c["id"]) for c in ext["condensates"]}
        for p in project.participants:
            p.id = orig(p.id) or p.id
        for t in project.transcripts:
            t.id = orig(t.id) or t.id
            t.participant_id = orig(t.participant_id)
            extra = ext["transcripts"].get(t.id)
            if extra is not None:
                t.language = extra["language"]
                t.participant_id = extra["participant_id"]
                t.turns = _from_plain(list[Turn], extra["turns"], f"{EXTENSION} turns")
        for g in project.code_groups:
            g.id = orig(g.id) or g.id
            g.parent_id = orig(g.parent_id)
            extra = ext["code_groups"].get(g.id)
            if extra is not None:
                g.theme_id, g.color = extra["theme_id"], extra["color"]
        units = []
        for u in project.meaning_units:
            u.id = orig(u.id) or u.id
            if u.id in quote_ids:
                continue
            u.span = Span(orig(u.span.transcript_id) or "", u.span.start, u.span.end)
            u.code_group_id = orig(u.code_group_id)
            u.assistance_id = ext["units"].get(u.id, {}).get("assistance_id")
            units.append(u)
        project.meaning_units = units
        memos = []
        for m in project.memos:
            m.id = orig(m.id) or m.id
            if m.id in cond_ids:
                continue
            extra = ext["memos"].get(m.id, {})
            m.target_id, m.created = extra.get("target_id"), extra.get("created", "")
            memos.append(m)
        project.memos = memos
        for c in project.categories:
            c.id = orig(c.id) or c.id
            c.code_group_ids = [orig(g) or g for g in c.code_group_ids]
        for kind in _ORDERED:
            order = {rid: i for i, rid in enumerate(ext["order"][kind])}
            getattr(project, kind).sort(key=lambda r: order.get(r.id, len(order)))
        rest = _from_plain(
            _Rest,
            {k: ext[k] for k in _STC_ONLY},
            EXTENSION,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise StcFormatError(f"{name}: {EXTENSION} is incomplete ({exc})") from exc
    for field_name in rest.__dataclass_fields__:
        setattr(project, field_name, getattr(rest, field_name))


@dataclass
class _Rest:
    """The STC-only lists carried by the extension file."""

    themes: list[PreliminaryTheme]
    subgroups: list[Subgroup]
    condensates: list[Condensate]
    golden_quotes: list[GoldenQuote]
    analytic_texts: list[AnalyticText]
    category_assignments: list[CategoryAssignment]
    assistance: list[Assistance]


# -- validation and codebooks --------------------------------------------------------


def _xmlschema() -> Any:
    try:
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
