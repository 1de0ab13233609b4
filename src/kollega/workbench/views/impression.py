"""Step 1, the total impression: reading, themes, suggested themes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, forms
from kollega.workbench.access import (
    get_analysis_for_user,
    get_transcript_for_user,
)
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    RunStatus,
    Theme,
    ThemeState,
)
from kollega.workbench.reading import (
    turn_views,
    turns_html,
)
from kollega.workbench.views.common import (
    GET_POST,
    int_or_none,
    researcher_only,
    valid,
    versioned_edit,
)


def _version(request: StaffRequest, analysis: Analysis, pk: int | None) -> AnalysisTranscript:
    current = analysis.transcripts.filter(current=True)
    if pk is None:
        first = current.select_related("interview__participant").first()
        if first is None:
            raise Http404
        return first
    return get_transcript_for_user(request.user, analysis, pk)


def _run(analysis: Analysis) -> dict[str, Any]:
    """The latest theme-suggestion run, and whether it is done or failed."""
    run = analysis.theme_runs.first()
    return {
        "run": run,
        "run_done": run is not None and run.status == RunStatus.DONE,
        "run_failed": run is not None and run.status == RunStatus.FAILED,
    }


@require_GET
@researcher_only
def impression(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    versions = list(found.transcripts.filter(current=True).select_related("interview__participant"))
    reading = None
    if versions:
        reading = _version(request, found, int_or_none(request.GET.get("t")) or versions[0].pk)
        record(
            request.user, AuditAction.WORKBENCH_TRANSCRIPT_VIEW, reading, analysis=found.pk, step=1
        )
    themes = list(actions.themes_visible_to(request.user, found))
    typical = actions.typical_sentences(found, themes)
    return render(
        request,
        "workbench/impression.html",
        {
            "analysis": found,
            "versions": versions,
            "reading": reading,
            "turns": turns_html(turn_views(reading), codable=False) if reading else "",
            "themes": [
                {
                    "theme": theme,
                    "mine": theme.owner_id == request.user.pk,
                    "suggested": theme.state == ThemeState.SUGGESTED,
                    "typical": typical.get(theme.pk, []),
                }
                for theme in themes
            ],
            **_run(found),
            "unshared": found.themes.filter(
                owner_id=request.user.pk,
                shared=False,
                state__in=[ThemeState.OWN, ThemeState.ACCEPTED],
            ).count(),
        },
    )


@require_POST
@researcher_only
def theme_add(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.ThemeForm(request.POST)
    try:
        actions.do_add_theme(request.user, found, **valid(form))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


def _theme(request: StaffRequest, analysis: Analysis, theme_pk: int) -> Theme:
    theme: Theme = get_object_or_404(actions.themes_visible_to(request.user, analysis), pk=theme_pk)
    return theme


@require_http_methods(GET_POST)
@researcher_only
def theme_edit(request: StaffRequest, pk: int, theme: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _theme(request, found, theme)
    return versioned_edit(
        request,
        form_class=forms.ThemeEditForm,
        fields={
            "label": target.label,
            "description": target.description,
            "version": target.version,
        },
        save=lambda v: actions.do_edit_theme(request.user, target, **v),
        template="workbench/theme_edit.html",
        context={"analysis": found, "theme": target, "mine": target.owner_id == request.user.pk},
        saved=_("The theme is saved."),
        back=redirect("workbench:impression", found.pk),
    )


@require_POST
@researcher_only
def theme_delete(request: StaffRequest, pk: int, theme: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    try:
        actions.do_delete_theme(request.user, _theme(request, found, theme))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


@require_POST
@researcher_only
def theme_decide(request: StaffRequest, pk: int, theme: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.DecideForm(request.POST)
    try:
        actions.do_decide_theme(
            request.user,
            _theme(request, found, theme),
            accept=form.is_valid() and form.cleaned_data["accept"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


@require_POST
@researcher_only
def themes_share(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    count = actions.do_share_themes(request.user, found)
    messages.success(request, _("%(count)d themes are shared.") % {"count": count})
    return redirect("workbench:impression", found.pk)


@require_POST
@researcher_only
def themes_suggest(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    try:
        actions.do_request_theme_suggestions(request.user, found)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


@require_GET
@researcher_only
def theme_run(request: StaffRequest, pk: int) -> HttpResponse:
    """The suggestion run's progress, polled by htmx while it works."""
    found = get_analysis_for_user(request.user, pk)
    return render(request, "workbench/theme_run.html", {"analysis": found, **_run(found)})
