"""Step 1, the total impression: themes per researcher and suggested themes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import adapters
from kollega.workbench.actions.common import save_versioned
from kollega.workbench.models import (
    Analysis,
    RunStatus,
    Theme,
    ThemeState,
    ThemeSuggestionRun,
)


def themes_visible_to(user: Any, analysis: Analysis) -> Any:
    """A researcher's own themes and everyone's shared ones; rejected suggestions hidden."""
    return (
        analysis.themes.filter(Q(owner=user) | Q(shared=True))
        .exclude(state=ThemeState.REJECTED)
        .select_related("owner")
    )


TYPICAL_SHOWN = 3


def typical_sentences(analysis: Analysis, themes: list[Theme]) -> dict[int, list[dict[str, str]]]:
    """Each theme's typical sentences (at most `TYPICAL_SHOWN`) as read from the transcript
    versions they point into: ``{theme pk: [{"pseudonym", "text"}]}``. A sentence whose
    version is gone or whose offsets no longer fit is left out."""
    wanted = {int(t["transcript"]) for theme in themes for t in theme.typical_json}
    versions = {
        v.pk: v
        for v in analysis.transcripts.filter(pk__in=wanted).select_related("interview__participant")
    }
    out: dict[int, list[dict[str, str]]] = {}
    for theme in themes:
        shown = []
        for t in theme.typical_json:
            version = versions.get(int(t["transcript"]))
            start, end = int(t["start"]), int(t["end"])
            if version is None or not 0 <= start < end <= len(version.text):
                continue
            text = " ".join(str(version.text)[start:end].split())
            shown.append({"pseudonym": version.interview.participant.pseudonym, "text": text})
            if len(shown) == TYPICAL_SHOWN:
                break
        out[theme.pk] = shown
    return out


@transaction.atomic
def do_add_theme(actor: User, analysis: Analysis, *, label: str, description: str = "") -> Theme:
    if not label.strip():
        raise ActionRefused(_("A theme needs a few words."))
    theme = Theme.objects.create(
        analysis=analysis, owner=actor, label=label.strip(), description=description.strip()
    )
    record(actor, AuditAction.WORKBENCH_THEME_ADD, theme, analysis=analysis.pk)
    return theme


def _own_theme(actor: User, theme: Theme) -> None:
    if theme.owner_id != actor.pk:
        raise ActionRefused(_("Only the researcher who noted a theme can change it."))


@transaction.atomic
def do_edit_theme(
    actor: User, theme: Theme, *, label: str, description: str, version: int | None
) -> Theme:
    _own_theme(actor, theme)
    if not label.strip():
        raise ActionRefused(_("A theme needs a few words."))
    save_versioned(theme, version, {"label": label.strip(), "description": description.strip()})
    record(actor, AuditAction.WORKBENCH_THEME_EDIT, theme, analysis=theme.analysis_id)
    return theme


@transaction.atomic
def do_delete_theme(actor: User, theme: Theme) -> None:
    _own_theme(actor, theme)
    pk, analysis = theme.pk, theme.analysis_id
    theme.delete()
    record(
        actor,
        AuditAction.WORKBENCH_THEME_DELETE,
        None,
        object_type="workbench.theme",
        object_id=pk,
        analysis=analysis,
    )


@transaction.atomic
def do_share_themes(actor: User, analysis: Analysis) -> int:
    """Share the researcher's own and accepted themes with the others on the study."""
    count = (
        analysis.themes.filter(owner=actor, shared=False)
        .filter(state__in=[ThemeState.OWN, ThemeState.ACCEPTED])
        .update(shared=True)
    )
    record(actor, AuditAction.WORKBENCH_THEME_SHARE, analysis, shared=count)
    return count


@transaction.atomic
def do_request_theme_suggestions(actor: User, analysis: Analysis) -> ThemeSuggestionRun:
    # Imported here: tasks.py imports this module to run the suggestions (an import cycle).
    from kollega.workbench.tasks import suggest_themes_task

    if not analysis.transcripts.filter(current=True).exists():
        raise ActionRefused(_("Add a de-identified transcript first."))
    if any(run.active for run in analysis.theme_runs.all()[:1]):
        raise ActionRefused(_("Themes are already being suggested."))
    run = ThemeSuggestionRun.objects.create(analysis=analysis, requested_by=actor)
    record(actor, AuditAction.WORKBENCH_THEME_SUGGEST, run, analysis=analysis.pk)

    def enqueue() -> None:
        result = suggest_themes_task.enqueue(run.pk)
        ThemeSuggestionRun.objects.filter(pk=run.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return run


def run_theme_suggestions(run_id: int) -> str:
    """The worker's side: suggest themes and store them as the requester's suggestions."""

    claimed = ThemeSuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, fraction=0.05
    )
    if not claimed:
        return "skipped"
    run = ThemeSuggestionRun.objects.select_related("analysis").get(pk=run_id)
    versions = {str(t.pk): t for t in run.analysis.transcripts.filter(current=True)}
    try:
        candidates, model, used = adapters.suggest_themes(
            {key: (t.text, t.turns) for key, t in versions.items()}
        )
    except (ValueError, RuntimeError, OSError) as exc:
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(exc)[:500], finished=timezone.now()
        )
        return RunStatus.FAILED
    if run.requested_by_id is None:  # the researcher's account is gone: nobody to decide
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished=timezone.now()
        )
        return RunStatus.FAILED
    ThemeSuggestionRun.objects.filter(pk=run_id).update(fraction=0.9)
    with transaction.atomic():
        for c in candidates:
            Theme.objects.create(
                analysis=run.analysis,
                owner_id=run.requested_by_id,
                label=c["label"],
                description=", ".join(c["keywords"]),
                state=ThemeState.SUGGESTED,
                model=model,
                model_settings=used,
                typical_json=[
                    {"transcript": int(key), "start": s, "end": e} for key, s, e in c["typical"]
                ],
            )
        ThemeSuggestionRun.objects.filter(pk=run_id).update(
            status=RunStatus.DONE, fraction=1.0, finished=timezone.now()
        )
    return RunStatus.DONE


@transaction.atomic
def do_decide_theme(actor: User, theme: Theme, *, accept: bool) -> Theme:
    _own_theme(actor, theme)
    if theme.state != ThemeState.SUGGESTED:
        raise ActionRefused(_("This suggestion has already been decided."))
    theme.state = ThemeState.ACCEPTED if accept else ThemeState.REJECTED
    theme.decided_by, theme.decided_at = actor, timezone.now()
    theme.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        actor,
        AuditAction.WORKBENCH_THEME_DECIDE,
        theme,
        analysis=theme.analysis_id,
        accepted=accept,
        model=theme.model,
    )
    return theme
