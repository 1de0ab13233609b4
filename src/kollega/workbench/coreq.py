"""The COREQ checklist (Tong, Sainsbury and Craig 2007): 32 items a qualitative report states.

Kollega fills in what its records show (the study, its interviews and the analysis) and lists
the rest as missing, for the researchers to write. It never guesses: an item the records
cannot answer stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.utils.translation import pgettext_lazy as p_

from kollega.workbench.results import RoundFigures, Table, round_line

TEAM = gettext_lazy("Research team and reflexivity")
DESIGN = gettext_lazy("Study design")
ANALYSIS = gettext_lazy("Analysis and findings")

# (number, domain, topic, what the item asks)
ITEMS = [
    (1, TEAM, p_("coreq", "Interviewer or facilitator"), gettext_lazy("Who did the interviews?")),
    (2, TEAM, p_("coreq", "Credentials"), gettext_lazy("The researchers' credentials.")),
    (3, TEAM, p_("coreq", "Occupation"), gettext_lazy("Their occupation during the study.")),
    (4, TEAM, p_("coreq", "Gender"), gettext_lazy("The researchers' gender.")),
    (5, TEAM, p_("coreq", "Experience and training"), gettext_lazy("What they were trained in.")),
    (
        6,
        TEAM,
        p_("coreq", "Relationship established"),
        gettext_lazy("Was there a relationship before the study began?"),
    ),
    (
        7,
        TEAM,
        p_("coreq", "Participant knowledge of the interviewer"),
        gettext_lazy("What participants knew about the researcher and why they did the study."),
    ),
    (
        8,
        TEAM,
        p_("coreq", "Interviewer characteristics"),
        gettext_lazy("Assumptions, interests and possible bias reported about the interviewer."),
    ),
    (
        9,
        DESIGN,
        p_("coreq", "Methodological orientation and theory"),
        gettext_lazy("The method the study rests on."),
    ),
    (10, DESIGN, p_("coreq", "Sampling"), gettext_lazy("How participants were selected.")),
    (
        11,
        DESIGN,
        p_("coreq", "Method of approach"),
        gettext_lazy("How participants were approached."),
    ),
    (12, DESIGN, p_("coreq", "Sample size"), gettext_lazy("How many took part.")),
    (
        13,
        DESIGN,
        p_("coreq", "Non-participation"),
        gettext_lazy("How many declined or dropped out, and why."),
    ),
    (
        14,
        DESIGN,
        p_("coreq", "Setting of data collection"),
        gettext_lazy("Where the data came from."),
    ),
    (
        15,
        DESIGN,
        p_("coreq", "Presence of non-participants"),
        gettext_lazy("Was anyone else present at the interviews?"),
    ),
    (
        16,
        DESIGN,
        p_("coreq", "Description of sample"),
        gettext_lazy("The important characteristics of the sample, and when."),
    ),
    (
        17,
        DESIGN,
        p_("coreq", "Interview guide"),
        gettext_lazy("Questions and prompts used; was the guide tested first?"),
    ),
    (18, DESIGN, p_("coreq", "Repeat interviews"), gettext_lazy("Were there repeat interviews?")),
    (
        19,
        DESIGN,
        p_("coreq", "Audio or visual recording"),
        gettext_lazy("Were the interviews recorded?"),
    ),
    (20, DESIGN, p_("coreq", "Field notes"), gettext_lazy("Were field notes made?")),
    (21, DESIGN, p_("coreq", "Duration"), gettext_lazy("How long the interviews lasted.")),
    (22, DESIGN, p_("coreq", "Data saturation"), gettext_lazy("Was saturation discussed?")),
    (
        23,
        DESIGN,
        p_("coreq", "Transcripts returned"),
        gettext_lazy("Did participants see their transcripts to comment or correct?"),
    ),
    (24, ANALYSIS, p_("coreq", "Number of data coders"), gettext_lazy("How many coded the data.")),
    (
        25,
        ANALYSIS,
        p_("coreq", "Description of the coding tree"),
        gettext_lazy("Is the coding tree described?"),
    ),
    (
        26,
        ANALYSIS,
        p_("coreq", "Derivation of themes"),
        gettext_lazy("Were themes set in advance or derived from the data?"),
    ),
    (27, ANALYSIS, p_("coreq", "Software"), gettext_lazy("Software used to manage the data.")),
    (
        28,
        ANALYSIS,
        p_("coreq", "Participant checking"),
        gettext_lazy("Did participants give feedback on the findings?"),
    ),
    (
        29,
        ANALYSIS,
        p_("coreq", "Quotations presented"),
        gettext_lazy("Are quotations shown, each identified (e.g. by participant number)?"),
    ),
    (
        30,
        ANALYSIS,
        p_("coreq", "Data and findings consistent"),
        gettext_lazy("Do the data presented and the findings agree?"),
    ),
    (
        31,
        ANALYSIS,
        p_("coreq", "Clarity of major themes"),
        gettext_lazy("Are the major themes clearly presented?"),
    ),
    (
        32,
        ANALYSIS,
        p_("coreq", "Clarity of minor themes"),
        gettext_lazy("Are diverse cases or minor themes described?"),
    ),
]


@dataclass(slots=True)
class StudyFacts:
    """What the records say about a study and its analysis; ``None`` or empty: not known."""

    researchers: list[str] = field(default_factory=list)
    participants: int = 0
    study_participants: int = 0
    withdrawn: int = 0
    first_interviews: int = 0
    follow_ups: int = 0
    first_date: date | None = None
    last_date: date | None = None
    recorded: int = 0
    durations_s: list[float] = field(default_factory=list)
    transcribed_here: int = 0
    imported: int = 0
    coders: list[str] = field(default_factory=list)
    # Each compared transcript's first and last kept round of comparing coders.
    rounds: list[RoundFigures] = field(default_factory=list)
    code_groups: int = 0
    top_level_groups: int = 0
    themes: int = 0
    theme_researchers: int = 0
    suggested_themes: int = 0
    categories: list[str] = field(default_factory=list)
    subgroups: int = 0
    golden_quotes: int = 0
    quotes_identified: int = 0
    check_problems: int | None = None
    software: str = ""
    # The protocol and the recruitment records.
    sampling_dimensions: list[str] = field(default_factory=list)
    target_sample: int | None = None
    invited: int = 0
    accepted: int = 0
    declined: int = 0
    unanswered: int = 0
    excluded: int = 0
    from_service: int = 0
    guide_topics: list[str] = field(default_factory=list)
    guide_prompts: int = 0


@dataclass(slots=True)
class CoreqItem:
    number: int
    domain: str
    topic: str
    asks: str
    answer: str = ""

    @property
    def missing(self) -> bool:
        return not self.answer


def _minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def _answers(f: StudyFacts) -> dict[int, str]:
    a: dict[int, str] = {}
    if f.researchers:
        a[1] = _("Researchers named on the study: %(names)s (confirm who interviewed).") % {
            "names": ", ".join(f.researchers)
        }
    a[9] = _(
        "Systematic text condensation (Malterud 2012), a descriptive and explorative method "
        "for thematic cross-case analysis."
    )
    if f.sampling_dimensions or f.target_sample:
        a[10] = _sampling(f)
    if f.invited:
        a[11] = _(
            "Invited through the service, which passed on the invitation to users who had "
            "agreed to be asked: %(invited)d invited, %(accepted)d accepted, %(declined)d "
            "declined, %(unanswered)d did not answer."
        ) % {
            "invited": f.invited,
            "accepted": f.accepted,
            "declined": f.declined,
            "unanswered": f.unanswered,
        }
    if f.participants:
        a[12] = ngettext(
            "%(n)d participant in the analysis (%(study)d in the study).",
            "%(n)d participants in the analysis (%(study)d in the study).",
            f.participants,
        ) % {"n": f.participants, "study": f.study_participants}
    if f.invited or f.withdrawn or f.excluded:
        a[13] = _non_participation(f)
    if f.from_service:
        a[14] = ngettext(
            "%(n)d participant was recruited among the service's users who agreed to be asked "
            "about research.",
            "%(n)d participants were recruited among the service's users who agreed to be "
            "asked about research.",
            f.from_service,
        ) % {"n": f.from_service}
    if f.first_date and f.last_date:
        a[16] = _("Interviewed from %(first)s to %(last)s.") % {
            "first": f.first_date.isoformat(),
            "last": f.last_date.isoformat(),
        }
    if f.first_interviews or f.follow_ups:
        a[18] = (
            ngettext(
                "Yes: %(n)d follow-up interview besides %(first)d first interviews.",
                "Yes: %(n)d follow-up interviews besides %(first)d first interviews.",
                f.follow_ups,
            )
            if f.follow_ups
            else _("No: %(first)d first interviews only.")
        ) % {"n": f.follow_ups, "first": f.first_interviews}
    if f.guide_topics:
        a[17] = ngettext(
            "The interview guide has %(n)d topic (%(prompts)d prompts): %(topics)s. Whether "
            "it was tested first is not recorded.",
            "The interview guide has %(n)d topics (%(prompts)d prompts): %(topics)s. Whether "
            "it was tested first is not recorded.",
            len(f.guide_topics),
        ) % {
            "n": len(f.guide_topics),
            "prompts": f.guide_prompts,
            "topics": "; ".join(f.guide_topics),
        }
    total = f.first_interviews + f.follow_ups
    if total:
        a[19] = _(
            "Audio recorded: %(recorded)d of %(total)d interviews; transcribed here: "
            "%(here)d; transcripts imported: %(imported)d."
        ) % {
            "recorded": f.recorded,
            "total": total,
            "here": f.transcribed_here,
            "imported": f.imported,
        }
    if f.durations_s:
        low, high = _minutes(min(f.durations_s)), _minutes(max(f.durations_s))
        mean = _minutes(sum(f.durations_s) / len(f.durations_s))
        a[21] = _("%(low)d to %(high)d minutes (mean %(mean)d), from the recordings.") % {
            "low": low,
            "high": high,
            "mean": mean,
        }
    if f.coders:
        a[24] = ngettext("%(n)d coder: %(names)s.", "%(n)d coders: %(names)s.", len(f.coders)) % {
            "n": len(f.coders),
            "names": ", ".join(f.coders),
        }
    if f.rounds:
        agreement = " ".join(round_line(r) for r in f.rounds)
        a[24] = f"{a[24]} {agreement}" if 24 in a else agreement
    if f.code_groups:
        a[25] = _(
            "%(groups)d code groups (%(top)d at the top level) in the results table and the "
            "exported codebook (.qdc)."
        ) % {"groups": f.code_groups, "top": f.top_level_groups}
    if f.themes:
        a[26] = ngettext(
            "Derived from the data: %(themes)d preliminary themes noted by %(people)d "
            "researcher after reading the transcripts (%(suggested)d of them first suggested "
            "by clustering and accepted by a researcher).",
            "Derived from the data: %(themes)d preliminary themes noted by %(people)d "
            "researchers after reading the transcripts (%(suggested)d of them first suggested "
            "by clustering and accepted by a researcher).",
            f.theme_researchers,
        ) % {"themes": f.themes, "people": f.theme_researchers, "suggested": f.suggested_themes}
    if f.software:
        a[27] = f.software
    if f.golden_quotes:
        a[29] = _("%(n)d golden quotes, %(identified)d identified by participant pseudonym.") % {
            "n": f.golden_quotes,
            "identified": f.quotes_identified,
        }
    if f.check_problems == 0:
        a[30] = _(
            "The recontextualisation check passed: every quote and meaning unit matches its "
            "transcript, and every code group has a condensate and an analytic text."
        )
    if f.categories:
        a[31] = _("Categories: %(names)s.") % {"names": "; ".join(f.categories)}
    return a


def _sampling(f: StudyFacts) -> str:
    parts = []
    if f.sampling_dimensions:
        parts.append(
            _("Purposive sampling for maximum variation in: %(dimensions)s.")
            % {"dimensions": ", ".join(f.sampling_dimensions)}
        )
    if f.target_sample:
        parts.append(_("Target sample: %(n)d participants.") % {"n": f.target_sample})
    return " ".join(parts)


def _non_participation(f: StudyFacts) -> str:
    parts = []
    if f.invited:
        parts.append(
            _("%(declined)d of %(invited)d invited declined; %(unanswered)d did not answer.")
            % {"declined": f.declined, "invited": f.invited, "unanswered": f.unanswered}
        )
    if f.excluded:
        parts.append(
            ngettext(
                "%(n)d participant was excluded, not interviewed within the window.",
                "%(n)d participants were excluded, not interviewed within the window.",
                f.excluded,
            )
            % {"n": f.excluded}
        )
    if f.withdrawn:
        parts.append(
            ngettext(
                "%(n)d participant withdrew (reasons are not recorded).",
                "%(n)d participants withdrew (reasons are not recorded).",
                f.withdrawn,
            )
            % {"n": f.withdrawn}
        )
    return " ".join(parts)


def checklist(facts: StudyFacts) -> list[CoreqItem]:
    """The 32 items in order, each answered from ``facts`` where the records allow."""
    answers = _answers(facts)
    return [
        CoreqItem(n, str(domain), str(topic), str(asks), answers.get(n, ""))
        for n, domain, topic, asks in ITEMS
    ]


def coreq_table(items: list[CoreqItem]) -> Table:
    """The checklist as a results table; the note lists the items still to write."""
    missing = [str(i.number) for i in items if i.missing]
    note = (
        _("Missing, for the researchers to write: items %(items)s.") % {"items": ", ".join(missing)}
        if missing
        else _("Every item is answered.")
    )
    rows = [
        [str(i.number), i.domain, i.topic, i.answer or _("Missing: %(asks)s") % {"asks": i.asks}]
        for i in items
    ]
    return Table(
        "coreq",
        _("COREQ checklist"),
        [_("no."), _("domain"), _("item"), _("answer")],
        rows,
        note,
    )
