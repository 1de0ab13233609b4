"""Step 1: own themes, sharing, and suggested themes from a background task."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kollega.workbench import actions
from kollega.workbench.models import RunStatus, Theme, ThemeState, ThemeSuggestionRun
from tests.workbench.conftest import Bench, deidentified, new_interview

TOPICS = [
    "Jeg var sliten etter nattevakter og fikk ikke sove.",
    "Lederen min forsto ikke hvor mye vi jobbet.",
    "Jeg ringte tjenesten fordi jeg trengte noen å snakke med.",
    "Sykemeldingen gjorde meg redd for hva kollegene ville si.",
]


def _long_turns(n: int) -> list[tuple[str, str]]:
    turns = []
    for i in range(n):
        turns.append(("interviewer", "Kan du si mer om det?"))
        turns.append(("participant", " ".join(TOPICS[(i + k) % 4] for k in range(3))))
    return turns


@pytest.mark.django_db
def test_themes_are_private_until_shared(bench: Bench) -> None:
    actions.do_add_theme(bench.owner.user, bench.analysis, label="Utmattelse")
    url = reverse("workbench:impression", args=[bench.analysis.pk])
    assert "Utmattelse" not in bench.colleague.client("en").get(url).content.decode()
    response = bench.owner.client("en").post(
        reverse("workbench:themes_share", args=[bench.analysis.pk])
    )
    assert response.status_code == 302
    page = bench.colleague.client("en").get(url).content.decode()
    assert "Utmattelse" in page
    assert "Sara" in page  # whose theme it is


@pytest.mark.django_db
def test_reading_shows_the_transcript_turn_by_turn(bench: Bench) -> None:
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:impression", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert page.count('class="turn turn--participant"') == 2
    assert page.count('class="turn turn--interviewer"') == 2


@pytest.mark.django_db
def test_suggested_themes_run_in_the_background_and_each_is_decided(
    bench: Bench, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    # The job must stay queued for the page to show its progress: the database backend keeps
    # it so on every pass (the RQ pass's test queue runs jobs at once), and setting it resets
    # a backend another test's override left cached.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    for pseudonym in ("P02", "P03"):
        interview = new_interview(bench.owner, bench.study, pseudonym)
        deidentified(interview, _long_turns(6))
        actions.do_add_transcript(bench.owner.user, bench.analysis, interview)
    client = bench.owner.client("en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workbench:themes_suggest", args=[bench.analysis.pk]))
    assert response.status_code == 302
    run = ThemeSuggestionRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.task_id
    progress = client.get(reverse("workbench:theme_run", args=[bench.analysis.pk]))
    assert 'hx-trigger="every 2s"' in progress.content.decode()

    assert actions.run_theme_suggestions(run.pk) == RunStatus.DONE
    run.refresh_from_db()
    assert run.percent == 100
    suggested = list(Theme.objects.filter(state=ThemeState.SUGGESTED))
    assert len(suggested) >= 3
    assert all(t.model.startswith("hashing") and t.owner == bench.owner.user for t in suggested)
    assert all(t.typical_json for t in suggested)

    decide = reverse("workbench:theme_decide", args=[bench.analysis.pk, suggested[0].pk])
    client.post(decide, {"accept": "1"})
    decide = reverse("workbench:theme_decide", args=[bench.analysis.pk, suggested[1].pk])
    client.post(decide, {"accept": "0"})
    suggested[0].refresh_from_db()
    suggested[1].refresh_from_db()
    assert suggested[0].state == ThemeState.ACCEPTED
    assert suggested[0].decided_by == bench.owner.user
    assert suggested[1].state == ThemeState.REJECTED
    page = client.get(reverse("workbench:impression", args=[bench.analysis.pk])).content.decode()
    assert suggested[0].label in page
    assert suggested[1].label not in page
    # The colleague sees none of them until they are shared.
    other = bench.colleague.client("en")
    assert (
        suggested[0].label
        not in other.get(reverse("workbench:impression", args=[bench.analysis.pk])).content.decode()
    )


@pytest.mark.django_db
def test_a_second_run_waits_for_the_first(bench: Bench) -> None:
    actions.do_request_theme_suggestions(bench.owner.user, bench.analysis)
    response = bench.owner.client("en").post(
        reverse("workbench:themes_suggest", args=[bench.analysis.pk]), follow=True
    )
    assert "Themes are already being suggested." in response.content.decode()
    assert ThemeSuggestionRun.objects.count() == 1
