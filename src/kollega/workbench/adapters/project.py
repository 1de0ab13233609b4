"""Steps 3-4 and exchange: the whole analysis as one kollega.stc project.

Record ids are the Django primary keys behind a one-letter kind ("u12" is MeaningUnit 12),
so a finding of the recontextualisation check leads back to the row to fix.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib.auth import get_user_model

from kollega.stc import types as stc
from kollega.stc.types import SCHEMA_VERSION, Assistance, Span
from kollega.workbench import models as wb

ID_KINDS = {
    "p": "participant",
    "t": "transcript",
    "h": "theme",
    "g": "code_group",
    "u": "unit",
    "s": "subgroup",
    "c": "condensate",
    "q": "quote",
    "a": "analytic_text",
    "k": "category",
    "m": "memo",
}


class ExchangeError(ValueError):
    """A file that cannot be read or written as asked; the message says why, for people."""


def split_id(record_id: str) -> tuple[str, int] | None:
    """``("unit", 12)`` for ``"u12"``; None for ids this module did not make."""
    kind, number = ID_KINDS.get(record_id[:1]), record_id[1:]
    return (kind, int(number)) if kind and number.isdigit() else None


def stc_project(analysis: Any) -> Any:
    """The analysis as a ``kollega.stc.types.Project`` (every version any record points into)."""

    def who(user: Any) -> str:
        return user.get_username() if user is not None else ""

    def span(quote_or_unit: Any) -> Any:
        return stc.Span(f"t{quote_or_unit.transcript_id}", quote_or_unit.start, quote_or_unit.end)

    versions = list(
        analysis.transcripts.select_related("interview__participant").order_by(
            "interview__participant__pseudonym", "interview_id", "number"
        )
    )
    texts = {v.pk: v.text for v in versions}
    people: dict[int, Any] = {}
    for v in versions:
        people.setdefault(v.interview.participant_id, v.interview.participant)
    categories = list(analysis.categories.prefetch_related("code_groups", "participants"))
    for c in categories:
        for person in c.participants.all():
            people.setdefault(person.pk, person)
    project = stc.Project(id=f"analysis-{analysis.pk}", name=analysis.name)
    project.participants = [
        stc.Participant(id=f"p{pk}", pseudonym=person.pseudonym, attributes=dict(person.attributes))
        for pk, person in people.items()
    ]
    for v in versions:
        interview = v.interview
        project.transcripts.append(
            stc.Transcript(
                id=f"t{v.pk}",
                name=f"{interview.participant.pseudonym} {interview.get_kind_display()} "
                f"{interview.pk}.{v.number}",
                text=v.text,
                participant_id=f"p{interview.participant_id}",
                language=interview.language,
                turns=[stc.Turn(t["speaker"], t["start"], t["end"]) for t in v.turns],
            )
        )
    for th in analysis.themes.select_related("owner").exclude(
        state__in=[wb.ThemeState.SUGGESTED, wb.ThemeState.REJECTED]
    ):
        project.themes.append(
            stc.PreliminaryTheme(
                id=f"h{th.pk}",
                label=th.label,
                researcher=who(th.owner),
                description=th.description,
                typical=[
                    stc.Span(f"t{s['transcript']}", s["start"], s["end"])
                    for s in th.typical_json
                    if s.get("transcript") in texts
                ],
                assistance_id=f"as-h{th.pk}" if th.model else None,
            )
        )
        if th.model:
            project.assistance.append(_assistance(f"h{th.pk}", "theme", th.model, th, who))
    project.code_groups = [
        stc.CodeGroup(
            id=f"g{g.pk}",
            name=g.name,
            description=g.description,
            parent_id=f"g{g.parent_id}" if g.parent_id else None,
            theme_id=f"h{g.theme_id}" if g.theme_id else None,
            color=wb.COLOUR_HEX[(g.colour - 1) % len(wb.COLOUR_HEX)],
            codable=g.codable,
        )
        for g in analysis.code_groups.all()
    ]
    themes = {t.id for t in project.themes}
    for g in project.code_groups:
        if g.theme_id not in themes:
            g.theme_id = None
    # Units, and the links to them, are read as plain rows: a real study holds thousands, and
    # a model instance for each (and for its coder and coding) cost seconds.
    username = f"coder__{get_user_model().USERNAME_FIELD}"
    units = (
        wb.MeaningUnit.objects.in_analysis()
        .filter(transcript__analysis=analysis)
        .order_by("transcript_id", "start", "end", "pk")
        .values_list("pk", "transcript_id", "start", "end", username, "coding__code_group_id")
    )
    assisted = {
        c.unit_id: c
        for c in wb.Coding.objects.filter(
            unit__transcript__analysis=analysis, origin=wb.CodingOrigin.SUGGESTION
        ).select_related("decided_by")
    }
    further: dict[int, list[str]] = {}
    for unit_pk, group_pk in wb.AlsoCoded.objects.filter(
        unit__transcript__analysis=analysis
    ).values_list("unit_id", "code_group_id"):
        further.setdefault(unit_pk, []).append(f"g{group_pk}")
    for pk, transcript_id, start, end, coder, group_id in units:
        coding = assisted.get(pk)
        project.meaning_units.append(
            stc.MeaningUnit(
                id=f"u{pk}",
                span=stc.Span(f"t{transcript_id}", start, end),
                text=texts[transcript_id][start:end],
                code_group_id=f"g{group_id}" if group_id is not None else None,
                coder=coder or "",
                also_code_group_ids=further.get(pk, []) if group_id is not None else [],
                assistance_id=f"as-u{pk}" if coding is not None else None,
            )
        )
        if coding is not None:
            project.assistance.append(
                _assistance(f"u{pk}", "code", coding.model, coding, who, by=coding.decided_by)
            )
    members = _unit_links(wb.Subgroup.units.through, "subgroup", analysis)
    cited = _unit_links(wb.Condensate.units.through, "condensate", analysis)
    for sg in wb.Subgroup.objects.filter(code_group__analysis=analysis):
        project.subgroups.append(
            stc.Subgroup(
                id=f"s{sg.pk}",
                code_group_id=f"g{sg.code_group_id}",
                name=sg.name,
                meaning_unit_ids=members.get(sg.pk, []),
                assistance_id=f"as-s{sg.pk}" if sg.model else None,
            )
        )
        if sg.model:
            project.assistance.append(_assistance(f"s{sg.pk}", "subgroups", sg.model, sg, who))
    for c in wb.Condensate.objects.filter(subgroup__code_group__analysis=analysis):
        project.condensates.append(
            stc.Condensate(
                id=f"c{c.pk}",
                subgroup_id=f"s{c.subgroup_id}",
                text=c.text,
                meaning_unit_ids=cited.get(c.pk, []),
                extractive=c.extractive,
                assistance_id=f"as-c{c.pk}" if c.model else None,
            )
        )
        if c.model:
            project.assistance.append(_assistance(f"c{c.pk}", "condensate", c.model, c, who))
    for q in wb.GoldenQuote.objects.filter(subgroup__code_group__analysis=analysis):
        project.golden_quotes.append(
            stc.GoldenQuote(
                id=f"q{q.pk}",
                subgroup_id=f"s{q.subgroup_id}",
                span=span(q),
                text=texts[q.transcript_id][q.start : q.end],
            )
        )
    for a in analysis.analytic_texts.select_related("author").prefetch_related(
        "condensates", "quotes"
    ):
        project.analytic_texts.append(
            stc.AnalyticText(
                id=f"a{a.pk}",
                target_kind="code_group" if a.code_group_id else "category",
                target_id=f"g{a.code_group_id}" if a.code_group_id else f"k{a.category_id}",
                paragraphs=[
                    stc.Paragraph(
                        text=a.text,
                        condensate_ids=[f"c{c.pk}" for c in a.condensates.all()],
                        quote_ids=[f"q{q.pk}" for q in a.quotes.all()],
                    )
                ],
                author=who(a.author),
            )
        )
    for c in categories:
        project.categories.append(
            stc.Category(
                id=f"k{c.pk}",
                name=c.name,
                description=c.description,
                code_group_ids=[f"g{g.pk}" for g in c.code_groups.all()],
            )
        )
        project.category_assignments += [
            stc.CategoryAssignment(f"p{person.pk}", f"k{c.pk}") for person in c.participants.all()
        ]
    # A memo's subject as a record id of this project ("code_group:12" is "g12"); a subject
    # deleted since leaves the memo on the project as a whole.
    present = {t.id for t in project.transcripts}
    present |= {g.id for g in project.code_groups} | {u.id for u in project.meaning_units}
    project.memos = [
        stc.Memo(
            id=f"m{m.pk}",
            text=m.text,
            author=who(m.author),
            target_id=_memo_subject(m.target, present),
            created=m.created.isoformat(timespec="seconds"),
        )
        for m in analysis.memos.select_related("author")
    ]
    return project


MEMO_TARGET_PREFIX = {"transcript": "t", "code_group": "g", "unit": "u"}


def _memo_subject(target: str, present: set[str]) -> str | None:
    """The record id ``Memo.target`` names (``"unit:7"`` is ``"u7"``), if the project holds it."""
    kind, _sep, number = target.partition(":")
    prefix = MEMO_TARGET_PREFIX.get(kind)
    record_id = f"{prefix}{number}" if prefix and number.isdigit() else None
    return record_id if record_id in present else None


def _unit_links(through: Any, owner: str, analysis: Any) -> dict[int, list[str]]:
    """Owner pk → its units' record ids, in the units' own order (as ``owner.units.all()``)."""
    links: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(
            meaningunit__transcript__analysis=analysis, meaningunit__retired_in__isnull=True
        )
        .order_by(
            "meaningunit__transcript_id", "meaningunit__start", "meaningunit__end", "meaningunit_id"
        )
        .values_list(f"{owner}_id", "meaningunit_id")
    )
    for owner_pk, unit_pk in rows:
        links.setdefault(owner_pk, []).append(f"u{unit_pk}")
    return links


def _assistance(key: str, kind: str, model: str, row: Any, who: Any, *, by: Any = None) -> Any:

    decided = getattr(row, "decided_at", None)
    return Assistance(
        id=f"as-{key}",
        kind=kind,
        suggestion={},
        model=model,
        settings=dict(getattr(row, "model_settings", {}) or {}),
        status="accepted",
        decided_by=who(by) or None,
        decided_at=decided.isoformat(timespec="seconds") if decided else None,
    )


def project_data(analysis: Any) -> dict[str, Any]:
    """The analysis as the plain JSON form of a ``kollega.stc`` project (see docs/stc.md)."""
    data: dict[str, Any] = stc_project(analysis).to_dict()
    return data


def recontextualisation(analysis: Any) -> dict[str, Any]:
    """Step 4's check: ``{"ok", "problems": [{"kind", "record", "message"}], "uncoded",
    "uncovered": [(transcript key, start, end)]}``; ``record`` is the check's record id."""
    return _recontextualised(analysis, stc_project(analysis))


def project_data_and_check(analysis: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``project_data`` and ``recontextualisation`` from one read of the analysis."""
    project = stc_project(analysis)
    return plain_project(project), _recontextualised(analysis, project)


def project_data_only(analysis: Any) -> dict[str, Any]:
    """``project_data``, made faster for a large analysis by ``_plain_project``."""
    return plain_project(stc_project(analysis))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain_project(project: Any) -> dict[str, Any]:
    """Exactly ``project.to_dict()`` (the plain JSON form), for a project of thousands of units
    in a fraction of the time: the library's generic conversion asks each value whether it is
    a dataclass and for its fields; here each record type is asked once."""

    def plain(value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [plain(x) for x in value]
        if kind is dict:
            return {str(k): plain(v) for k, v in value.items()}
        names = _FIELD_NAMES.get(kind)
        if names is None:
            is_record = dataclasses.is_dataclass(kind)
            names = tuple(f.name for f in dataclasses.fields(kind)) if is_record else ()
            _FIELD_NAMES[kind] = names
        if names:
            return {name: plain(getattr(value, name)) for name in names}
        return value

    data: dict[str, Any] = plain(project)
    data["schema_version"] = SCHEMA_VERSION
    return data


def _recontextualised(analysis: Any, project: Any) -> dict[str, Any]:
    """The check over ``project`` (which it changes: read it for nothing else afterwards)."""
    # kollega.stc.steps loads numpy and scikit-learn: imported on first use (see adapters/__init__).
    from kollega.stc.steps import recontextualise

    # Units and quotes left on an older version after an edit are read against the current
    # text of their interview: that is where the report will be checked against.
    now = {v.interview_id: v.pk for v in analysis.transcripts.filter(current=True)}
    moved = {
        f"t{v.pk}": f"t{now[v.interview_id]}"
        for v in analysis.transcripts.filter(current=False)
        if v.interview_id in now
    }
    for rec in [*project.meaning_units, *project.golden_quotes]:
        if rec.span.transcript_id in moved:
            rec.span = Span(moved[rec.span.transcript_id], rec.span.start, rec.span.end)
    project.transcripts = [t for t in project.transcripts if t.id not in moved]
    report = recontextualise(project)
    return {
        "ok": report.ok,
        "problems": [
            {"kind": p.kind, "record": p.record_id, "message": p.message} for p in report.problems
        ],
        "uncoded": list(report.uncoded_unit_ids),
        "uncovered": [(s.transcript_id, s.start, s.end) for s in report.uncovered_turns],
    }
