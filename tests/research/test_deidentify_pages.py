"""The identifier review of a long transcript with many proposals: a page at a time (issue 23)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kollega.research.models import Finding, FindingDecision, Transcript
from kollega.research.views import PROPOSALS_PER_PAGE
from tests.research.conftest import Studied, add_transcript

pytestmark = pytest.mark.django_db

SENTENCE = "Jeg snakket med Kari Nordmann i Bergen om vaktene <og> om hvordan det gikk. "


@pytest.fixture
def long_transcript(studied: Studied) -> Transcript:
    """About 150 KB of text and 2,400 proposals: every name and place, everywhere."""
    turns = [("participant", SENTENCE * 20) for _ in range(100)]
    transcript = add_transcript(studied.interview, turns, proposals_made=timezone.now())
    text = transcript.text
    rows = []
    for words, kind in (("Kari Nordmann", "person"), ("Bergen", "place")):
        for match in re.finditer(words, text):
            rows.append(
                Finding(
                    transcript=transcript,
                    kind=kind,
                    start=match.start(),
                    end=match.end(),
                    text=words,
                    confidence=0.9,
                    source="rules",
                )
            )
    Finding.objects.bulk_create(rows)
    return transcript


def _url(studied: Studied) -> str:
    return reverse("research:deidentify", args=[studied.interview.pk])


def test_it_shows_a_page_of_proposals_and_counts_them_all(
    studied: Studied, long_transcript: Transcript
) -> None:
    response = studied.owner.client("en").get(_url(studied))
    body = response.content.decode()
    assert response.status_code == 200
    total = Finding.objects.count()
    assert total == 4000
    # Before: every proposal's row and the whole transcript, about 5 MB here.
    assert len(response.content) < 600_000
    assert body.count('type="radio"') == PROPOSALS_PER_PAGE * len(FindingDecision.choices)
    assert "2000 proposals (1 different), 2000 to decide." in body
    assert f"Proposals 1\u2013{PROPOSALS_PER_PAGE} of {total} (page 1 of 40)" in body
    # The whole transcript is still there to read, every proposal marked, the text escaped.
    assert body.count("<mark>Bergen</mark>") >= 2000
    assert "&lt;og&gt;" in body and "<og>" not in body


def test_turning_the_page_saves_this_page_and_shows_the_next(
    studied: Studied, long_transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    first = list(Finding.objects.filter(kind="person").order_by("start")[:PROPOSALS_PER_PAGE])
    decisions = {f"decision-{f.pk}": FindingDecision.ACCEPTED for f in first}
    response = client.post(_url(studied), {**decisions, "page": "1", "goto": "2"})
    assert response.status_code == 302 and response["Location"] == _url(studied) + "?page=2"
    assert Finding.objects.filter(decision=FindingDecision.ACCEPTED).count() == PROPOSALS_PER_PAGE
    body = client.get(response["Location"]).content.decode()
    assert f"Proposals {PROPOSALS_PER_PAGE + 1}\u2013{2 * PROPOSALS_PER_PAGE} of 4000" in body
    nxt = Finding.objects.filter(kind="person").order_by("start")[PROPOSALS_PER_PAGE]
    assert f'name="decision-{nxt.pk}"' in body
    assert f'name="decision-{first[0].pk}"' not in body
    # Saving without turning the page comes back to the same page.
    again = client.post(_url(studied) + "?page=2", {"page": "2"})
    assert again["Location"] == _url(studied) + "?page=2"


def test_a_page_out_of_range_shows_the_last_one(
    studied: Studied, long_transcript: Transcript
) -> None:
    body = studied.owner.client("en").get(_url(studied) + "?page=999").content.decode()
    assert "(page 40 of 40)" in body
    body = studied.owner.client("en").get(_url(studied) + "?page=x").content.decode()
    assert "(page 1 of 40)" in body


def test_it_refuses_a_stranger_and_the_wrong_method(
    studied: Studied, long_transcript: Transcript
) -> None:
    assert studied.stranger_researcher.client("en").get(_url(studied)).status_code == 404
    assert studied.owner.client("en").put(_url(studied)).status_code == 405
