"""Deleting a large study does not hold SQLite's one write lock for the whole deletion."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from kollega.core import batchdelete
from kollega.core.batchdelete import delete_in_batches
from kollega.core.models import AuditEvent
from kollega.research.models import Interview, Participant, Study, Transcript
from tests.cast import Cast
from tests.research.conftest import Studied

PARTICIPANTS = 40


def _grow(study: Study) -> int:
    """Forty participants, each with an interview and its transcript: 120 rows more."""
    participants = Participant.objects.bulk_create(
        Participant(study=study, pseudonym=f"X{n:03d}") for n in range(PARTICIPANTS)
    )
    interviews = Interview.objects.bulk_create(
        Interview(participant=p, language="nb") for p in participants
    )
    Transcript.objects.bulk_create(
        Transcript(interview=i, source="imported", turn_method="file", language="nb")
        for i in interviews
    )
    return 3 * PARTICIPANTS


class Spans:
    """Rows deleted within each outermost transaction (savepoint, under the test's own) or
    each statement outside one (autocommit)."""

    def __init__(self) -> None:
        self.depth = 0
        self.rows: list[int] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statement = sql.lstrip().upper()
        if statement.startswith("SAVEPOINT"):
            self.depth += 1
            if self.depth == 1:
                self.rows.append(0)
        elif statement.startswith("RELEASE SAVEPOINT"):
            self.depth -= 1
        result = execute(sql, params, many, context)
        if statement.startswith("DELETE"):
            count = max(0, context["cursor"].cursor.rowcount)
            if self.depth == 0:
                self.rows.append(count)
            else:
                self.rows[-1] += count
        return result


@pytest.mark.django_db
def test_an_administrator_deletes_a_large_study_in_short_transactions(
    studied: Studied,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = _grow(studied.study)
    monkeypatch.setattr(batchdelete, "BATCH_SIZE", 10)
    client = cast.administrator.client("en")
    spans = Spans()
    with connection.execute_wrapper(spans), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{settings.ADMIN_PATH}research/study/{studied.study.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Study.objects.exists()
    assert not Participant.objects.exists()
    assert not Transcript.objects.exists()
    assert AuditEvent.objects.filter(action="research.study.delete").count() == 1
    assert sum(spans.rows) >= rows
    # No transaction deleted much more than a batch: others could write in between.
    assert max(spans.rows) <= 2 * 10, spans.rows


@pytest.mark.django_db
def test_it_deletes_deepest_first_in_batches(studied: Studied) -> None:
    rows = _grow(studied.study)
    batches: list[tuple[str, int]] = []
    deleted = delete_in_batches(
        studied.study, batch_size=7, on_batch=lambda model, n: batches.append((model.__name__, n))
    )
    assert deleted >= rows + 1
    assert all(n <= 7 + 2 for _name, n in batches), batches  # a batch and what hangs off it
    names = [name for name, _n in batches]
    assert names.index("Transcript") < names.index("Interview") < names.index("Participant")
    assert names[-1] == "Study"
    assert not Study.objects.exists()
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_a_researcher_withdraws_a_participant_in_short_transactions(
    studied: Studied, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.urls import reverse

    interviews = Interview.objects.bulk_create(
        Interview(participant=studied.participant, language="nb") for _ in range(30)
    )
    Transcript.objects.bulk_create(
        Transcript(interview=i, source="imported", turn_method="file", language="nb")
        for i in interviews
    )
    monkeypatch.setattr(batchdelete, "BATCH_SIZE", 10)
    url = reverse("research:participant_withdraw", args=[studied.participant.pk])
    spans = Spans()
    with connection.execute_wrapper(spans), django_capture_on_commit_callbacks(execute=True):
        response = studied.owner.client("en").post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not Participant.objects.exists()
    assert not Interview.objects.exists()
    assert sum(spans.rows) >= 61
    assert max(spans.rows) <= 2 * 10, spans.rows
    event = AuditEvent.objects.get(action="research.participant.withdraw")
    assert event.details["deleted"]["interviews"] == 31
