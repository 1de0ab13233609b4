"""Results: the report's tables and downloads, and the COREQ facts they are built from.

The REFI-QDA imports are actions (``actions/exchange.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

import kollega
from kollega.core.audit import AuditAction
from kollega.core.models import AuditEvent
from kollega.research.models import (
    Exclusion,
    Interview,
    InterviewKind,
    InvitationStatus,
    Language,
    TranscriptSource,
)
from kollega.workbench import coreq, results
from kollega.workbench.actions.synthesis import check
from kollega.workbench.models import (
    Analysis,
    CodingRound,
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


def kept_rounds(analysis: Analysis) -> tuple[list[results.RoundFigures], list[str]]:
    """Each compared interview's first and last round (one when it had one), in pseudonym
    order, and the usernames of every coder of a round."""
    by_interview: dict[int, list[CodingRound]] = {}
    rounds = (
        CodingRound.objects.filter(transcript__analysis=analysis)
        .select_related("transcript__interview__participant")
        .prefetch_related("differences")
        .defer("transcript__text", "transcript__turns_json")
        .order_by(
            "transcript__interview__participant__pseudonym", "transcript__interview_id", "number"
        )
    )
    coders: set[int] = set()
    for r in rounds:
        by_interview.setdefault(r.transcript.interview_id, []).append(r)
        coders |= {int(c) for c in r.coders}
    out = []
    for kept in by_interview.values():
        chosen = [("first", kept[0])] + ([("last", kept[-1])] if len(kept) > 1 else [])
        for which, r in chosen:
            interview = r.transcript.interview
            differences = list(r.differences.all())
            out.append(
                results.RoundFigures(
                    transcript=f"{interview.participant.pseudonym} "
                    f"({InterviewKind(interview.kind).label})",
                    which=which,
                    number=r.number,
                    compared_on=r.opened_at.date(),
                    coders=len(r.coders),
                    kappa=r.figures.get("kappa"),
                    alpha=r.figures.get("alpha"),
                    differences=len(differences),
                    settled=sum(d.settled for d in differences),
                    closed=not r.is_open,
                )
            )
    names = sorted(
        get_user_model()
        .objects.filter(pk__in=coders)
        .values_list(get_user_model().USERNAME_FIELD, flat=True)
    )
    return out, names


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
        action=AuditAction.RESEARCH_PARTICIPANT_WITHDRAW, details__study=study.pk
    ).count()
    groups = data["code_groups"]
    owner = {t["id"]: t["participant_id"] for t in data["transcripts"]}
    accepted_themes = analysis.themes.filter(state=ThemeState.ACCEPTED).count()
    answers = Counter(study.invitations.values_list("status", flat=True))
    guide = list(study.guide_topics.all())
    rounds, round_coders = kept_rounds(analysis)
    return coreq.StudyFacts(
        researchers=sorted(u.get_full_name() or u.get_username() for u in study.researchers.all()),
        participants=len({i.participant_id for i in interviews}),
        # Cases of an imported project were never recruited: only recruited people count.
        study_participants=study.participants.filter(imported=False).count(),
        withdrawn=withdrawn,
        first_interviews=sum(i.kind == InterviewKind.FIRST for i in interviews),
        follow_ups=sum(i.kind == InterviewKind.FOLLOW_UP for i in interviews),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        recorded=len(recordings),
        durations_s=[r.duration_s for r in recordings],
        transcribed_here=sources.count(TranscriptSource.TRANSCRIBED),
        imported=sources.count(TranscriptSource.IMPORTED),
        coders=sorted(
            {u["coder"] for u in data["meaning_units"] if u["code_group_id"]} | set(round_coders)
        ),
        rounds=rounds,
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
        sampling_dimensions=study.dimension_labels(),
        target_sample=study.target_sample,
        invited=answers.total(),
        accepted=answers[InvitationStatus.ACCEPTED],
        declined=answers[InvitationStatus.DECLINED],
        unanswered=answers[InvitationStatus.PENDING],
        excluded=Exclusion.objects.filter(participant__study=study)
        .values("participant")
        .distinct()
        .count(),
        from_service=study.participants.filter(link__isnull=False).count(),
        guide_topics=[t.topic for t in guide],
        guide_prompts=sum(len(t.prompt_lines()) for t in guide),
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
    built = snapshot(analysis) if sections or set(keys) - {"participants"} else None
    data = built.data if built and built.data is not None else {}
    checked = check(analysis, built) if sections or "coreq" in keys else None
    build = {
        "steps": lambda: results.steps_table(data, round_coders=kept_rounds(analysis)[1]),
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
    agreement = results.agreement_section(kept_rounds(analysis)[0])
    return tables, [
        agreement,
        *results.analytic_sections(data),
        *results.memo_section(data),
        outcome,
    ]


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
            results.to_docx(title, chosen, extra, author=settings.KOLLEGA_ORGANISATION),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    raise KeyError(fmt)
