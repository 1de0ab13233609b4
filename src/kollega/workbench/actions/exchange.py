"""REFI-QDA imports: a ``.qdpx`` project as a new analysis, a ``.qdc`` codebook into one.

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

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
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
from kollega.speech.transcript_files import speaker_role
from kollega.speech.types import TurnDict
from kollega.workbench import adapters
from kollega.workbench.actions.analyses import do_add_transcript
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


def _turns(text: str, stc_turns: list[dict[str, Any]]) -> list[TurnDict]:
    """Research turns whose joined text is exactly ``text``: one per paragraph, each with
    the speaker of the source's turn that covers it."""
    turns: list[TurnDict] = []
    pos = 0
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
                "speaker": speaker_role(speaker),
                "start": None,
                "end": None,
                "text": piece,
            }
        )
        pos += len(piece) + len(TURN_SEPARATOR)
    return turns


def _interview_for(
    actor: User, study: Study, person: Participant, source: dict[str, Any]
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


def _person(actor: User, study: Study, pseudonym: str, made: dict[str, int]) -> Participant:
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
