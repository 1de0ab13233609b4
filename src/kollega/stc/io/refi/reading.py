"""Reading a ``.qdpx`` file, from Kollega or another QDA program, into a project."""

from __future__ import annotations

import bisect
import json
import unicodedata
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kollega.stc.errors import StcFormatError, StcImportWarning
from kollega.stc.io.refi.common import (
    _ORDERED,
    _STC_ONLY,
    EXTENSION,
    MAX_CODE_DEPTH,
    _child,
    _children,
    _gid,
    _int,
    _local,
    _member,
    _open_zip,
    _parse_xml,
    _req,
)
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
    new_id,
    normalise_text,
)


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
            # One unit per coder of the selection: a coder's first code is its group, their
            # further codes of the same selection its further groups (not more units).
            by_coder: dict[str, MeaningUnit] = {}
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
                    same = by_coder.get(coder)
                    if same is not None:
                        if group != same.code_group_id and group not in same.also_code_group_ids:
                            same.also_code_group_ids.append(group)
                        continue
                uid = sid if n == 0 else _gid(coding, "guid") if coding is not None else new_id()
                unit = MeaningUnit(
                    id=uid, span=span, text=text[start:end], code_group_id=group, coder=coder
                )
                by_coder[coder] = unit
                project.meaning_units.append(unit)
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

    # What a note is about: the code, source or coded passage holding a NoteRef to it.
    present = {r.id for r in project.meaning_units} | {t.id for t in project.transcripts}
    present |= code_ids
    about: dict[str, str] = {}
    for subject in root.iter():
        if _local(subject.tag) not in ("Code", "TextSource", "PlainTextSelection"):
            continue
        rid = (subject.get("guid") or "").strip().strip("{}").lower()
        for ref in _children(subject, "NoteRef"):
            note_id = (ref.get("targetGUID") or "").strip().strip("{}").lower()
            if rid in present:
                about.setdefault(note_id, rid)
    el = _child(root, "Notes")
    for note in _children(el, "Note") if el is not None else []:
        content = _child(note, "PlainTextContent")
        text = content.text or "" if content is not None else reader.source_text(note)
        project.memos.append(
            Memo(
                id=_gid(note),
                text=normalise_text(text),
                author=user_name(note, "creatingUser"),
                target_id=about.get(_gid(note)),
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
            u.also_code_group_ids = [orig(g) or g for g in u.also_code_group_ids]
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
