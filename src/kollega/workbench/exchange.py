"""Results and exchange: the report's tables, the COREQ facts, and REFI-QDA imports.

An imported ``.qdpx`` becomes a new analysis of a study: each case becomes a participant (the
study's participant of the same pseudonym when there is one), each text source an interview
with a de-identified transcript (an interview of that participant whose transcript has the
very same text is reused, so a Kollega export imported back does not duplicate interviews),
and every record of the four steps is created pointing at the same offsets.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import kollega
from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.research import actions as research
from kollega.research.models import (
    TURN_SEPARATOR,
    Interview,
    InterviewKind,
    Language,
    Participant,
    Study,
    Transcript,
    TranscriptSource,
    TurnMethod,
)
from kollega.workbench import adapters, coreq, results
from kollega.workbench.actions import do_add_transcript
from kollega.workbench.models import (
    Analysis,
    AnalyticText,
    Category,
    CodeGroup,
    Coding,
    CodingOrigin,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Memo,
    Subgroup,
    Theme,
    ThemeState,
)
from kollega.workbench.snapshot import snapshot

# --- The report ----------------------------------------------------------------------------


def participant_characteristics(analysis: Analysis) -> dict[str, Any]:
    """What the research records say about each participant of the analysis: the language and
    kinds of their interviews (the study stores no other profile)."""
    people = []
    interviews = Interview.objects.filter(analysis_transcripts__analysis=analysis).distinct()
    by_person: dict[int, list[Interview]] = {}
    for interview in interviews.select_related("participant"):
        by_person.setdefault(interview.participant_id, []).append(interview)
    for found in by_person.values():
        languages = sorted({str(Language(i.language).label) for i in found})
        kinds = sorted({str(InterviewKind(i.kind).label) for i in found})
        people.append(
            {
                "attributes": {
                    _("interview language"): ", ".join(languages),
                    _("interviews in the analysis"): ", ".join(kinds),
                }
            }
        )
    return {"participants": people}


def facts(analysis: Analysis, data: dict[str, Any], check_ok: bool | None) -> coreq.StudyFacts:
    """The COREQ facts from the study record, its interviews and the analysis."""
    study = analysis.study
    interviews = list(
        Interview.objects.filter(analysis_transcripts__analysis=analysis)
        .distinct()
        .select_related("transcript")
    )
    recordings = [i.recording for i in interviews if hasattr(i, "recording")]
    dates = sorted(i.scheduled_on for i in interviews if i.scheduled_on)
    sources = [i.transcript.source for i in interviews if hasattr(i, "transcript")]
    withdrawn = AuditEvent.objects.filter(
        action="research.participant.withdraw", details__study=study.pk
    ).count()
    groups = data["code_groups"]
    owner = {t["id"]: t["participant_id"] for t in data["transcripts"]}
    accepted_themes = analysis.themes.filter(state=ThemeState.ACCEPTED).count()
    return coreq.StudyFacts(
        researchers=sorted(u.get_full_name() or u.get_username() for u in study.researchers.all()),
        participants=len({i.participant_id for i in interviews}),
        study_participants=study.participants.count(),
        withdrawn=withdrawn,
        first_interviews=sum(i.kind == InterviewKind.FIRST for i in interviews),
        follow_ups=sum(i.kind == InterviewKind.FOLLOW_UP for i in interviews),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        recorded=len(recordings),
        durations_s=[r.duration_s for r in recordings],
        transcribed_here=sources.count(TranscriptSource.TRANSCRIBED),
        imported=sources.count(TranscriptSource.IMPORTED),
        coders=sorted({u["coder"] for u in data["meaning_units"] if u["code_group_id"]}),
        code_groups=len(groups),
        top_level_groups=sum(g["parent_id"] is None for g in groups),
        themes=len(data["themes"]),
        theme_researchers=len({t["researcher"] for t in data["themes"]}),
        suggested_themes=accepted_themes,
        categories=[c["name"] for c in data["categories"]],
        subgroups=len(data["subgroups"]),
        golden_quotes=len(data["golden_quotes"]),
        quotes_identified=sum(
            1 for q in data["golden_quotes"] if owner.get(q["span"]["transcript_id"])
        ),
        check_problems=None if check_ok is None else (0 if check_ok else 1),
        software=f"Kollega {kollega.__version__}",
    )


def report(
    analysis: Analysis, keys: tuple[str, ...] = results.TABLE_KEYS, *, sections: bool = True
) -> tuple[list[results.Table], list[results.Section]]:
    """The results tables named in ``keys`` (of steps, results, participants, COREQ, in that
    order) and, with ``sections``, the report's sections: the analytic texts and the outcome
    of the recontextualisation check.

    Only what is asked for is built: the participants table reads the interviews alone; the
    others read the analysis's build, which ``snapshot`` keeps while the analysis is unchanged.
    """
    from kollega.workbench.synthesis import check

    built = snapshot(analysis) if sections or set(keys) - {"participants"} else None
    data = built.data if built and built.data is not None else {}
    checked = check(analysis, built) if sections or "coreq" in keys else None
    build = {
        "steps": lambda: results.steps_table(data),
        "results": lambda: results.results_table(data),
        "participants": lambda: results.participant_table(participant_characteristics(analysis)),
        "coreq": lambda: coreq.coreq_table(
            coreq.checklist(facts(analysis, data, checked["ok"] if checked else None))
        ),
    }
    tables = [build[key]() for key in results.TABLE_KEYS if key in keys]
    if not sections or checked is None:
        return tables, []
    outcome = results.Section(_("Recontextualisation check"))
    if checked["ok"]:
        outcome.paragraphs.append(_("The check passed."))
    else:
        outcome.paragraphs.append(
            _("%(n)d findings to fix before the analysis is finished.")
            % {"n": len(checked["findings"])}
        )
        outcome.paragraphs += [f"{f['what']}: {f['text']}" for f in checked["findings"]]
    return tables, [*results.analytic_sections(data), outcome]


def render_download(analysis: Analysis, name: str, fmt: str) -> tuple[bytes, str]:
    """The file for ``name`` (``report`` or a table key) in ``fmt``: (body, content type).

    Raises KeyError for a name or format that does not exist.
    """
    if name == "report":
        chosen, extra = report(analysis)
    elif name in results.TABLE_KEYS:
        chosen, extra = report(analysis, (name,), sections=False)
    else:
        raise KeyError(name)
    title = analysis.name
    if fmt == "csv" and len(chosen) == 1:
        return results.to_csv(chosen[0]), "text/csv; charset=utf-8"
    if fmt == "md":
        return results.to_markdown(title, chosen, extra), "text/markdown; charset=utf-8"
    if fmt == "docx":
        return (
            results.to_docx(title, chosen, extra),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    raise KeyError(fmt)


# --- Imports -------------------------------------------------------------------------------


def _turns(text: str, stc_turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Research turns whose joined text is exactly ``text``: one per paragraph, each with
    the speaker of the source's turn that covers it."""
    turns, pos = [], 0
    for piece in text.split(TURN_SEPARATOR):
        speaker = next(
            (
                t["speaker"]
                for t in stc_turns
                if t["start"] <= pos + len(piece) and t["end"] > pos and t["speaker"]
            ),
            "speaker",
        )
        turns.append(
            {
                "speaker": adapters.speaker_role(speaker),
                "start": None,
                "end": None,
                "text": piece,
            }
        )
        pos += len(piece) + len(TURN_SEPARATOR)
    return turns


def _interview_for(
    actor: Any, study: Study, person: Participant, source: dict[str, Any]
) -> Interview:
    """The person's interview holding exactly this text, or a new one with the text."""
    for transcript in Transcript.objects.filter(
        interview__participant=person, deidentified__isnull=False
    ).select_related("interview"):
        if transcript.text == source["text"]:
            return transcript.interview
    language = source.get("language") or study.language
    if language not in Language.values:
        language = study.language
    interview = research.do_create_interview(
        actor, person, kind=InterviewKind.FIRST, scheduled_on=None, language=language
    )
    transcript = Transcript(
        interview=interview,
        source=TranscriptSource.IMPORTED,
        turn_method=TurnMethod.FILE,
        language=language,
        deidentified=timezone.now(),
    )
    transcript.set_turns(_turns(source["text"], source["turns"]))
    transcript.save()
    return interview


def _person(actor: Any, study: Study, pseudonym: str, made: dict[str, int]) -> Participant:
    pseudonym = " ".join(pseudonym.split())[:20]
    found = study.participants.filter(pseudonym__iexact=pseudonym).first() if pseudonym else None
    if found is not None:
        return found
    made["participants"] += 1
    return research.do_add_participant(
        actor, study, pseudonym=pseudonym or research.next_pseudonym(study)
    )


@transaction.atomic
def do_import_qdpx(
    actor: Any, study: Study, path: Any, *, name: str, deidentified: bool
) -> tuple[Analysis, dict[str, int]]:
    """A new analysis of ``study`` from a ``.qdpx``; see the module docstring.

    ``deidentified`` is the researcher's statement that the texts hold no identifiers: only
    de-identified transcripts may enter an analysis. Raises `ActionRefused` with the reason
    for a file that cannot be read; nothing is created then.
    """
    if not deidentified:
        raise ActionRefused(
            _(
                "Confirm that the transcripts in the file are de-identified: only those can be analysed."
            )
        )
    try:
        data = adapters.read_qdpx(path)
    except adapters.ExchangeError as exc:
        raise ActionRefused(
            _("The file cannot be imported: %(reason)s") % {"reason": exc}
        ) from None
    if not data["transcripts"]:
        raise ActionRefused(_("The file holds no text sources to analyse."))
    name = name.strip() or data["name"][:200]
    analysis = Analysis.objects.create(study=study, name=name, created_by=actor)
    made = {"participants": 0, "transcripts": 0, "units": 0, "skipped": 0}
    users = {u.get_username(): u for u in study.researchers.all()}

    def user(username: str) -> Any:
        return users.get(username, actor)

    assistance = {a["id"]: a for a in data["assistance"]}

    def model_of(record_: dict[str, Any]) -> dict[str, Any]:
        a = assistance.get(record_.get("assistance_id") or "")
        return {"model": a["model"][:200], "model_settings": a["settings"]} if a else {}

    people = {p["id"]: _person(actor, study, p["pseudonym"], made) for p in data["participants"]}
    versions = {}
    for t in data["transcripts"]:
        person = people.get(t["participant_id"] or "")
        if person is None:
            person = _person(actor, study, "", made)
        interview = _interview_for(actor, study, person, t)
        versions[t["id"]] = do_add_transcript(actor, analysis, interview)
        made["transcripts"] += 1
    themes = {}
    for th in data["themes"]:
        helped = model_of(th)
        themes[th["id"]] = Theme.objects.create(
            analysis=analysis,
            owner=user(th["researcher"]),
            label=th["label"],
            description=th["description"],
            shared=True,
            state=ThemeState.ACCEPTED if helped else ThemeState.OWN,
            decided_by=actor if helped else None,
            decided_at=timezone.now() if helped else None,
            typical_json=[
                {
                    "transcript": versions[s["transcript_id"]].pk,
                    "start": s["start"],
                    "end": s["end"],
                }
                for s in th["typical"]
                if s["transcript_id"] in versions
            ],
            **helped,
        )
    groups: dict[str, CodeGroup] = {}
    pending = list(data["code_groups"])
    while pending:  # parents first, whatever order the file lists them in
        ready = [g for g in pending if g["parent_id"] is None or g["parent_id"] in groups]
        if not ready:
            raise ActionRefused(_("The file's code groups refer to parents that do not exist."))
        for g in ready:
            groups[g["id"]] = CodeGroup.objects.create(
                analysis=analysis,
                name=g["name"][:200],
                description=g["description"],
                parent=groups.get(g["parent_id"] or ""),
                theme=themes.get(g["theme_id"] or ""),
                position=len(groups),
            )
            pending.remove(g)
    units = {}
    for u in data["meaning_units"]:
        span = u["span"]
        if span["start"] >= span["end"]:
            made["skipped"] += 1
            continue
        coder = user(u["coder"])
        unit = MeaningUnit.objects.create(
            transcript=versions[span["transcript_id"]],
            start=span["start"],
            end=span["end"],
            coder=coder,
        )
        units[u["id"]] = unit
        made["units"] += 1
        if u["code_group_id"]:
            helped = model_of(u)
            Coding.objects.create(
                unit=unit,
                code_group=groups[u["code_group_id"]],
                coder=coder,
                origin=CodingOrigin.SUGGESTION if helped else CodingOrigin.HAND,
                decided_by=actor,
                **helped,
            )
    subgroups = {}
    for sg in data["subgroups"]:
        subgroups[sg["id"]] = Subgroup.objects.create(
            code_group=groups[sg["code_group_id"]], name=sg["name"][:200], **model_of(sg)
        )
        subgroups[sg["id"]].units.set([units[k] for k in sg["meaning_unit_ids"] if k in units])
    condensates = {}
    for c in data["condensates"]:
        condensates[c["id"]] = Condensate.objects.create(
            subgroup=subgroups[c["subgroup_id"]],
            text=c["text"],
            extractive=c["extractive"],
            author=actor,
            **model_of(c),
        )
        condensates[c["id"]].units.set([units[k] for k in c["meaning_unit_ids"] if k in units])
    quotes = {}
    for q in data["golden_quotes"]:
        span = q["span"]
        if span["start"] >= span["end"]:
            made["skipped"] += 1
            continue
        quotes[q["id"]] = GoldenQuote.objects.create(
            subgroup=subgroups[q["subgroup_id"]],
            transcript=versions[span["transcript_id"]],
            start=span["start"],
            end=span["end"],
            chosen_by=actor,
        )
    categories = {}
    for c in data["categories"]:
        categories[c["id"]] = Category.objects.create(
            analysis=analysis, name=c["name"][:200], description=c["description"]
        )
        categories[c["id"]].code_groups.set([groups[g] for g in c["code_group_ids"]])
    for a in data["category_assignments"]:
        if a["participant_id"] in people:
            categories[a["category_id"]].participants.add(people[a["participant_id"]])
    for a in data["analytic_texts"]:
        paragraphs = a["paragraphs"]
        written = AnalyticText(
            analysis=analysis,
            text="\n\n".join(p["text"] for p in paragraphs),
            author=user(a["author"]),
        )
        if a["target_kind"] == "code_group":
            written.code_group = groups[a["target_id"]]
        else:
            written.category = categories[a["target_id"]]
        written.save()
        written.condensates.set([condensates[c] for p in paragraphs for c in p["condensate_ids"]])
        written.quotes.set([quotes[q] for p in paragraphs for q in p["quote_ids"] if q in quotes])
    for m in data["memos"]:
        Memo.objects.create(analysis=analysis, author=user(m["author"]), text=m["text"])
    record(actor, "workbench.analysis.import_qdpx", analysis, study=study.pk, made=made)
    return analysis, made


@transaction.atomic
def do_import_qdc(actor: Any, analysis: Analysis, path: Any) -> dict[str, int]:
    """Add a codebook's code groups (and its sets as categories) to ``analysis``; a group
    already there under the same parent and name is kept, not doubled."""
    try:
        groups, categories = adapters.read_qdc(path)
    except adapters.ExchangeError as exc:
        raise ActionRefused(
            _("The codebook cannot be imported: %(reason)s") % {"reason": exc}
        ) from None
    made = {"code_groups": 0, "categories": 0}
    by_id: dict[str, CodeGroup] = {}
    for g in groups:  # read_qdc lists each parent before its children
        parent = by_id.get(g["parent_id"] or "")
        found = analysis.code_groups.filter(name__iexact=g["name"][:200], parent=parent).first()
        if found is None:
            found = CodeGroup.objects.create(
                analysis=analysis,
                name=g["name"][:200],
                description=g["description"],
                parent=parent,
                position=analysis.code_groups.count(),
            )
            made["code_groups"] += 1
        by_id[g["id"]] = found
    names = {c.name.lower() for c in analysis.categories.all()}
    for c in categories:
        if c["name"].lower() in names:
            continue
        category = Category.objects.create(
            analysis=analysis, name=c["name"][:200], description=c["description"]
        )
        category.code_groups.set([by_id[g] for g in c["code_group_ids"]])
        made["categories"] += 1
    record(actor, "workbench.codebook.import", analysis, made=made)
    return made
