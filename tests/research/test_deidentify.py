"""Reviewing and applying identifier proposals on a transcript."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research.models import Finding, FindingDecision, Transcript
from tests.research.conftest import Studied, add_transcript

TURNS = [
    ("interviewer", "Hvem fikk deg til å ringe?"),
    (
        "participant",
        "Det var Marte Lien, en kollega på Sykehuset Innlandet. Marte ga meg nummeret 412 56 789.",
    ),
    ("participant", "Skriv til trond.ask@example.no om du lurer på noe."),
]


@pytest.fixture
def transcript(studied: Studied) -> Transcript:
    return add_transcript(studied.interview, TURNS)


def _url(studied: Studied, name: str = "deidentify") -> str:
    return reverse(f"research:{name}", args=[studied.interview.pk])


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _propose(studied: Studied) -> None:
    """Ask for proposals; the background task runs at once, as a worker would."""
    with override_settings(TASKS=IMMEDIATE), TestCase.captureOnCommitCallbacks(execute=True):
        response = studied.owner.client("en").post(_url(studied, "deidentify_propose"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_proposals_find_names_everywhere_and_numbers(
    studied: Studied, transcript: Transcript
) -> None:
    _propose(studied)
    found = {(f.kind, f.text) for f in Finding.objects.all()}
    assert ("person", "Marte Lien") in found
    assert ("person", "Marte") in found  # the same name again, proposed where it recurs
    assert ("phone", "412 56 789") in found
    assert ("email", "trond.ask@example.no") in found
    assert ("employer", "Sykehuset Innlandet") in found
    page = studied.owner.client("en").get(_url(studied)).content.decode()
    assert "<mark>Marte Lien</mark>" in page
    assert "Replace all open names" in page


@pytest.mark.django_db
def test_identifiers_are_encrypted_in_the_database(
    studied: Studied, transcript: Transcript
) -> None:
    _propose(studied)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM research_finding")
        stored = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT turns_json FROM research_transcript")
        stored += " ".join(row[0] for row in cursor.fetchall())
    assert "Marte" not in stored and "412 56 789" not in stored


@pytest.mark.django_db
def test_apply_is_refused_until_every_proposal_is_decided(
    studied: Studied, transcript: Transcript
) -> None:
    _propose(studied)
    client = studied.owner.client("en")
    response = client.post(_url(studied), {"then": "apply"}, follow=True)
    assert "Decide on every proposal first" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.deidentified is None
    assert "Marte Lien" in transcript.text


@pytest.mark.django_db
def test_accept_a_kind_keep_one_and_apply(studied: Studied, transcript: Transcript) -> None:
    _propose(studied)
    client = studied.owner.client("en")
    client.post(_url(studied), {"accept_kind": "person"})
    assert set(Finding.objects.filter(kind="person").values_list("decision", flat=True)) == {
        FindingDecision.ACCEPTED
    }
    employer = Finding.objects.get(kind="employer")
    decisions = {
        f"decision-{f.pk}": FindingDecision.ACCEPTED for f in Finding.objects.exclude(kind="person")
    }
    decisions[f"decision-{employer.pk}"] = FindingDecision.REJECTED
    response = client.post(_url(studied), {**decisions, "then": "apply"})
    assert response.url == _url(studied, "transcript")
    transcript.refresh_from_db()
    assert transcript.deidentified is not None
    assert transcript.turns[1]["text"] == (
        "Det var [navn 1], en kollega på Sykehuset Innlandet. [navn 1] ga meg nummeret [telefon 1]."
    )
    assert transcript.turns[2]["text"] == "Skriv til [e-post 1] om du lurer på noe."
    assert not Finding.objects.exists()  # the identifiers are gone with the proposals
    event = AuditEvent.objects.get(action="research.deid.apply")
    assert event.details["replaced"] == {"person": 2, "phone": 1, "email": 1}
    again = client.post(_url(studied, "deidentify_propose"), follow=True)
    assert "already de-identified" in again.content.decode()


@pytest.mark.django_db
def test_unknown_decisions_are_refused(studied: Studied, transcript: Transcript) -> None:
    _propose(studied)
    finding = Finding.objects.first()
    assert finding is not None
    response = studied.owner.client("en").post(
        _url(studied), {f"decision-{finding.pk}": "shred"}, follow=True
    )
    assert "Unknown decision" in response.content.decode()
    finding.refresh_from_db()
    assert finding.decision == FindingDecision.PROPOSED


@pytest.mark.django_db
def test_english_placeholders_for_english_interviews(studied: Studied) -> None:
    studied.interview.language = "en"
    studied.interview.save()
    add_transcript(
        studied.interview,
        [("participant", "My colleague Emma Clarke called me at +47 934 12 345.")],
    )
    _propose(studied)
    Finding.objects.update(decision=FindingDecision.ACCEPTED)
    studied.owner.client("en").post(_url(studied), {"then": "apply"})
    text = Transcript.objects.get().text
    assert text == "My colleague [name 1] called me at [phone 1]."
