"""Issue 21: "Suggest code groups" runs as a background task with progress; the page polls
it and shows the suggestions when they are ready."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kollega.core.models import AuditEvent
from kollega.workbench import actions, adapters
from kollega.workbench.models import CodeSuggestionRun, MeaningUnit, RunStatus
from tests.cast import Cast
from tests.workbench.conftest import Bench, htmx

CODED = (
    ("Jeg var sliten etter mange vakter.", 0),
    ("En kollega sa at tjenesten var trygg.", 1),
    ("Jeg trengte råd om sykemelding.", 2),
)
OPEN = "Jeg ville ha noen å snakke med."


def _units(bench: Bench) -> MeaningUnit:
    """Three units sorted by hand, and one left for the suggestions (returned)."""
    user, version = bench.owner.user, bench.version
    for words, group in CODED:
        start, end = bench.span(words)
        actions.do_create_unit(user, version, start=start, end=end, code_group=bench.groups[group])
    start, end = bench.span(OPEN)
    return actions.do_create_unit(user, version, start=start, end=end)


def _ask(bench: Bench, client: Any) -> str:
    url = reverse("workbench:suggestions", args=[bench.analysis.pk, bench.version.pk])
    return str(client.post(url).content.decode())


def _poll(bench: Bench, client: Any, run: CodeSuggestionRun) -> Any:
    url = reverse("workbench:suggestion_run", args=[bench.analysis.pk, bench.version.pk, run.pk])
    return client.get(url)


@pytest.fixture
def queued(settings: Any) -> None:
    # The job must stay queued for the page to show its progress: the database backend keeps
    # it so (the RQ pass's test queue runs jobs at once), and setting it resets a backend
    # another test's override left cached.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.mark.django_db
def test_suggestions_run_in_the_background_with_progress_then_show(
    bench: Bench, queued: None, django_capture_on_commit_callbacks: Any
) -> None:
    unit = _units(bench)
    client = htmx(bench.owner.client("en"))
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(bench, client)
    run = CodeSuggestionRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.task_id
    assert run.requested_by == bench.owner.user and run.transcript == bench.version
    # The answer is the progress, polling the run; nothing is suggested yet.
    assert 'aria-label="Code group suggestion progress"' in asked
    assert f"suggestions/{run.pk}/" in asked and 'hx-trigger="every 1s"' in asked
    assert "% sure" not in asked
    assert AuditEvent.objects.filter(action="workbench.code.suggest").count() == 1

    assert actions.run_code_suggestions(run.pk) == RunStatus.DONE
    run.refresh_from_db()
    assert run.percent == 100 and run.finished is not None
    shown = _poll(bench, client, run).content.decode()
    assert "hx-trigger" not in shown  # done: the polling stops
    assert f'id="suggestion-{unit.pk}"' in shown
    assert shown.count("% sure") == 3
    assert OPEN in shown
    # The stored result holds ids and numbers, never the unit's words.
    assert set(run.result_json["ranked"]) == {str(unit.pk)}
    assert "snakke" not in str(run.result_json)
    # A page opened later shows the same suggestions.
    page = bench.owner.client("en").get(
        reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    assert f'id="suggestion-{unit.pk}"' in page.content.decode()


@pytest.mark.django_db
def test_the_task_is_given_the_run_id_and_no_text(
    bench: Bench, queued: None, django_capture_on_commit_callbacks: Any
) -> None:
    _units(bench)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(bench, htmx(bench.owner.client("en")))
    run = CodeSuggestionRun.objects.get()
    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("suggest_codes_task")
    assert job.args_kwargs == {"args": [run.pk], "kwargs": {}}


@pytest.mark.django_db
def test_a_second_click_while_it_runs_starts_no_second_run(bench: Bench) -> None:
    _units(bench)
    client = htmx(bench.owner.client("en"))
    first = _ask(bench, client)
    second = _ask(bench, client)
    run = CodeSuggestionRun.objects.get()
    assert f"suggestions/{run.pk}/" in first and f"suggestions/{run.pk}/" in second
    # Once it is done, asking again starts a new run (the coder may have sorted more).
    actions.run_code_suggestions(run.pk)
    _ask(bench, client)
    assert CodeSuggestionRun.objects.count() == 2
    # The worker runs a run once: a second delivery of the same job does nothing.
    assert actions.run_code_suggestions(run.pk) == "skipped"


@pytest.mark.django_db
def test_a_run_lost_for_too_long_is_replaced_when_asked_again(bench: Bench) -> None:
    _units(bench)
    client = htmx(bench.owner.client("en"))
    _ask(bench, client)
    lost = CodeSuggestionRun.objects.get()
    CodeSuggestionRun.objects.filter(pk=lost.pk).update(
        status=RunStatus.RUNNING, created=timezone.now() - timedelta(minutes=20)
    )
    # The page polling it is told it failed, and stops polling.
    failed = _poll(bench, client, lost).content.decode()
    assert "Suggesting code groups failed:" in failed and "took too long" in failed
    assert "hx-trigger" not in failed
    asked = _ask(bench, client)
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED
    fresh = CodeSuggestionRun.objects.exclude(pk=lost.pk).get()
    assert fresh.status == RunStatus.QUEUED and f"suggestions/{fresh.pk}/" in asked
    failed = _poll(bench, client, lost).content.decode()
    assert "Suggesting code groups failed:" in failed
    assert "took too long" in failed


@pytest.mark.django_db
def test_units_sorted_while_it_ran_are_not_offered(bench: Bench) -> None:
    unit = _units(bench)
    client = htmx(bench.owner.client("en"))
    _ask(bench, client)
    run = CodeSuggestionRun.objects.get()
    actions.run_code_suggestions(run.pk)
    actions.do_code_unit(bench.owner.user, unit, bench.groups[0])
    shown = _poll(bench, client, run).content.decode()
    assert f'id="suggestion-{unit.pk}"' not in shown
    assert "No suggestions" in shown
    # A page opened later shows nothing from a run with nothing left to decide.
    page = bench.owner.client("en").get(
        reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    )
    assert "No suggestions" not in page.content.decode()


@pytest.mark.django_db
def test_without_javascript_the_page_shows_the_progress_after_the_post(bench: Bench) -> None:
    _units(bench)
    client = bench.owner.client("en")
    url = reverse("workbench:suggestions", args=[bench.analysis.pk, bench.version.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/coding/{bench.version.pk}/#suggestions")
    assert "Code group suggestion progress" in response.content.decode()


@pytest.mark.django_db
def test_only_the_coder_who_asked_sees_the_run(bench: Bench, cast: Cast, client: Any) -> None:
    _units(bench)
    _ask(bench, htmx(bench.owner.client("en")))
    run = CodeSuggestionRun.objects.get()
    actions.run_code_suggestions(run.pk)
    # A colleague on the same study (blind coding) and a researcher not on it: 404.
    assert _poll(bench, bench.colleague.client("en"), run).status_code == 404
    assert _poll(bench, bench.stranger.client("en"), run).status_code == 404
    # Other roles: 403; signed out: to the sign-in page.
    assert _poll(bench, cast.counsellor.client("en"), run).status_code == 403
    response = _poll(bench, client, run)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    # The wrong method: 405, and nothing started.
    url = reverse("workbench:suggestion_run", args=[bench.analysis.pk, bench.version.pk, run.pk])
    assert bench.owner.client("en").post(url).status_code == 405
    ask = reverse("workbench:suggestions", args=[bench.analysis.pk, bench.version.pk])
    assert bench.owner.client("en").get(ask).status_code == 405
    assert bench.stranger.client("en").post(ask).status_code == 404
    assert CodeSuggestionRun.objects.count() == 1
    # A run of another transcript version is not found under this one.
    assert _poll(bench, bench.owner.client("en"), run).status_code == 200
    wrong = reverse("workbench:suggestion_run", args=[bench.analysis.pk, 999999, run.pk])
    assert bench.owner.client("en").get(wrong).status_code == 404


@pytest.mark.django_db
def test_the_run_reports_its_progress_as_it_goes(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    _units(bench)
    client = htmx(bench.owner.client("en"))
    _ask(bench, client)
    run = CodeSuggestionRun.objects.get()
    real = adapters.suggest_codes
    seen: list[tuple[int, str]] = []

    def spy(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def tell(fraction: float) -> None:
            progress(fraction)
            # What the page's poll shows at this moment.
            seen.append(
                (
                    CodeSuggestionRun.objects.get(pk=run.pk).percent,
                    _poll(bench, client, run).content.decode(),
                )
            )

        return real(*args, progress=tell, **kwargs)

    monkeypatch.setattr(adapters, "suggest_codes", spy)
    assert actions.run_code_suggestions(run.pk) == RunStatus.DONE
    assert [percent for percent, _page in seen] == [20, 80]
    for percent, page in seen:
        assert f'value="{percent}"' in page and 'hx-trigger="every 1s"' in page
