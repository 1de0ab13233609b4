"""REFI-QDA imports: a ``.qdpx`` project as a new analysis, a ``.qdc`` codebook into one.

An imported ``.qdpx`` becomes a new analysis of a study: each case becomes an imported
participant, kept out of the study's recruitment, whose attributes are the case's variables;
each text source an interview with a de-identified transcript. A case is the study's own
participant only where that participant, of the same pseudonym, already holds a de-identified
transcript with the very text of one of the case's sources (a Kollega export imported back),
and then that interview is reused rather than duplicated. Speaker labels written in a source's
text ("I: ...") become the turns' speakers and leave the turns' text, so they are not shown
twice; every record of the four steps is created pointing at the same words, its offsets
moved past the labels taken out. A code group the file marks not codable (``isCodable``) is
kept as a heading that units cannot be sorted into.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import actions as research
from kollega.research.models import (
    MAX_PSEUDONYM,
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
from kollega.speech.transcript_files import speaker_role
from kollega.speech.types import TurnDict
from kollega.workbench import adapters
from kollega.workbench.actions.analyses import do_add_transcript
from kollega.workbench.models import (
    COLOURS,
    AlsoCoded,
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
    nearest_colour,
)


def _turns(
    text: str, stc_turns: list[dict[str, Any]]
) -> tuple[list[TurnDict], Callable[[int], int]]:
    """Research turns from a source's text, and the map of its offsets onto their text.

    One turn per paragraph, with the speaker of the source's turn that covers it. Where that
    turn starts inside the paragraph after its label ("Interviewer: ..."), the label leaves the
    turn's text: the speaker is shown beside each turn, and would otherwise be shown twice.
    The map takes an offset in ``text`` to the same place in the turns' joined text; one
    inside a removed label goes to the start of the words after it.
    """
    turns: list[TurnDict] = []
    cuts: list[tuple[int, int]] = []  # the labels taken out, as ranges of ``text``
    pos = 0
    for piece in text.split(TURN_SEPARATOR):
        covering = next(
            (
                t
                for t in stc_turns
                if t["start"] <= pos + len(piece) and t["end"] > pos and t["speaker"]
            ),
            None,
        )
        speaker = covering["speaker"] if covering is not None else "speaker"
        label = 0
        if covering is not None and pos < covering["start"] < pos + len(piece):
            head = piece[: covering["start"] - pos]
            if speaker in head:
                label = len(head)
                cuts.append((pos, pos + label))
        turns.append(
            {"speaker": speaker_role(speaker), "start": None, "end": None, "text": piece[label:]}
        )
        pos += len(piece) + len(TURN_SEPARATOR)

    def moved(offset: int) -> int:
        shift = 0
        for a, b in cuts:
            if offset < b:
                return min(offset, a) - shift
            shift += b - a
        return offset - shift

    return turns, moved


def _held(person: Participant, text: str) -> Interview | None:
    """The person's interview whose de-identified transcript has exactly ``text``."""
    for transcript in Transcript.objects.filter(
        interview__participant=person, deidentified__isnull=False
    ).select_related("interview"):
        if transcript.text == text:
            return transcript.interview
    return None


def _interview_for(
    actor: User, study: Study, person: Participant, source: dict[str, Any], turns: list[TurnDict]
) -> Interview:
    """The person's interview holding exactly these turns' text, or a new one with them."""
    held = _held(person, TURN_SEPARATOR.join(t["text"] for t in turns))
    if held is not None:
        return held
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
    transcript.set_turns(turns)
    transcript.save()
    return interview


def _person(
    actor: User,
    study: Study,
    case: dict[str, Any],
    texts: list[str],
    made: dict[str, int],
) -> Participant:
    """The study's participant this case already is, or a new imported one.

    The case is the study's participant of the same pseudonym only where that participant
    holds one of the case's ``texts`` (its sources, as turns) already; any other case is kept
    apart from the recruited participants under a pseudonym of its own.
    """
    pseudonym = " ".join(case["pseudonym"].split())[:MAX_PSEUDONYM]
    found = study.participants.filter(pseudonym__iexact=pseudonym).first() if pseudonym else None
    if found is not None and any(_held(found, text) for text in texts):
        return found
    taken = {p.upper() for p in study.participants.values_list("pseudonym", flat=True)}
    free, n = pseudonym, 1
    while free.upper() in taken:
        n += 1
        free = f"{pseudonym[: MAX_PSEUDONYM - len(str(n)) - 3]} ({n})"
    made["participants"] += 1
    return research.do_add_participant(
        actor,
        study,
        pseudonym=free or research.next_pseudonym(study),
        imported=True,
        attributes=dict(case.get("attributes") or {}),
    )


@transaction.atomic
def do_import_qdpx(
    actor: User, study: Study, path: Any, *, name: str, deidentified: bool
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

    turns = {t["id"]: _turns(t["text"], t["turns"]) for t in data["transcripts"]}
    sources: dict[str, list[str]] = {}
    for t in data["transcripts"]:
        joined = TURN_SEPARATOR.join(turn["text"] for turn in turns[t["id"]][0])
        sources.setdefault(t["participant_id"] or "", []).append(joined)
    people = {
        p["id"]: _person(actor, study, p, sources.get(p["id"], []), made)
        for p in data["participants"]
    }
    versions = {}
    for t in data["transcripts"]:
        person = people.get(t["participant_id"] or "")
        if person is None:
            person = _person(actor, study, {"pseudonym": ""}, [], made)
        interview = _interview_for(actor, study, person, t, turns[t["id"]][0])
        versions[t["id"]] = do_add_transcript(actor, analysis, interview)
        made["transcripts"] += 1

    def placed(span: dict[str, Any]) -> tuple[int, int]:
        """The span's offsets in the imported version's text (past removed labels)."""
        moved = turns[span["transcript_id"]][1]
        return moved(span["start"]), moved(span["end"])

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
                    "start": placed(s)[0],
                    "end": placed(s)[1],
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
                colour=nearest_colour(g.get("color")) or len(groups) % len(COLOURS) + 1,
                codable=g.get("codable", True),
            )
            pending.remove(g)
    units = {}
    for u in data["meaning_units"]:
        span = u["span"]
        start, end = placed(span)
        if start >= end:
            made["skipped"] += 1
            continue
        coder = user(u["coder"])
        unit = MeaningUnit.objects.create(
            transcript=versions[span["transcript_id"]],
            start=start,
            end=end,
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
            AlsoCoded.objects.bulk_create(
                AlsoCoded(unit=unit, code_group=groups[g], coder=coder)
                for g in dict.fromkeys(u.get("also_code_group_ids", ()))
                if g != u["code_group_id"]
            )
    subgroups = {}
    for sg in data["subgroups"]:
        subgroups[sg["id"]] = Subgroup.objects.create(
            code_group=groups[sg["code_group_id"]], name=sg["name"][:200], **model_of(sg)
        )
        subgroups[sg["id"]].units.set([units[k] for k in sg["meaning_unit_ids"] if k in units])
    condensates: dict[Any, Condensate] = {}
    of_subgroup: dict[int, Condensate] = {}
    for c in data["condensates"]:
        subgroup = subgroups[c["subgroup_id"]]
        cited = [units[k] for k in c["meaning_unit_ids"] if k in units]
        # A subgroup holds one condensate: a second one in the file is joined to the first.
        same = of_subgroup.get(subgroup.pk)
        if same is not None:
            same.text = f"{same.text}\n\n{c['text']}"
            same.save(update_fields=["text"])
            same.units.add(*cited)
            condensates[c["id"]] = same
            continue
        made_one = Condensate.objects.create(
            subgroup=subgroup,
            text=c["text"],
            extractive=c["extractive"],
            author=actor,
            **model_of(c),
        )
        made_one.units.set(cited)
        condensates[c["id"]] = of_subgroup[subgroup.pk] = made_one
    quotes = {}
    for q in data["golden_quotes"]:
        span = q["span"]
        start, end = placed(span)
        if start >= end:
            made["skipped"] += 1
            continue
        quotes[q["id"]] = GoldenQuote.objects.create(
            subgroup=subgroups[q["subgroup_id"]],
            transcript=versions[span["transcript_id"]],
            start=start,
            end=end,
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
        target = (
            {"code_group": groups[a["target_id"]]}
            if a["target_kind"] == "code_group"
            else {"category": categories[a["target_id"]]}
        )
        text = "\n\n".join(p["text"] for p in paragraphs)
        # A code group or category holds one analytic text: a second one is joined to it.
        written = AnalyticText.objects.filter(analysis=analysis, **target).first()
        if written is None:
            written = AnalyticText(analysis=analysis, text=text, author=user(a["author"]), **target)
        else:
            written.text = f"{written.text}\n\n{text}"
        written.save()
        written.condensates.add(*[condensates[c] for p in paragraphs for c in p["condensate_ids"]])
        written.quotes.add(*[quotes[q] for p in paragraphs for q in p["quote_ids"] if q in quotes])
    for m in data["memos"]:
        # A memo keeps its subject when the file says it (a code, a source, a coded passage).
        about = m.get("target_id") or ""
        subject = (
            f"code_group:{groups[about].pk}"
            if about in groups
            else f"unit:{units[about].pk}"
            if about in units
            else f"transcript:{versions[about].pk}"
            if about in versions
            else ""
        )
        Memo.objects.create(
            analysis=analysis, author=user(m["author"]), text=m["text"], target=subject
        )
    record(actor, AuditAction.WORKBENCH_ANALYSIS_IMPORT_QDPX, analysis, study=study.pk, made=made)
    return analysis, made


@transaction.atomic
def do_import_qdc(actor: User, analysis: Analysis, path: Any) -> dict[str, int]:
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
                colour=nearest_colour(g.get("color"))
                or analysis.code_groups.count() % len(COLOURS) + 1,
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
    record(actor, AuditAction.WORKBENCH_CODEBOOK_IMPORT, analysis, made=made)
    return made


def imported_cases(analysis: Analysis) -> list[Participant]:
    """The imported cases whose transcripts this analysis holds, by pseudonym."""
    return list(
        Participant.objects.filter(
            imported=True,
            study_id=analysis.study_id,
            interviews__analysis_transcripts__analysis=analysis,
        )
        .distinct()
        .order_by("pseudonym")
    )


@transaction.atomic
def do_link_case(
    actor: User, analysis: Analysis, *, case_pk: int, participant_pk: int
) -> Participant:
    """The imported case is the recruited participant: its interviews (with their transcripts
    and everything coded in them), its typology ticks and its case variables move to the
    participant, and the case is removed. The form asks the researcher to confirm first;
    this cannot be undone from the page (the audit event keeps both ids)."""
    case = next((c for c in imported_cases(analysis) if c.pk == case_pk), None)
    if case is None:
        raise ActionRefused(_("Unknown imported case."))
    person = (
        Participant.objects.select_for_update()
        .filter(pk=participant_pk, study_id=analysis.study_id, imported=False)
        .first()
    )
    if person is None:
        raise ActionRefused(_("Choose one of the study's recruited participants."))
    interviews = Interview.objects.filter(participant=case).update(participant=person)
    for category in case.analysis_categories.all():
        category.participants.remove(case)
        category.participants.add(person)
    added = {k: v for k, v in (case.attributes or {}).items() if k not in person.attributes}
    if added:
        person.attributes = {**person.attributes, **added}
        person.save(update_fields=["attributes"])
    case_pk = case.pk
    case.delete()
    record(
        actor,
        AuditAction.WORKBENCH_CASE_LINK,
        person,
        analysis=analysis.pk,
        case=case_pk,
        interviews=interviews,
        attributes=len(added),
    )
    return person
