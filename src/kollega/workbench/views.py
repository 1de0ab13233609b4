"""Pages of the workbench. Views are thin: they check access, read the form, call actions.

Every page is for researchers named on the analysis's study (others get 404; other roles
403). Step-2 changes answer htmx requests with the coding workspace alone, and ordinary
form posts with a redirect, so the pages work without JavaScript too.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER, role_required
from kollega.research.access import studies_for_user
from kollega.research.models import Interview, Transcript
from kollega.workbench import actions, forms
from kollega.workbench.access import (
    analyses_for_user,
    get_analysis_for_user,
    get_transcript_for_user,
)
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    MeaningUnit,
    Theme,
    ThemeState,
)
from kollega.workbench.reading import (
    UnitSpan,
    turn_views,
    turns_html,
    unit_options_html,
    unit_rows_html,
)

GET_POST = ["GET", "HEAD", "POST"]
researcher_only = role_required(RESEARCHER)
SUGGESTION_SALT = "workbench.code-suggestion"
SUGGESTION_MAX_AGE = 24 * 3600


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Analyses ------------------------------------------------------------------------------


@require_http_methods(GET_POST)
@researcher_only
def analyses(request: HttpRequest) -> HttpResponse:
    studies = studies_for_user(request.user)
    errors: list[str] = []
    if request.method == "POST":
        form = forms.AnalysisForm(request.POST, studies=studies)
        if not form.is_valid():
            errors = form.messages()
        else:
            analysis = actions.do_create_analysis(
                request.user, form.cleaned_data["study"], name=form.cleaned_data["name"]
            )
            messages.success(request, _("The analysis is created. Add its transcripts."))
            return redirect("workbench:analysis", analysis.pk)
    found = analyses_for_user(request.user).select_related("study")
    return render(
        request,
        "workbench/analyses.html",
        {"analyses": found, "studies": studies, "errors": errors, "posted": request.POST},
        status=400 if errors else 200,
    )


def _addable(analysis: Analysis) -> list[Interview]:
    """The study's interviews whose transcript is de-identified and not yet in the analysis."""
    taken = analysis.transcripts.values("interview")
    return list(
        Interview.objects.filter(
            participant__study=analysis.study_id, transcript__deidentified__isnull=False
        )
        .exclude(pk__in=taken)
        .select_related("participant")
    )


@require_GET
@researcher_only
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    record(request.user, "workbench.analysis.view", found)
    versions = _version_list(found)
    pending = Transcript.objects.filter(
        interview__participant__study=found.study_id, deidentified__isnull=True
    ).count()
    return render(
        request,
        "workbench/analysis.html",
        {
            "analysis": found,
            "versions": versions,
            "addable": _addable(found),
            "not_deidentified": pending,
            "broken": actions.broken_units(found),
        },
    )


@require_POST
@researcher_only
def transcript_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.TranscriptAddForm(
        request.POST, interviews=Interview.objects.filter(participant__study=found.study_id)
    )
    if not form.is_valid():
        messages.error(request, forms.first_error(form))
    else:
        try:
            actions.do_add_transcript(request.user, found, form.cleaned_data["interview"])
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The transcript is added."))
    return redirect("workbench:analysis", found.pk)


def _unit_in(request: HttpRequest, analysis: Analysis, unit_pk: int) -> MeaningUnit:
    unit: MeaningUnit = get_object_or_404(
        MeaningUnit.objects.select_related("transcript", "coding"),
        pk=unit_pk,
        transcript__analysis=analysis,
    )
    return unit


@require_POST
@researcher_only
def unit_place(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    """Fix a unit an edit left behind: place it at the proposed offsets, or delete it."""
    found = get_analysis_for_user(request.user, pk)
    target = _unit_in(request, found, unit)
    form = forms.UnitPlaceForm(request.POST)
    try:
        if form.is_valid() and form.cleaned_data["delete"]:
            actions.do_delete_unit(request.user, target)
            messages.success(request, _("The unit is deleted."))
        else:
            place = actions.proposed_place(target)
            if place is None:
                raise ActionRefused(
                    _("Its words are not in the new version once; delete it and mark it again.")
                )
            actions.do_place_unit(request.user, target, start=place[0], end=place[1])
            messages.success(request, _("The unit is placed on the new version."))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:analysis", found.pk)


# --- Step 1: total impression --------------------------------------------------------------


def _version(request: HttpRequest, analysis: Analysis, pk: int | None) -> AnalysisTranscript:
    current = analysis.transcripts.filter(current=True)
    if pk is None:
        first = current.select_related("interview__participant").first()
        if first is None:
            raise Http404
        return first
    return get_transcript_for_user(request.user, analysis, pk)


@require_GET
@researcher_only
def impression(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    versions = list(found.transcripts.filter(current=True).select_related("interview__participant"))
    reading = None
    if versions:
        reading = _version(request, found, _int(request.GET.get("t")) or versions[0].pk)
        record(request.user, "workbench.transcript.view", reading, analysis=found.pk, step=1)
    return render(
        request,
        "workbench/impression.html",
        {
            "analysis": found,
            "versions": versions,
            "reading": reading,
            "turns": turns_html(turn_views(reading), codable=False) if reading else "",
            "themes": actions.themes_visible_to(request.user, found),
            "run": found.theme_runs.first(),
            "unshared": found.themes.filter(
                owner_id=request.user.pk,
                shared=False,
                state__in=[ThemeState.OWN, ThemeState.ACCEPTED],
            ).count(),
        },
    )


@require_POST
@researcher_only
def theme_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.ThemeForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused(forms.first_error(form))
        actions.do_add_theme(request.user, found, **form.cleaned_data)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


def _theme(request: HttpRequest, analysis: Analysis, theme_pk: int) -> Theme:
    theme: Theme = get_object_or_404(actions.themes_visible_to(request.user, analysis), pk=theme_pk)
    return theme


def _versioned_edit(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    fields: dict[str, Any],
    save: Any,
    template: str,
    context: dict[str, Any],
    saved: str,
    back: HttpResponse,
) -> HttpResponse:
    """A form over one versioned record: ``fields`` maps each field to its current value.

    On POST, ``save(cleaned_data)`` runs the action; an invalid form or a refusal (a stale
    save among them) shows the page again with the researcher's text kept, and 400.
    """
    errors: list[str] = []
    values = dict(fields)
    if request.method == "POST":
        form = form_class(request.POST)
        for name, current in fields.items():
            raw = form[name].value()
            if isinstance(current, bool):
                values[name] = form.fields[name].to_python(raw)
            else:
                values[name] = "" if raw is None else raw
        try:
            if not form.is_valid():
                raise ActionRefused(forms.first_error(form))
            save(form.cleaned_data)
        except ActionRefused as exc:
            errors.append(str(exc))
        else:
            messages.success(request, saved)
            return back
    return render(
        request,
        template,
        {**context, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


@require_http_methods(GET_POST)
@researcher_only
def theme_edit(request: HttpRequest, pk: int, theme: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _theme(request, found, theme)
    return _versioned_edit(
        request,
        form_class=forms.ThemeEditForm,
        fields={
            "label": target.label,
            "description": target.description,
            "version": target.version,
        },
        save=lambda v: actions.do_edit_theme(request.user, target, **v),
        template="workbench/theme_edit.html",
        context={"analysis": found, "theme": target},
        saved=_("The theme is saved."),
        back=redirect("workbench:impression", found.pk),
    )


@require_POST
@researcher_only
def theme_delete(request: HttpRequest, pk: int, theme: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    try:
        actions.do_delete_theme(request.user, _theme(request, found, theme))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


@require_POST
@researcher_only
def theme_decide(request: HttpRequest, pk: int, theme: int) -> HttpResponse:
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
def themes_share(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    count = actions.do_share_themes(request.user, found)
    messages.success(request, _("%(count)d themes are shared.") % {"count": count})
    return redirect("workbench:impression", found.pk)


@require_POST
@researcher_only
def themes_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    try:
        actions.do_request_theme_suggestions(request.user, found)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:impression", found.pk)


@require_GET
@researcher_only
def theme_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion run's progress, polled by htmx while it works."""
    found = get_analysis_for_user(request.user, pk)
    return render(
        request, "workbench/theme_run.html", {"analysis": found, "run": found.theme_runs.first()}
    )


# --- Step 2: meaning units and code groups -------------------------------------------------


def _workspace(
    request: HttpRequest,
    analysis: Analysis,
    version: AnalysisTranscript,
    *,
    announce: str = "",
    full: bool = True,
    extra: dict[str, Any] | None = None,
    current: int | None = None,
) -> HttpResponse:
    """The step-2 page (or, for htmx, its workspace): the coder's own units only.

    ``current`` is the unit to keep selected (the one just sorted); by default the last
    uncoded one.
    """
    # Plain tuples, not model instances: a long interview holds hundreds of units.
    units = [
        UnitSpan(*row)
        for row in version.units.filter(coder_id=request.user.pk)
        .order_by("start", "end", "pk")
        .values_list("pk", "start", "end", "coding__code_group_id", "coding__origin")
    ]
    numbers = {u.pk: n for n, u in enumerate(units, start=1)}
    groups = list(analysis.code_groups.all())
    counts = Counter(u.group_id for u in units if u.group_id is not None)
    by_pk = {g.pk: g for g in groups}
    tree = _tree(groups)
    keys = {g.pk: n for n, g in enumerate([g for g, _ in tree if g.codable][:9], start=1)}
    text = version.text
    rows = [
        {
            "unit": u,
            "number": numbers[u.pk],
            "text": _excerpt(text[u.start : u.end], 160),
            "short": _excerpt(text[u.start : u.end], 50),
            "group": by_pk.get(u.group_id) if u.group_id is not None else None,
        }
        for u in units
    ]
    uncoded = [u.pk for u in units if u.group_id is None]
    current = current if current in numbers else max(uncoded, default=None)
    units_url = reverse("workbench:analysis", args=[analysis.pk]) + "units/"
    context = {
        "analysis": analysis,
        "version": version,
        "versions": list(_version_list(analysis)),
        "turns": turns_html(turn_views(version, units, numbers=numbers), codable=True),
        "rows": rows,
        "unit_rows": unit_rows_html(
            rows, current=current, units_url=units_url, csrf_token=get_token(request)
        ),
        "unit_options": unit_options_html(rows, current=current),
        "groups": [
            {"group": g, "depth": depth, "count": counts.get(g.pk, 0), "key": keys.get(g.pk)}
            for g, depth in tree
        ],
        "current": current,
        "announce": announce,
        "comparing": actions.comparing(version),
        **(extra or {}),
    }
    template = "workbench/coding.html" if full else "workbench/workspace.html"
    return render(request, template, context)


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _version_list(analysis: Analysis) -> Any:
    """Current transcript versions for navigation, without decrypting their text."""
    return (
        analysis.transcripts.filter(current=True)
        .select_related("interview__participant")
        .defer("text", "turns_json")
    )


def _tree(groups: list[CodeGroup]) -> list[tuple[CodeGroup, int]]:
    """Code groups in panel order: each parent followed by its children, with their depth."""
    children: dict[int | None, list[CodeGroup]] = {}
    for g in groups:
        children.setdefault(g.parent_id, []).append(g)
    out: list[tuple[CodeGroup, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for g in children.get(parent, []):
            out.append((g, depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return out


def _step2_answer(
    request: HttpRequest,
    analysis: Analysis,
    version: AnalysisTranscript,
    *,
    done: str = "",
    refused: ActionRefused | None = None,
    decided: str = "",
    current: int | None = None,
) -> HttpResponse:
    """htmx gets the workspace with an announcement; a plain post is redirected back."""
    if _is_htmx(request):
        return _workspace(
            request,
            analysis,
            version,
            announce=str(refused) if refused else done,
            full=False,
            extra={"oob": True, "decided": "" if refused else decided},
            current=current,
        )
    if refused is not None:
        messages.error(request, str(refused))
    elif done:
        messages.success(request, done)
    return redirect("workbench:coding", analysis.pk, version.pk)


@require_GET
@researcher_only
def coding(request: HttpRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    if not version.current:
        raise Http404
    record(request.user, "workbench.transcript.view", version, analysis=found.pk, step=2)
    return _workspace(request, found, version)


@require_POST
@researcher_only
def unit_create(request: HttpRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    form = forms.UnitCreateForm(request.POST, analysis=found)
    try:
        if not form.is_valid():
            raise ActionRefused(forms.first_error(form))
        unit = actions.do_create_unit(
            request.user,
            version,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            code_group=form.cleaned_data["group"],
        )
    except ActionRefused as exc:
        return _step2_answer(request, found, version, refused=exc)
    words = version.text[unit.start : unit.end]
    excerpt = words if len(words) <= 80 else words[:77] + "…"
    done = _("New meaning unit: “%(words)s”. Press a number key to sort it into a code group.") % {
        "words": excerpt
    }
    return _step2_answer(request, found, version, done=done)


@require_POST
@researcher_only
def unit_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Sort a unit into a code group (no group: take it out of its group)."""
    found = get_analysis_for_user(request.user, pk)
    form = forms.UnitCodeForm(request.POST, analysis=found)
    valid = form.is_valid()
    unit = _unit_in(request, found, form.cleaned_data.get("unit") or 0)
    group = form.cleaned_data.get("group")
    try:
        if not valid:
            raise ActionRefused(forms.first_error(form))
        if group is None:
            actions.do_uncode_unit(request.user, unit)
            done = _("The unit is taken out of its code group.")
        else:
            actions.do_code_unit(request.user, unit, group)
            done = _("The unit is sorted into %(group)s.") % {"group": group.name}
    except ActionRefused as exc:
        return _step2_answer(request, found, unit.transcript, refused=exc, current=unit.pk)
    return _step2_answer(request, found, unit.transcript, done=done, current=unit.pk)


@require_POST
@researcher_only
def unit_delete(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _unit_in(request, found, unit)
    version = target.transcript
    try:
        actions.do_delete_unit(request.user, target)
    except ActionRefused as exc:
        return _step2_answer(request, found, version, refused=exc)
    return _step2_answer(request, found, version, done=_("The unit is deleted."))


@require_POST
@researcher_only
def group_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.CodeGroupAddForm(request.POST, analysis=found)
    valid = form.is_valid()
    back = form.cleaned_data.get("t")
    try:
        if not valid:
            raise ActionRefused(forms.first_error(form))
        actions.do_add_code_group(
            request.user,
            found,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            parent=form.cleaned_data["parent"],
            codable=not form.cleaned_data["heading"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    if back and found.transcripts.filter(pk=back, current=True).exists():
        return redirect("workbench:coding", found.pk, back)
    return redirect("workbench:analysis", found.pk)


@require_http_methods(GET_POST)
@researcher_only
def group_edit(request: HttpRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = get_object_or_404(CodeGroup, pk=group, analysis=found)
    return _versioned_edit(
        request,
        form_class=forms.CodeGroupEditForm,
        fields={
            "name": target.name,
            "description": target.description,
            "codable": target.codable,
            "version": target.version,
        },
        save=lambda v: actions.do_edit_code_group(request.user, target, **v),
        template="workbench/group_edit.html",
        context={"analysis": found, "group": target},
        saved=_("The code group is saved."),
        back=redirect("workbench:analysis", found.pk),
    )


@require_POST
@researcher_only
def suggestions(request: HttpRequest, pk: int, t: int) -> HttpResponse:
    """Ranked code groups for the coder's uncoded units, to accept or reject one by one."""
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    ranked, model, used = actions.suggestions_for(request.user, version)
    units = {u.pk: u for u in version.units.filter(pk__in=ranked)}
    items: list[dict[str, Any]] = []
    for key, offer in ranked.items():
        if key not in units or not offer["ranking"]:
            continue
        # What was offered travels signed, so the recorded model and settings cannot be forged.
        offered = {**used, "confident": offer["confident"]}
        items.append(
            {
                "unit": units[key],
                "text": version.text[units[key].start : units[key].end],
                "confident": offer["confident"],
                "reason": offer["reason"],
                "ranking": [
                    {
                        "group": g,
                        "rank": n,
                        "percent": round(conf * 100),
                        "token": signing.dumps(
                            [key, g.pk, n, conf, model, offered], salt=SUGGESTION_SALT
                        ),
                    }
                    for n, (g, conf) in enumerate(offer["ranking"], start=1)
                ],
            }
        )
    shown = {item["unit"].pk for item in items}
    # The same advice ("code about 5 more units in 'Sleep'") is given once for the page.
    advice = list(
        dict.fromkeys(
            offer["advice"]
            for key, offer in ranked.items()
            if key in shown and not offer["confident"] and offer["advice"]
        )
    )
    context = {
        "analysis": found,
        "version": version,
        "items": items,
        "model": model,
        "advice": advice,
        "trust": _trust(used),
    }
    if _is_htmx(request):
        return render(request, "workbench/suggestions.html", context)
    return _workspace(request, found, version, extra={"suggested": context})


def _trust(used: dict[str, Any]) -> dict[str, Any]:
    """How far this project's suggestions can be trusted, as measured on its own coded units
    (the calibration's out-of-fold estimate), in whole percent for the page."""
    precision = used.get("estimated_precision")
    return {
        "measured": precision is not None,
        "met": bool(used.get("target_met")) and precision is not None,
        "precision": None if precision is None else round(precision * 100),
        "threshold": round(float(used.get("threshold", 1.0)) * 100),
        "target": round(float(used.get("target_precision", 0.8)) * 100),
    }


@require_POST
@researcher_only
def suggestion_decide(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _unit_in(request, found, unit)
    form = forms.SuggestionDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        unit_pk, group_pk, rank, confidence, model, used = signing.loads(
            form.cleaned_data["token"], salt=SUGGESTION_SALT, max_age=SUGGESTION_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    if unit_pk != target.pk or not isinstance(used, dict):
        raise Http404
    group = get_object_or_404(CodeGroup, pk=group_pk, analysis=found)
    accept = form.cleaned_data["accept"]
    try:
        actions.do_decide_suggestion(
            request.user,
            target,
            group,
            accept=accept,
            rank=rank,
            confidence=confidence,
            model=model,
            settings=used,
        )
    except ActionRefused as exc:
        return _step2_answer(request, found, target.transcript, refused=exc)
    done = (
        _("Suggestion accepted: the unit is sorted into %(group)s.")
        if accept
        else _("Suggestion %(group)s rejected.")
    ) % {"group": group.name}
    decided = str(target.pk) if accept else f"{target.pk}-{rank}"
    return _step2_answer(request, found, target.transcript, done=done, decided=decided)


# --- Blind double coding: compare and settle -----------------------------------------------


@require_http_methods(GET_POST)
@researcher_only
def compare(request: HttpRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    if request.method == "POST":
        try:
            actions.do_request_comparison(request.user, version)
        except ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect("workbench:coding", found.pk, version.pk)
        return redirect("workbench:compare", found.pk, version.pk)
    if not actions.comparing(version):
        return render(request, "workbench/compare.html", {"analysis": found, "version": version})
    record(request.user, "workbench.coding.view_comparison", version, analysis=found.pk)
    report = actions.agreement_for(version)
    from django.contrib.auth import get_user_model

    coders = {
        str(u.pk): u
        for u in get_user_model().objects.filter(pk__in=[_int(c) for c in report["coders"]])
    }
    groups = {str(g.pk): g for g in found.code_groups.all()}
    per_group = [
        {"group": groups.get(g), **stats} for g, stats in report["per_group"].items() if g in groups
    ]
    disagreements = [
        {
            "text": d["text"],
            "cells": [
                {
                    "coder": coders.get(c),
                    "group": groups.get(d["codes"].get(c) or ""),
                    "unit": d["units"].get(c),
                }
                for c in report["coders"]
            ],
            "unit_ids": ",".join(str(u.pk) for u in d["units"].values() if u is not None),
        }
        for d in report["disagreements"]
    ]
    return render(
        request,
        "workbench/compare.html",
        {
            "analysis": found,
            "version": version,
            "report": report,
            "coders": [coders.get(c) for c in report["coders"]],
            "per_group": per_group,
            "disagreements": disagreements,
            "groups": [g for g in groups.values() if g.codable],
        },
    )


@require_POST
@researcher_only
def settle(request: HttpRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    form = forms.SettleForm(request.POST, analysis=found)
    group = None
    try:
        if not form.is_valid():
            raise ActionRefused(forms.first_error(form))
        group = form.cleaned_data["group"]
        units = list(version.units.filter(pk__in=form.cleaned_data["units"]))
        actions.do_settle_disagreement(request.user, units, group)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Settled: every coder's unit is in %(group)s.") % {"group": group.name}
        )
    return redirect(reverse("workbench:compare", args=[found.pk, version.pk]) + "#disagreements")
