"""Writing a project as a ``.qdpx`` file."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from kollega.stc.io.refi.common import (
    _ORDERED,
    _STC_ONLY,
    EXTENSION,
    GOLDEN_QUOTE_NAME,
    NS,
    _code_tree,
    _guid,
    _q,
    _sub,
    _xml_safe,
)
from kollega.stc.types import MeaningUnit, Project, _to_plain


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
                    # A unit in further groups: one more Coding of the same selection each.
                    for gid in u.also_code_group_ids:
                        coding = _sub(
                            sel,
                            "Coding",
                            guid=_guid(f"{u.id}/{gid}", "coding"),
                            creatingUser=user(u.coder),
                        )
                        _sub(coding, "CodeRef", targetGUID=_guid(gid))
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
    _note_refs(root, project)

    ET.register_namespace("", NS)
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", qde)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
        zf.writestr(EXTENSION, json.dumps(_extension(project), ensure_ascii=False))


# The elements a memo can be about, and the children a NoteRef goes before (Project.xsd's
# sequences: a Code's NoteRefs precede its child Codes, a TextSource's its VariableValues).
_NOTE_REF_BEFORE = {
    "Code": {_q("Code")},
    "TextSource": {_q("VariableValue")},
    "PlainTextSelection": set(),
}


def _note_refs(root: ET.Element, project: Project) -> None:
    """A ``NoteRef`` to each memo from what it is about: its code, source or selection, or
    the project itself for a memo on the whole analysis (or on a record the file lacks)."""
    by_subject: dict[str, list[str]] = {}
    for m in project.memos:
        by_subject.setdefault(_guid(m.target_id) if m.target_id else "", []).append(_guid(m.id))
    found: set[str] = set()
    targets = [
        el for tag in _NOTE_REF_BEFORE for el in root.iter(_q(tag)) if el.get("guid") in by_subject
    ]
    for el in targets:
        guid = el.get("guid") or ""
        found.add(guid)
        before = _NOTE_REF_BEFORE[el.tag.rpartition("}")[2]]
        at = next((i for i, child in enumerate(el) if child.tag in before), len(el))
        for n, note in enumerate(by_subject[guid]):
            el.insert(at + n, ET.Element(_q("NoteRef"), {"targetGUID": note}))
    for guid, notes in by_subject.items():
        if guid not in found:
            for note in notes:
                _sub(root, "NoteRef", targetGUID=note)


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
    for u in project.meaning_units:
        names[u.id] = f"meaning unit “{u.text[:40] + '…' if len(u.text) > 40 else u.text}”"
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
