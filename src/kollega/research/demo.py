"""A demo study: participants by pseudonym, interviews in every state of the transcript's life.

Every sentence, name, number and place in the transcripts is invented for the demo. The
identifiers in them are there on purpose, for the de-identification review to find. Loading
twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kollega.core.audit import Actor
from kollega.research import actions
from kollega.research.models import (
    FindingDecision,
    Interview,
    InterviewKind,
    Study,
    Transcript,
    TranscriptSource,
    TurnMethod,
)
from kollega.research.recruitment import candidates
from kollega.sampling import propose_sample
from kollega.service.models import Case
from kollega.service.pool import pool_member

TITLE = "Hjelpsøking blant leger som kontakter Kollega"
AIMS = (
    "Å utforske hva som får leger til å be om hjelp for egen helse, hva som holder dem tilbake, "
    "og hvordan de opplever kollegastøtte. Kvalitative intervjuer innen 10 dager etter første "
    "kontakt og etter ett år, analysert med systematisk tekstkondensering."
)

# (speaker, start seconds, text)
INTERVIEW_P01 = [
    (
        "interviewer",
        0.0,
        "Takk for at du ville være med. Kan du fortelle hva som gjorde at du tok kontakt?",
    ),
    (
        "participant",
        6.5,
        "Ja. Jeg jobber som overlege ved Sykehuset Innlandet på Hamar, og i høst ble det rett og slett for mye. Jeg sov dårlig i flere uker før jeg skjønte at jeg måtte gjøre noe.",
    ),
    ("interviewer", 21.0, "Hva var det som til slutt fikk deg til å ringe?"),
    (
        "participant",
        25.2,
        "Det var egentlig kollegaen min, Marte Lien. Hun sa at hun hadde snakket med noen her selv, og at ingen på jobben fikk vite om det. Marte ga meg nummeret, 412 56 789, og så ble det liggende en uke før jeg turte.",
    ),
    ("interviewer", 44.0, "Hva tenkte du på den uka?"),
    (
        "participant",
        47.3,
        "At jeg burde klare meg selv. Jeg er 52 år og har vært lege i over tjue år. Man skal liksom være den som hjelper, ikke den som trenger hjelp.",
    ),
    ("interviewer", 60.8, "Hvordan var den første samtalen?"),
    (
        "participant",
        64.0,
        "Overraskende lett. Han jeg snakket med, dr. Hovland, var selv fastlege i Gjøvik, og han skjønte med en gang hvordan vaktene våre er. Vi møttes 3. oktober på et kontor i Lillehammer, ikke på sykehuset, og det betydde mye.",
    ),
    ("interviewer", 82.5, "Var det noe som gjorde det vanskelig?"),
    (
        "participant",
        86.1,
        "Jeg var redd for at det skulle havne i journalen eller at Helsetilsynet skulle få vite om det. Jeg ba om at de bare skulle bruke e-posten min, trond.ask@example.no, ikke jobbtelefonen.",
    ),
]

INTERVIEW_P02 = [
    ("interviewer", 0.0, "Du har nå hatt tre samtaler. Hvordan ser du på det i dag?"),
    (
        "participant",
        5.0,
        "Jeg er glad jeg gjorde det. Jeg jobber på legevakta i Bodø, og det var ingen der jeg kunne snakke med uten at det ble et tema på vaktrommet.",
    ),
    ("interviewer", 15.4, "Hva har vært viktigst for deg?"),
    (
        "participant",
        18.9,
        "At hun jeg snakket med, Kari Nygård, ikke var en behandler, men en kollega. Hun sa det var helt vanlig å slite etter en tung sak, og at jeg ikke trengte å ha en diagnose for å ringe.",
    ),
    ("interviewer", 33.2, "Ville du anbefalt det til andre?"),
    (
        "participant",
        36.0,
        "Ja. Jeg har allerede sagt det til en turnuslege hos oss, Jonas Berg. Men jeg sa ikke at jeg hadde brukt det selv.",
    ),
]

INTERVIEW_P05 = [
    (
        "interviewer",
        0.0,
        "Thank you for joining. You moved to Norway two years ago, is that right?",
    ),
    (
        "participant",
        4.2,
        "Yes, I came from Leeds in 2023 and now work as a registrar at Haukeland University Hospital. My colleague Emma Clarke told me about the service.",
    ),
    ("interviewer", 14.8, "What made it hard to ask for help?"),
    (
        "participant",
        18.0,
        "The language, partly. And I worried it would affect my licence. I called on a Sunday evening, from my own phone, +47 934 12 345, because I did not want it on the hospital switchboard.",
    ),
]


def load(stdout: Any) -> None:
    users = get_user_model().objects
    researcher = users.filter(username="sara").first()
    if researcher is None or Study.objects.filter(title=TITLE).exists():
        return
    with transaction.atomic():
        study = actions.do_create_study(
            researcher,
            title=TITLE,
            aims=AIMS,
            language="nb",
            waves=[("Første intervju", 0, 10), ("Oppfølging etter ett år", 335, 395)],
        )
        colleague = users.filter(username="rune").first()
        if colleague is not None:
            actions.do_update_study(
                researcher,
                study,
                title=TITLE,
                aims=AIMS,
                language="nb",
                researchers=[researcher, colleague],
            )
        today = timezone.localdate()
        p01 = actions.do_add_participant(researcher, study, pseudonym="P01")
        p02 = actions.do_add_participant(researcher, study, pseudonym="P02")
        p03 = actions.do_add_participant(researcher, study, pseudonym="P03")
        actions.do_add_participant(researcher, study, pseudonym="P04")
        p05 = actions.do_add_participant(researcher, study, pseudonym="P05")

        # P01: transcript waiting for the identifier review.
        first = _interview(researcher, p01, InterviewKind.FIRST, today - timedelta(days=6), "nb")
        transcript = _transcript(first, INTERVIEW_P01)
        actions.propose_identifiers(transcript)

        # P02: follow-up, reviewed and de-identified.
        follow = _interview(
            researcher, p02, InterviewKind.FOLLOW_UP, today - timedelta(days=20), "nb"
        )
        reviewed = _transcript(follow, INTERVIEW_P02)
        actions.propose_identifiers(reviewed)
        reviewed.findings.update(decision=FindingDecision.ACCEPTED)
        actions.do_apply_deidentification(researcher, reviewed)

        # P03: interview booked, no recording yet.
        _interview(researcher, p03, InterviewKind.FIRST, today + timedelta(days=3), "nb")

        # P05: an English interview, identifiers not yet reviewed.
        english = _interview(researcher, p05, InterviewKind.FIRST, today - timedelta(days=2), "en")
        actions.propose_identifiers(_transcript(english, INTERVIEW_P05))
        recruited = _recruit(researcher, study)
    stdout.write(
        f"Research demo: study '{TITLE}' for the researchers sara and rune: 5 participants added by hand, "
        f"{recruited} recruited from the service's pool and more invitations waiting."
    )


QUESTIONS = (
    "Hva får leger til å be om hjelp for egen helse? Hva forventer de av kollegastøtte, "
    "og hvordan opplever de den ett år senere?"
)
CONSENT = (
    "Jeg sier ja til ett intervju på omtrent en time innen ti dager etter kontakten med "
    "Kollega, og et nytt intervju etter ett år. Intervjuene tas opp, skrives ut og "
    "avidentifiseres. Jeg kan trekke meg når som helst, uten å oppgi grunn, og da slettes "
    "opptak og utskrifter. Det påvirker ikke hjelpen jeg får."
)
GUIDE = [
    ("Veien til kontakt", "Hva skjedde før du tok kontakt?\nHvem snakket du med først?"),
    ("Forventninger", "Hva håpet du å få hjelp til?"),
    ("Den første samtalen", "Hvordan var det å snakke med en kollega?\nHva var viktigst?"),
]


def _recruit(researcher: Any, study: Study) -> int:
    """Part-way through recruitment: a protocol, a sample invited from the service's pool, some
    answers, one interview booked and one participant whose window passed. Returns how many
    were recruited (none when the service demo has no consenting seekers)."""
    actions.do_update_protocol(
        researcher,
        study,
        research_questions=QUESTIONS,
        ethics_reference="REK 2025/12345 (demo)",
        target_sample=12,
        dimensions=["gender", "age_band", "specialty", "category"],
    )
    actions.do_add_consent_version(researcher, study, version="1.0", text=CONSENT)
    for topic, prompts in GUIDE:
        actions.do_add_guide_topic(researcher, study, topic=topic, prompts=prompts)
    pool = candidates(actions.eligible_pool(study))
    if len(pool) < 3:
        return 0
    sample = propose_sample(pool, study.dimensions, min(8, len(pool)))
    invitations = actions.do_invite(researcher, study, sample.ids)
    answered = [
        actions.do_answer_invitation(invitation, accept=accept, member=pool_member(invitation.link))
        for invitation, accept in zip(invitations, [True, True, True, False], strict=False)
    ]
    recruited = [p for p in answered if p is not None]
    first_wave = study.waves.get(number=1)
    booked = recruited[0]
    assert booked.contact_date is not None  # noqa: S101 - set on acceptance
    actions.do_create_interview(
        researcher,
        booked,
        kind=InterviewKind.FIRST,
        scheduled_on=min(
            first_wave.closes(booked.contact_date),
            max(timezone.localdate(), booked.contact_date) + timedelta(days=1),
        ),
        language="nb",
        wave=first_wave,
    )
    # As if the last one had contacted the service two weeks ago and was never interviewed:
    # the case and the participant are backdated together, and the scheduled job excludes them.
    lapsed = recruited[-1]
    past = timezone.now() - timedelta(days=14)
    Case.objects.filter(research_id=lapsed.link).update(created=past)
    lapsed.contact_date = timezone.localtime(past).date()
    lapsed.save(update_fields=["contact_date"])
    actions.run_exclusions()
    return len(recruited)


def _interview(actor: Actor, participant: Any, kind: str, on: date, language: str) -> Interview:
    return actions.do_create_interview(
        actor, participant, kind=kind, scheduled_on=on, language=language
    )


def _transcript(interview: Interview, turns: list[tuple[str, float, str]]) -> Transcript:
    transcript = Transcript(
        interview=interview,
        source=TranscriptSource.IMPORTED,
        turn_method=TurnMethod.FILE,
        language=interview.language,
    )
    ends = [start for _speaker, start, _text in turns[1:]]
    transcript.set_turns(
        [
            {"speaker": speaker, "start": start, "end": end, "text": text}
            for (speaker, start, text), end in zip(turns, [*ends, turns[-1][1] + 12.0], strict=True)
        ]
    )
    transcript.save()
    return transcript
