"""The demo analysis: sara's analysis of three de-identified interviews, part-way through step 3.

Steps 1 and 2 are done (themes noted and shared, code groups, meaning units sorted); in step 3
two code groups have subgroups with condensates and golden quotes, one has subgroups without
condensates yet, and one is untouched. Everything is built through the actions the pages use.
Every sentence is invented for the demo. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.audit import Actor
from kollega.research import actions as research
from kollega.research import demo as research_demo
from kollega.research.models import FindingDecision, Interview, InterviewKind, Study
from kollega.workbench import actions
from kollega.workbench.actions import condensation
from kollega.workbench.models import Analysis, AnalysisTranscript, CodeGroup

NAME = "Hvorfor leger søker hjelp, første runde"

# P02's first interview (the research demo holds only P02's follow-up).
INTERVIEW_P02_FIRST = [
    ("interviewer", 0.0, "Kan du fortelle hva som gjorde at du tok kontakt nå?"),
    (
        "participant",
        5.0,
        "Jeg hadde hatt nattevakter i tre uker i strekk, og jeg merket at jeg ikke klarte å "
        "sove selv når jeg hadde fri. Jeg gikk og grublet på pasientene hele tiden.",
    ),
    ("interviewer", 19.0, "Hva holdt deg tilbake før du ringte?"),
    (
        "participant",
        22.5,
        "Jeg var redd for at noen på vaktrommet skulle få vite det. Hos oss snakker alle med "
        "alle, og den som sliter blir fort et tema.",
    ),
    ("interviewer", 36.0, "Hva håpet du å få ut av samtalen?"),
    (
        "participant",
        39.0,
        "Jeg ville snakke med en kollega som forstår hvordan vaktene er, ikke en behandler. "
        "Jeg trengte egentlig bare noen som sa at det var lov å være sliten.",
    ),
]

# P04's first interview.
INTERVIEW_P04 = [
    ("interviewer", 0.0, "Takk for at du stiller opp. Hvordan hadde du det da du tok kontakt?"),
    (
        "participant",
        6.0,
        "Jeg hadde vært sykemeldt i to måneder og visste ikke om jeg ville tilbake til "
        "avdelingen. Det var en konflikt med ledelsen som hadde vart i over et år.",
    ),
    ("interviewer", 21.0, "Hvordan var det å be om hjelp?"),
    (
        "participant",
        24.0,
        "Det var flaut. Man er vant til å være den som hjelper. Men det hjalp at det ikke ble "
        "skrevet noe i en journal, og at arbeidsgiveren ikke fikk vite noe.",
    ),
    ("interviewer", 38.5, "Hva fikk du ut av samtalene?"),
    (
        "participant",
        41.0,
        "Vi la en plan for hvordan jeg kunne komme tilbake gradvis, og hun hjalp meg å se at "
        "jeg kunne be om en annen stilling. Jeg gikk derfra med noe konkret å gjøre.",
    ),
    ("interviewer", 58.0, "Er det noe du savnet?"),
    (
        "participant",
        61.0,
        "Jeg skulle ønske at noen hadde spurt meg mye tidligere. Jeg tror jeg hadde slitt "
        "lenge før jeg selv skjønte det.",
    ),
]

# Code group → (description, the participant's words to mark as meaning units)
CODING = {
    "Sliten og overbelastet": (
        "Søvn, vakter, grubling: kroppen og hodet sier stopp.",
        [
            "Jeg hadde hatt nattevakter i tre uker i strekk, og jeg merket at jeg ikke klarte å "
            "sove selv når jeg hadde fri.",
            "Jeg gikk og grublet på pasientene hele tiden.",
            "Jeg tror jeg hadde slitt lenge før jeg selv skjønte det.",
        ],
    ),
    "Frykt for at andre får vite": (
        "Vaktrommet, journalen, arbeidsgiveren: hvem som kan få vite.",
        [
            "Jeg var redd for at noen på vaktrommet skulle få vite det.",
            "Hos oss snakker alle med alle, og den som sliter blir fort et tema.",
            "Men det hjalp at det ikke ble skrevet noe i en journal, og at arbeidsgiveren ikke "
            "fikk vite noe.",
            "det var ingen der jeg kunne snakke med uten at det ble et tema på vaktrommet.",
        ],
    ),
    "En kollega, ikke en behandler": (
        "Å møte en som kjenner legelivet, uten diagnose og journal.",
        [
            "Jeg ville snakke med en kollega som forstår hvordan vaktene er, ikke en behandler.",
            "Jeg trengte egentlig bare noen som sa at det var lov å være sliten.",
            "Det var flaut. Man er vant til å være den som hjelper.",
            "Hun sa det var helt vanlig å slite etter en tung sak, og at jeg ikke trengte å ha "
            "en diagnose for å ringe.",
        ],
    ),
    "Veien tilbake til arbeid": (
        "Sykemelding, konflikt og en plan for å komme tilbake.",
        [
            "Jeg hadde vært sykemeldt i to måneder og visste ikke om jeg ville tilbake til "
            "avdelingen.",
            "Vi la en plan for hvordan jeg kunne komme tilbake gradvis, og hun hjalp meg å se at "
            "jeg kunne be om en annen stilling.",
        ],
    ),
}

# Step 3 so far: code group → [(subgroup, its units by index, condensate or "", quote index)]
CONDENSED: dict[str, list[tuple[str, list[int], str, int | None]]] = {
    "Sliten og overbelastet": [
        (
            "Søvnen forsvinner",
            [0, 1],
            "Etter uker med vakter fikk jeg ikke sove, heller ikke når jeg hadde fri. Jeg gikk "
            "og tenkte på pasientene hele tiden, og til slutt skjønte jeg at jeg måtte gjøre "
            "noe.",
            0,
        ),
        (
            "Ser det for sent",
            [2],
            "Jeg hadde slitt lenge før jeg selv skjønte det.",
            2,
        ),
    ],
    "Frykt for at andre får vite": [
        (
            "Vaktrommet",
            [0, 1, 3],
            "Der jeg jobber snakker alle med alle, og jeg var redd for at det skulle bli et "
            "tema på vaktrommet at jeg slet.",
            1,
        ),
        (
            "Ingen journal, ingen arbeidsgiver",
            [2],
            "",
            None,
        ),
    ],
    "En kollega, ikke en behandler": [
        ("Lov å være sliten", [0, 1, 3], "", None),
        ("Den som hjelper", [2], "", None),
    ],
}


def load(stdout: Any) -> None:
    sara = get_user_model().objects.filter(username="sara").first()
    study = Study.objects.filter(title=research_demo.TITLE).first()
    if sara is None or study is None or Analysis.objects.filter(study=study, name=NAME).exists():
        return
    with transaction.atomic():
        analysis = actions.do_create_analysis(sara, study, name=NAME)
        for interview in _deidentified_interviews(sara, study):
            actions.do_add_transcript(sara, analysis, interview)
        versions = list(analysis.transcripts.filter(current=True))
        for label, description in (
            ("Søvn og grubling", "Flere forteller om vakter som tar søvnen."),
            ("Redsel for at kolleger får vite", ""),
            ("Å være den som hjelper", "Rollen som lege står i veien for å be om hjelp."),
        ):
            actions.do_add_theme(sara, analysis, label=label, description=description)
        actions.do_share_themes(sara, analysis)
        groups = {}
        for name, (description, passages) in CODING.items():
            group = actions.do_add_code_group(sara, analysis, name=name, description=description)
            groups[name] = (group, [_unit(sara, versions, group, words) for words in passages])
        for name, subgroups in CONDENSED.items():
            group, units = groups[name]
            _condense(sara, group, units, subgroups)
        _memos(sara, analysis, groups, versions)
    stdout.write(
        f"Workbench demo: analysis '{NAME}' of three interviews, part-way through step 3, "
        "for the researcher sara."
    )


def _memos(
    actor: User,
    analysis: Analysis,
    groups: dict[str, tuple[CodeGroup, list[Any]]],
    versions: list[AnalysisTranscript],
) -> None:
    """A few memos as a researcher writes them along the way (invented for the demo)."""
    group, units = next(iter(groups.values()))
    for target, text in (
        ("", "Hjelpebehovet ser ut til å komme etter lange vaktperioder. Sjekk mot runde to."),
        (
            f"transcript:{versions[0].pk}",
            "Intervjuet var kort; deltakeren svarte presist og tok ikke opp familien.",
        ),
        (
            f"code_group:{group.pk}",
            "Skal søvn og grubling stå sammen, eller er grublingen en egen kodegruppe?",
        ),
        (f"unit:{units[0].pk}", "Typisk formulering: varigheten («tre uker i strekk») går igjen."),
    ):
        actions.do_add_memo(actor, analysis, target=target, text=text)


def _deidentified_interviews(actor: Actor, study: Study) -> list[Interview]:
    """P02's follow-up (de-identified by the research demo) and two more interviews."""
    today = timezone.localdate()
    p02 = study.participants.get(pseudonym="P02")
    p04 = study.participants.get(pseudonym="P04")
    made = [
        (p02, InterviewKind.FIRST, today - timedelta(days=380), INTERVIEW_P02_FIRST),
        (p04, InterviewKind.FIRST, today - timedelta(days=9), INTERVIEW_P04),
    ]
    interviews = list(
        Interview.objects.filter(
            participant__study=study, transcript__deidentified__isnull=False
        ).order_by("pk")
    )
    for person, kind, on, turns in made:
        interview = research.do_create_interview(
            actor, person, kind=kind, scheduled_on=on, language="nb"
        )
        transcript = research_demo._transcript(interview, turns)
        research.propose_identifiers(transcript)
        # These interviews name nobody: every proposal is a false alarm, kept as it is.
        transcript.findings.update(decision=FindingDecision.REJECTED)
        research.do_apply_deidentification(actor, transcript)
        interviews.append(interview)
    return interviews


def _unit(actor: User, versions: list[AnalysisTranscript], group: CodeGroup, words: str) -> Any:
    for version in versions:
        start = version.text.find(words)
        if start >= 0:
            return actions.do_create_unit(
                actor, version, start=start, end=start + len(words), code_group=group
            )
    raise ValueError(f"demo words not found in any transcript: {words[:40]!r}")


def _condense(
    actor: User,
    group: CodeGroup,
    units: list[Any],
    subgroups: list[tuple[str, list[int], str, int | None]],
) -> None:
    for name, members, text, quote in subgroups:
        chosen = [units[i] for i in members]
        subgroup = condensation.do_add_subgroup(
            actor, group, name=name, unit_pks=[u.pk for u in chosen]
        )
        if text:
            condensation.do_save_condensate(
                actor, subgroup, text=text, unit_pks=[u.pk for u in chosen]
            )
        if quote is not None:
            unit = units[quote]
            condensation.do_choose_quote(
                actor, subgroup, unit_pk=unit.pk, start=unit.start, end=unit.end
            )
