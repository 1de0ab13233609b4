"""The workbench's cast: a study with two researchers, a stranger researcher, and an
analysis holding one de-identified transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kollega.core import roles
from kollega.research import actions as research_actions
from kollega.research.models import Interview, Participant, Study, Transcript
from kollega.workbench import actions
from kollega.workbench.models import Analysis, AnalysisTranscript, CodeGroup
from tests.cast import Cast, Member, make_member
from tests.research.conftest import add_transcript

TURNS = [
    ("interviewer", "Kan du fortelle hvorfor du tok kontakt?"),
    (
        "participant",
        "Jeg var sliten etter mange vakter. Jeg visste ikke hvem jeg skulle spørre. "
        "En kollega sa at tjenesten var trygg.",
    ),
    ("interviewer", "Hva forventet du?"),
    (
        "participant",
        "Jeg ville ha noen å snakke med. Jeg trengte råd om sykemelding. "
        "Det var viktig at ingen på jobben fikk vite det.",
    ),
]


@dataclass
class Bench:
    study: Study
    participant: Participant
    interview: Interview
    source: Transcript
    analysis: Analysis
    version: AnalysisTranscript
    owner: Member
    colleague: Member
    stranger: Member
    groups: list[CodeGroup]

    def span(self, words: str) -> tuple[int, int]:
        start = self.version.text.index(words)
        return start, start + len(words)


def deidentified(interview: Interview, turns: list[tuple[str, str]] = TURNS) -> Transcript:
    return add_transcript(interview, turns, deidentified=timezone.now())


def new_interview(owner: Member, study: Study, pseudonym: str) -> Interview:
    participant = research_actions.do_add_participant(owner.user, study, pseudonym=pseudonym)
    return research_actions.do_create_interview(
        owner.user, participant, kind="first", scheduled_on=None, language="nb"
    )


@pytest.fixture(autouse=True)
def _english_pages(settings: Any) -> None:
    """These tests read the workbench's own words; they are in English (translations are
    checked by the browser walk in every language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _hashing_embedder(settings: object) -> None:
    # The packaged model is slow to load; the hashing embedder exercises the same code path.
    settings.KOLLEGA_STC_EMBEDDER = "hashing"  # type: ignore[attr-defined]


@pytest.fixture
def bench(cast: Cast) -> Bench:
    owner = cast.researcher
    colleague = make_member("rune", roles.RESEARCHER, first_name="Rune")
    stranger = make_member("rut", roles.RESEARCHER, first_name="Rut")
    study = research_actions.do_create_study(owner.user, title="Help", aims="", language="nb")
    study.researchers.add(colleague.user)
    interview = new_interview(owner, study, "P01")
    source = deidentified(interview)
    analysis = actions.do_create_analysis(owner.user, study, name="First analysis")
    version = actions.do_add_transcript(owner.user, analysis, interview)
    groups = [
        actions.do_add_code_group(owner.user, analysis, name=name, description=f"About {name}")
        for name in ("Exhaustion", "Trust", "Advice")
    ]
    return Bench(
        study,
        interview.participant,
        interview,
        source,
        analysis,
        version,
        owner,
        colleague,
        stranger,
        groups,
    )


def htmx(client: Client) -> Client:
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client
