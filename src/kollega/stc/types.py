"""Typed records for a systematic text condensation (STC) project.

Every record is a dataclass that serialises to plain JSON and back without loss
(`Project.to_dict` / `Project.from_dict`). Offsets are Unicode code-point offsets into
`Transcript.text`, which is NFC-normalised and uses ``\\n`` line ends.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from kollega.stc.errors import StcFormatError

__all__ = [
    "AnalyticText",
    "Assistance",
    "Category",
    "CategoryAssignment",
    "CodeGroup",
    "Condensate",
    "GoldenQuote",
    "MeaningUnit",
    "Memo",
    "Paragraph",
    "Participant",
    "PreliminaryTheme",
    "Project",
    "Span",
    "Subgroup",
    "Transcript",
    "Turn",
    "new_id",
    "normalise_text",
]

SCHEMA_VERSION = 1


def new_id() -> str:
    """A fresh identifier; UUIDs so that REFI-QDA GUIDs round-trip unchanged."""
    return str(uuid.uuid4())


def normalise_text(text: str) -> str:
    """NFC-normalise and convert CRLF / CR line ends to LF; strip a leading BOM."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of code points in one transcript."""

    transcript_id: str
    start: int
    end: int


@dataclass(slots=True)
class Turn:
    """One speaker turn: ``text[start:end]`` spoken by ``speaker``; times in seconds."""

    speaker: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass(slots=True)
class Participant:
    id: str
    pseudonym: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Transcript:
    id: str
    name: str
    text: str
    participant_id: str | None = None
    language: str | None = None
    turns: list[Turn] = field(default_factory=list)

    def excerpt(self, span: Span) -> str:
        return self.text[span.start : span.end]


@dataclass(slots=True)
class PreliminaryTheme:
    """Step 1: a theme from the total impression, entered by one researcher."""

    id: str
    label: str
    researcher: str
    description: str = ""
    typical: list[Span] = field(default_factory=list)
    assistance_id: str | None = None


@dataclass(slots=True)
class CodeGroup:
    """Step 2: a code group; ``parent_id`` makes the code book hierarchical.

    ``codable=False`` marks a group that only gathers other groups (a category in
    QualCoder, ``isCodable="false"`` in REFI-QDA): units are not coded into it.
    """

    id: str
    name: str
    description: str = ""
    parent_id: str | None = None
    theme_id: str | None = None
    color: str | None = None
    codable: bool = True


@dataclass(slots=True)
class MeaningUnit:
    """Step 2: a span of transcript text sorted into a code group by one coder."""

    id: str
    span: Span
    text: str
    code_group_id: str | None = None
    coder: str = ""
    assistance_id: str | None = None
    # Further code groups the same unit is also sorted into; ``code_group_id`` stays its first
    # (the one agreement compares). Never the first one again, nor one twice.
    also_code_group_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Subgroup:
    """Step 3: a subgroup of one code group's meaning units."""

    id: str
    code_group_id: str
    name: str
    meaning_unit_ids: list[str] = field(default_factory=list)
    assistance_id: str | None = None


@dataclass(slots=True)
class Condensate:
    """Step 3: a first-person 'artificial quotation' condensing some meaning units."""

    id: str
    subgroup_id: str
    text: str
    meaning_unit_ids: list[str] = field(default_factory=list)
    extractive: bool = False
    assistance_id: str | None = None


@dataclass(slots=True)
class GoldenQuote:
    """Step 3: the quote chosen to illustrate a subgroup; ``text`` must match the span."""

    id: str
    subgroup_id: str
    span: Span
    text: str
    assistance_id: str | None = None


@dataclass(slots=True)
class Paragraph:
    text: str
    condensate_ids: list[str] = field(default_factory=list)
    quote_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AnalyticText:
    """Step 4: analytic text about a code group or a category, written by people."""

    id: str
    target_kind: Literal["code_group", "category"]
    target_id: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    author: str = ""


@dataclass(slots=True)
class Category:
    """A category of the result; ``code_group_ids`` lists the code groups it gathers."""

    id: str
    name: str
    description: str = ""
    code_group_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CategoryAssignment:
    """One cell of the participants-by-categories matrix (a typology)."""

    participant_id: str
    category_id: str


@dataclass(slots=True)
class Memo:
    id: str
    text: str
    author: str = ""
    target_id: str | None = None
    created: str = ""


@dataclass(slots=True)
class Assistance:
    """What an assistant suggested, with which model and settings, and who decided."""

    id: str
    kind: str
    suggestion: dict[str, Any]
    model: str
    settings: dict[str, Any] = field(default_factory=dict)
    status: Literal["pending", "accepted", "rejected"] = "pending"
    decided_by: str | None = None
    decided_at: str | None = None


@dataclass(slots=True)
class Project:
    """A whole STC analysis: data, the four steps' records and assistance log."""

    id: str
    name: str
    participants: list[Participant] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    themes: list[PreliminaryTheme] = field(default_factory=list)
    code_groups: list[CodeGroup] = field(default_factory=list)
    meaning_units: list[MeaningUnit] = field(default_factory=list)
    subgroups: list[Subgroup] = field(default_factory=list)
    condensates: list[Condensate] = field(default_factory=list)
    golden_quotes: list[GoldenQuote] = field(default_factory=list)
    analytic_texts: list[AnalyticText] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    category_assignments: list[CategoryAssignment] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    assistance: list[Assistance] = field(default_factory=list)
    description: str = ""

    # -- lookups ---------------------------------------------------------------------

    def transcript(self, transcript_id: str) -> Transcript:
        for t in self.transcripts:
            if t.id == transcript_id:
                return t
        raise KeyError(transcript_id)

    def units_in(self, code_group_id: str) -> list[MeaningUnit]:
        return [u for u in self.meaning_units if u.code_group_id == code_group_id]

    def participant_of(self, transcript_id: str) -> Participant | None:
        pid = self.transcript(transcript_id).participant_id
        return next((p for p in self.participants if p.id == pid), None)

    def category_matrix(self) -> tuple[list[str], list[str], list[list[bool]]]:
        """Participants by categories: (participant ids, category ids, membership rows)."""
        pids = [p.id for p in self.participants]
        cids = [c.id for c in self.categories]
        cells = {(a.participant_id, a.category_id) for a in self.category_assignments}
        return pids, cids, [[(p, c) in cells for c in cids] for p in pids]

    # -- validation ------------------------------------------------------------------

    def validate(self) -> None:
        """Raise `StcFormatError` on broken references, bad offsets or unnormalised text."""
        ids: set[str] = set()
        for kind in (
            "participants",
            "transcripts",
            "themes",
            "code_groups",
            "meaning_units",
            "subgroups",
            "condensates",
            "golden_quotes",
            "analytic_texts",
            "categories",
            "memos",
            "assistance",
        ):
            for rec in getattr(self, kind):
                if rec.id in ids:
                    raise StcFormatError(f"duplicate id {rec.id!r} in {kind}")
                ids.add(rec.id)
        texts = {t.id: t for t in self.transcripts}
        pids = {p.id for p in self.participants}
        for t in self.transcripts:
            if t.text != normalise_text(t.text):
                raise StcFormatError(f"transcript {t.id!r} is not NFC text with \\n line ends")
            if t.participant_id is not None and t.participant_id not in pids:
                raise StcFormatError(
                    f"transcript {t.id!r}: unknown participant {t.participant_id!r}"
                )
            for turn in t.turns:
                _check_range(t, turn.start, turn.end, f"turn of {turn.speaker!r}")

        def span_ok(span: Span, what: str) -> None:
            t = texts.get(span.transcript_id)
            if t is None:
                raise StcFormatError(f"{what}: unknown transcript {span.transcript_id!r}")
            _check_range(t, span.start, span.end, what)

        groups = {g.id for g in self.code_groups}
        for g in self.code_groups:
            if g.parent_id is not None and g.parent_id not in groups:
                raise StcFormatError(f"code group {g.id!r}: unknown parent {g.parent_id!r}")
        for th in self.themes:
            for s in th.typical:
                span_ok(s, f"theme {th.id!r}")
        units = {u.id for u in self.meaning_units}
        for u in self.meaning_units:
            span_ok(u.span, f"meaning unit {u.id!r}")
            if u.code_group_id is not None and u.code_group_id not in groups:
                raise StcFormatError(
                    f"meaning unit {u.id!r}: unknown code group {u.code_group_id!r}"
                )
            if u.also_code_group_ids:
                if u.code_group_id is None:
                    raise StcFormatError(f"meaning unit {u.id!r}: further code groups, no first")
                _check_refs(u.also_code_group_ids, groups, f"meaning unit {u.id!r}")
                if len({u.code_group_id, *u.also_code_group_ids}) != 1 + len(u.also_code_group_ids):
                    raise StcFormatError(f"meaning unit {u.id!r} is twice in one code group")
        subgroups = {s.id for s in self.subgroups}
        for sg in self.subgroups:
            if sg.code_group_id not in groups:
                raise StcFormatError(f"subgroup {sg.id!r}: unknown code group {sg.code_group_id!r}")
            _check_refs(sg.meaning_unit_ids, units, f"subgroup {sg.id!r}")
        for c in self.condensates:
            if c.subgroup_id not in subgroups:
                raise StcFormatError(f"condensate {c.id!r}: unknown subgroup {c.subgroup_id!r}")
            _check_refs(c.meaning_unit_ids, units, f"condensate {c.id!r}")
        for q in self.golden_quotes:
            if q.subgroup_id not in subgroups:
                raise StcFormatError(f"golden quote {q.id!r}: unknown subgroup {q.subgroup_id!r}")
            span_ok(q.span, f"golden quote {q.id!r}")
        conds = {c.id for c in self.condensates}
        quotes = {q.id for q in self.golden_quotes}
        cats = {c.id for c in self.categories}
        for a in self.analytic_texts:
            targets = groups if a.target_kind == "code_group" else cats
            if a.target_id not in targets:
                raise StcFormatError(
                    f"analytic text {a.id!r}: unknown {a.target_kind} {a.target_id!r}"
                )
            for p in a.paragraphs:
                _check_refs(p.condensate_ids, conds, f"analytic text {a.id!r}")
                _check_refs(p.quote_ids, quotes, f"analytic text {a.id!r}")
        for cat in self.categories:
            _check_refs(cat.code_group_ids, groups, f"category {cat.id!r}")
        for ca in self.category_assignments:
            if ca.participant_id not in pids or ca.category_id not in cats:
                raise StcFormatError(f"category assignment {ca!r} names an unknown id")

    # -- serialisation ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = _to_plain(self)
        assert isinstance(data, dict)  # noqa: S101 - a dataclass always gives a dict
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        """Build and validate a project; raise `StcFormatError` on any mismatch."""
        if not isinstance(data, dict):
            raise StcFormatError("a project must be a JSON object")
        data = dict(data)
        version = data.pop("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise StcFormatError(f"unsupported project schema version {version!r}")
        project: Project = _from_plain(cls, data, "project")
        project.validate()
        return project

    def to_json(self, *, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Project:
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StcFormatError(f"project JSON is not valid JSON: {exc}") from exc
        return cls.from_dict(data)


def _check_range(t: Transcript, start: int, end: int, what: str) -> None:
    if not 0 <= start <= end <= len(t.text):
        raise StcFormatError(
            f"{what}: offsets {start}..{end} lie outside transcript {t.id!r} (length {len(t.text)})"
        )


def _check_refs(refs: list[str], known: set[str], what: str) -> None:
    for r in refs:
        if r not in known:
            raise StcFormatError(f"{what}: unknown reference {r!r}")


# -- generic dataclass <-> JSON conversion -------------------------------------------

T = TypeVar("T")


def _to_plain(obj: object) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list):
        return [_to_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _to_plain(v) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def _from_plain(tp: Any, data: Any, where: str) -> Any:
    """Convert JSON data to type ``tp`` strictly; raise `StcFormatError` naming ``where``."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise StcFormatError(f"{where}: expected an object for {tp.__name__}")
        hints = _HINTS.get(tp)
        if hints is None:
            hints = _HINTS[tp] = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(data) - names
        if unknown:
            raise StcFormatError(f"{where}: unknown field(s) {sorted(unknown)} for {tp.__name__}")
        kwargs = {k: _from_plain(hints[k], v, f"{where}.{k}") for k, v in data.items()}
        try:
            return tp(**kwargs)
        except TypeError as exc:
            raise StcFormatError(f"{where}: {exc}") from exc
    if origin is list:
        if not isinstance(data, list):
            raise StcFormatError(f"{where}: expected a list")
        (item,) = typing.get_args(tp)
        return [_from_plain(item, x, f"{where}[{i}]") for i, x in enumerate(data)]
    if origin is dict:
        if not isinstance(data, dict):
            raise StcFormatError(f"{where}: expected an object")
        _, value_tp = typing.get_args(tp)
        return {str(k): _from_plain(value_tp, v, f"{where}.{k}") for k, v in data.items()}
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        for a in args:
            if a is type(None):
                continue
            try:
                return _from_plain(a, data, where)
            except StcFormatError:
                continue
        raise StcFormatError(f"{where}: value {data!r} does not fit {tp}")
    if origin is Literal:
        if data not in typing.get_args(tp):
            raise StcFormatError(f"{where}: {data!r} is not one of {typing.get_args(tp)}")
        return data
    if tp is Any:
        return data
    if tp is float:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return float(data)
        raise StcFormatError(f"{where}: expected a number")
    if tp in (str, int, bool):
        if type(data) is not tp:
            raise StcFormatError(f"{where}: expected {tp.__name__}, got {type(data).__name__}")
        return data
    raise StcFormatError(f"{where}: cannot read type {tp}")  # pragma: no cover
